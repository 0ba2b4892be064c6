"""The camera in the app: the toggle and the list, the round preview bubble, its place in
the recording, and the camera's warnings in the recording bar.

No camera exists on these machines: ``CAPDESK_CAMERA_FILE`` names a small video (left
half red, right half blue) that plays as if it were one. Mirrored, as the app shows and
records it, blue is on the left.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import numpy.typing as npt
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor

from capdesk import settings as settings_module
from capdesk.engine.journal import State
from capdesk.ui.camera import FILE_ENV, NO_CAMERA, probe_cameras
from capdesk.ui.camera_control import HIDES_NOTE
from capdesk.ui.controller import Phase
from capdesk.ui.shell import Shell
from capdesk.ui.tray import Tray
from tests.media import clip_colour, red_blue_clip
from tests.ui.conftest import SCREENSHOTS
from tests.ui.test_flow import START_TIMEOUT, record_for, stop_and_wait
from tests.ui.test_screenshots import save

pytestmark = pytest.mark.display
pytest.importorskip("PySide6.QtMultimedia")

RGB = npt.NDArray[np.uint8]
FEED_TIMEOUT = 20_000


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return red_blue_clip(tmp_path_factory.mktemp("camera") / "camera.mp4")


@pytest.fixture
def camera_file(clip: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(FILE_ENV, str(clip))
    return clip


def started_shell(qtbot, make_shell) -> Shell:
    shell: Shell = make_shell()
    shell.start()
    shell.settings.countdown = 0
    qtbot.waitUntil(lambda: shell.window.has_cameras, timeout=10_000)
    return shell


def camera_on(qtbot, shell: Shell) -> None:
    if not shell.window.camera.isChecked():
        qtbot.mouseClick(shell.window.camera, Qt.MouseButton.LeftButton)
    bubble = shell.camera.bubble
    qtbot.waitUntil(lambda: bubble.isVisible() and bubble.has_picture, timeout=FEED_TIMEOUT)


def colour_name(pixel: npt.NDArray[np.uint8] | QColor) -> str | None:
    if isinstance(pixel, QColor):
        r, g, b = pixel.red(), pixel.green(), pixel.blue()
    else:
        r, g, b = (int(v) for v in pixel)
    return clip_colour(r, g, b)


def camera_pixels(frame: RGB) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Masks of the camera's red and of its blue in a decoded frame: pixels of that colour
    7 of whose 3x3 block are too. The recorded screen is the noise test card, some
    of whose scattered pixels decode as pure red or blue too (up to ~950 in a 320x240
    frame, at most 12 in a column; the bubble is a disc of 84 px)."""
    r, g, b = (frame[..., i].astype(int) for i in range(3))
    red = (r > 200) & (g < 60) & (b < 60)
    blue = (b > 200) & (r < 60) & (g < 60)
    return solid(red), solid(blue)


def solid(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """``mask`` without the pixels that have fewer than 7 of their 3x3 block set."""
    padded = np.pad(mask, 1).astype(np.uint8)
    height, width = mask.shape
    around = sum(padded[dy : dy + height, dx : dx + width]
                 for dy in range(3) for dx in range(3))
    return mask & (around >= 7)


def decode_last(path: Path, count: int = 5) -> list[RGB]:
    with av.open(str(path)) as container:
        frames = [np.asarray(f.to_ndarray(format="rgb24"), dtype=np.uint8)
                  for f in container.decode(video=0)]
    assert len(frames) > count
    return frames[-count:]


def test_no_camera_turns_the_toggle_off_with_a_reason(qtbot, make_shell) -> None:
    shell: Shell = make_shell(camera_probe=probe_cameras)  # the real look-up: none here
    shell.start()
    window = shell.window
    qtbot.waitUntil(lambda: window.camera.toolTip() == NO_CAMERA, timeout=15_000)
    assert not window.camera.isEnabled() and not window.camera.isChecked()
    assert not window.camera_combo.isEnabled()
    assert window.camera_hint.isVisible() and window.camera_hint.text()
    assert not shell.camera.bubble.isVisible()


def test_the_preview_is_round_on_top_mirrored_and_remembered(
        qtbot, make_shell, camera_file: Path) -> None:
    shell = started_shell(qtbot, make_shell)
    window = shell.window
    assert window.camera.isEnabled() and not window.camera.isChecked()
    assert window.camera_combo.findText(f"Video file ({camera_file.name})") >= 0
    window.camera_combo.setCurrentIndex(
        window.camera_combo.findText(f"Video file ({camera_file.name})"))
    camera_on(qtbot, shell)
    bubble = shell.camera.bubble

    flags = bubble.windowFlags()
    assert flags & Qt.WindowType.WindowStaysOnTopHint
    assert flags & Qt.WindowType.FramelessWindowHint
    d = bubble.width()
    assert bubble.height() == d and d == bubble.diameter
    mask = bubble.mask()
    assert mask.contains(QPoint(d // 2, d // 2)) and mask.contains(QPoint(d // 2, 1))
    for corner in (QPoint(1, 1), QPoint(d - 2, 1), QPoint(1, d - 2), QPoint(d - 2, d - 2)):
        assert not mask.contains(corner)

    qtbot.wait(200)
    image = bubble.grab().toImage()
    assert colour_name(image.pixelColor(d // 4, d // 2)) == "blue"  # mirrored
    assert colour_name(image.pixelColor(3 * d // 4, d // 2)) == "red"

    saved = settings_module.load()
    assert saved.camera is True and saved.camera_device == str(camera_file)
    window.fit()
    save(window, "main-camera-light")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    assert bubble.grab().toImage().save(str(SCREENSHOTS / "camera-bubble.png"))

    # Bigger with the wheel; the size is remembered.
    bubble.set_size("large")
    assert bubble.width() > d
    shell.camera._remember()
    assert settings_module.load().bubble_size == "large"

    # Off: the preview goes, the choice is remembered; a new start brings it back.
    qtbot.mouseClick(window.camera, Qt.MouseButton.LeftButton)
    assert not bubble.isVisible() and shell.camera.feed is None
    assert settings_module.load().camera is False
    qtbot.mouseClick(window.camera, Qt.MouseButton.LeftButton)
    shell.shutdown()
    again = started_shell(qtbot, make_shell)
    assert again.window.camera.isChecked()
    assert again.window.camera_combo.currentData() == str(camera_file)
    qtbot.waitUntil(lambda: again.camera.bubble.isVisible(), timeout=5_000)
    assert again.camera.bubble.size_name == "large"


def drag(qtbot, widget, by: QPoint) -> None:
    start = QPoint(widget.width() // 2, widget.height() // 2)
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(widget, start + by)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=start + by)


def test_the_recording_has_the_bubble_where_the_preview_was(
        qtbot, make_shell, camera_file: Path) -> None:
    shell = started_shell(qtbot, make_shell)  # records the 320x240 test card at (0, 0)
    camera_on(qtbot, shell)
    bubble = shell.camera.bubble
    bubble.set_size("large")  # 0.35 of the area's 240 px: 84 px
    before = bubble.center()
    assert before.x() > 200 and before.y() > 140  # bottom-right by default

    drag(qtbot, bubble, QPoint(-130, -80))  # dragging before recording moves the bubble
    center = bubble.center()
    assert abs(center.x() - (before.x() - 130)) <= 2 and abs(center.y() - (before.y() - 80)) <= 2
    assert settings_module.load().bubble_position  # remembered

    qtbot.mouseClick(shell.window.record, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.controller.phase == Phase.RECORDING, timeout=START_TIMEOUT)
    assert not bubble.isVisible()  # X11: the recorded bubble is the only one
    assert shell.bar.camera_line.text() == HIDES_NOTE
    record_for(qtbot, shell, 1.5)
    share = stop_and_wait(qtbot, shell)
    assert share.state == State.LOCAL_ONLY, share.detail
    qtbot.waitUntil(bubble.isVisible, timeout=5_000)  # back once idle

    for frame in decode_last(share.file):
        red, blue = camera_pixels(frame)
        ys, xs = np.nonzero(red | blue)
        assert len(xs) > 0.6 * np.pi * 40 ** 2  # a disc of about 84 px
        cx, cy = (xs.min() + xs.max() + 1) / 2, (ys.min() + ys.max() + 1) / 2
        assert abs(cx - center.x()) <= 3 and abs(cy - center.y()) <= 3, (cx, cy, center)
        # The disc found is smaller than the one drawn: its anti-aliased edge is not pure
        # colour, ``solid`` takes another pixel off each side, and with each 2x2 block's
        # colour from its top-left pixel the left and top edges lose one more to the card
        # around. Measured over 6 recordings: 78-82 px wide, 78-80 high for 84. A bubble of
        # another size (medium: 60 px) is far outside.
        width, height = xs.max() - xs.min() + 1, ys.max() - ys.min() + 1
        d = bubble.diameter
        assert d - 8 <= width <= d + 1 and d - 8 <= height <= d + 1, (width, height, d)
        blue_x, red_x = np.nonzero(blue)[1], np.nonzero(red)[1]
        # Mirrored: blue on the left half, red on the right (a few px of the encoder's blur).
        assert blue_x.mean() < center.x() - 10 < center.x() + 10 < red_x.mean()
        assert blue_x.max() <= center.x() + 6 and red_x.min() >= center.x() - 6
        assert abs(len(blue_x) - len(red_x)) < 0.2 * len(xs)  # half and half


def test_a_camera_that_stops_is_a_warning_in_the_bar(
        qtbot, make_shell, camera_file: Path) -> None:
    shell = started_shell(qtbot, make_shell)
    camera_on(qtbot, shell)
    qtbot.mouseClick(shell.window.record, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shell.controller.phase == Phase.RECORDING, timeout=START_TIMEOUT)
    bar = shell.bar
    record_for(qtbot, shell, 0.5)
    stop_at = bar.stop.mapToGlobal(QPoint(0, 0))
    feed = shell.camera.feed
    assert feed is not None
    feed.stop()  # as if unplugged
    qtbot.waitUntil(lambda: bar.camera_line.text().startswith("The camera stopped"),
                    timeout=10_000)
    qtbot.wait(100)
    assert bar.camera_line.isVisible()
    assert bar.stop.mapToGlobal(QPoint(0, 0)) == stop_at  # the buttons stay put
    save(bar, "recording-bar-camera-warning")
    share = stop_and_wait(qtbot, shell)
    assert share.state == State.LOCAL_ONLY, share.detail
    assert share.file.exists()


def test_the_tray_has_the_camera_toggle(qtbot, qapp: object) -> None:
    tray = Tray(lambda: [])
    action = tray.act_camera
    assert action.isCheckable() and not action.isEnabled()  # until the cameras are known
    tray.set_camera(False, False)
    assert not action.isEnabled() and action.toolTip() == NO_CAMERA
    tray.set_camera(True, True)
    assert action.isEnabled() and action.isChecked()
    with qtbot.waitSignal(tray.camera_toggled) as blocker:
        action.trigger()
    assert blocker.args == [False]
    tray.set_phase(Phase.RECORDING.value)
    assert not action.isEnabled()  # the camera stays as it is while recording
    tray.set_phase(Phase.IDLE.value)
    assert action.isEnabled()
