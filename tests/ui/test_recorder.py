"""The compact recorder and what surrounds a recording: the source picker (windows
included), the checks before the countdown, the countdown, the recording bar's steady
buttons, the tray's one-off area recording, and the small wording rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QWidget

from capdesk.engine import CaptureError, SourceKind
from capdesk.ui import wording
from capdesk.ui.area_picker import recorded_size
from capdesk.ui.choice import Choice, recording_name
from capdesk.ui.controller import Phase
from capdesk.ui.recording_bar import RecordingBar
from capdesk.ui.shell import Shell
from capdesk.ui.source_picker import COVERED_NOTE
from tests.ui.test_pieces import progress

pytestmark = pytest.mark.display


@dataclass(frozen=True)
class FakeWindow:
    id: str
    title: str
    app: str
    width: int
    height: int


WINDOWS = [FakeWindow("0x3a00007", "Quarterly review - Slides", "Slides", 1280, 800),
           FakeWindow("0x3c00002", "Terminal", "xterm", 800, 500)]


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


# -- the recording bar ---------------------------------------------------------------------
def test_bar_buttons_keep_their_size_and_place(qtbot) -> None:
    bar = RecordingBar()
    qtbot.addWidget(bar)
    bar.set_phase(Phase.RECORDING.value)
    bar.set_audio("mic", False)
    bar.set_elapsed(3.0)
    bar.set_health("ok", "1.0 MB uploaded · 2.0 MB recorded")
    bar.place()
    bar.show()
    qtbot.waitExposed(bar)
    buttons = (bar.mute, bar.pause, bar.stop, bar.discard)
    before = [global_rect(b) for b in buttons]
    width = bar.width()

    bar.set_audio("mic", True)  # Mute -> Unmute
    bar.set_phase(Phase.PAUSED.value)  # Pause -> Resume
    bar.set_audio_warning(*wording.audio_warning(
        "Built-in Microphone Analog Stereo stopped delivering sound (gone); recording "
        "silence in its place until it comes back"))
    bar.set_camera_warning("The camera stopped: it was unplugged")
    bar.set_health("error", "Offline: Cap cannot be reached · 123.4 MB recorded here, "
                            "uploads when it is back, and some more words that are long")
    qtbot.wait(50)
    assert (bar.mute.text(), bar.pause.text()) == ("Unmute", "Resume")
    assert bar.warning.isVisible() and bar.camera_line.isVisible()
    assert [global_rect(b) for b in buttons] == before
    assert bar.width() == width


def test_confirming_discard_is_not_where_discard_was(qtbot) -> None:
    bar = RecordingBar()
    qtbot.addWidget(bar)
    bar.set_phase(Phase.RECORDING.value)
    bar.show()
    qtbot.waitExposed(bar)
    discard = global_rect(bar.discard)
    qtbot.mouseClick(bar.discard, Qt.MouseButton.LeftButton)
    assert bar.pages.currentIndex() == 1
    qtbot.wait(20)
    confirm = global_rect(bar.confirm_discard)
    assert not confirm.intersects(discard)  # a double click cannot delete the recording
    assert global_rect(bar.keep_recording).intersects(discard)  # the safe one is there
    with qtbot.assertNotEmitted(bar.discard_confirmed):
        qtbot.mouseClick(bar.keep_recording, Qt.MouseButton.LeftButton)
    assert bar.pages.currentIndex() == 0


# -- the recorder --------------------------------------------------------------------------
def test_compact_recorder_has_no_rate_quality_or_countdown(shell: Shell) -> None:
    window = shell.window
    names = {w.objectName() for w in window.findChildren(QWidget)}
    assert {"mode_screen", "mode_window", "mode_area", "microphone", "camera",
            "recordButton"} <= names
    assert not {"fpsCombo", "qualityCombo", "countdownCombo"} & names
    shell.settings.fps, shell.settings.countdown = 24, 5  # they come from Settings
    choice = window.choice()
    assert (choice.fps, choice.countdown, choice.mode) == (24, 5, "screen")


def test_window_picker_lists_windows_and_names_the_recording(qtbot, make_shell) -> None:
    shell: Shell = make_shell(window_lister=lambda: WINDOWS)
    shell.start()
    window = shell.window
    qtbot.mouseClick(window.source.mode_buttons["window"], Qt.MouseButton.LeftButton)
    combo = window.source.window_combo
    qtbot.waitUntil(lambda: combo.count() == 2 and combo.isEnabled(), timeout=5_000)
    assert window.source.hint.text() == COVERED_NOTE and window.source.hint.isVisible()
    combo.setCurrentIndex(1)
    choice = window.choice()
    assert (choice.mode, choice.window_id, choice.window_title) == (
        "window", "0x3c00002", "Terminal")
    assert window.record.isEnabled()
    options = shell.starter.options_for(choice, None)
    assert options.name == "Terminal"
    shell.options.source = "screen"  # how a real recording of it would be asked for
    real = shell.starter.options_for(choice, None)
    assert (real.source, real.window) == (SourceKind.WINDOW, "0x3c00002")


def test_window_picker_says_why_windows_cannot_be_listed(qtbot, make_shell) -> None:
    def refuse() -> list[FakeWindow]:
        raise CaptureError("Recording a window is not possible on Wayland.")

    shell: Shell = make_shell(window_lister=refuse)
    shell.start()
    window = shell.window
    qtbot.mouseClick(window.source.mode_buttons["window"], Qt.MouseButton.LeftButton)
    hint = window.source.hint
    qtbot.waitUntil(lambda: "Wayland" in hint.text(), timeout=5_000)
    assert not window.record.isEnabled()  # nothing to record
    qtbot.mouseClick(window.source.mode_buttons["screen"], Qt.MouseButton.LeftButton)
    assert window.record.isEnabled()


def test_too_little_disk_space_is_an_error_before_the_countdown(qtbot, make_shell) -> None:
    shell: Shell = make_shell(free_space=lambda _folder: 10 * 1024 * 1024)
    shell.start()
    shell.settings.countdown = 3
    window = shell.window
    qtbot.mouseClick(window.record, Qt.MouseButton.LeftButton)
    assert shell.controller.phase == Phase.IDLE  # no countdown started
    assert window.isVisible() and window.problem_box.isVisible()
    assert "Only 10.0 MiB is free" in window.problem.text()
    assert "--output" not in window.problem.text()
    assert not window.result.isVisible()
    qtbot.mouseClick(window.problem_button, Qt.MouseButton.LeftButton)
    dialog = shell.settings_dialog
    assert dialog is not None and dialog.tabs.currentIndex() == 1  # where the folder is
    dialog.reject()


def test_countdown_shows_large_and_esc_cancels(qtbot, shell: Shell) -> None:
    shell.settings.countdown = 5
    qtbot.mouseClick(shell.window.record, Qt.MouseButton.LeftButton)
    number = shell.starter.overlay.number
    qtbot.waitUntil(lambda: number.isVisible(), timeout=5_000)
    assert (shell.controller.phase, number.seconds) == (Phase.COUNTDOWN, 5)
    target = shell.starter.recorded_rect
    assert target is not None and target.contains(number.geometry().center())
    with qtbot.waitSignal(shell.controller.discarded, timeout=10_000):
        qtbot.keyClick(number, Qt.Key.Key_Escape)
    assert shell.controller.phase == Phase.IDLE and not number.isVisible()


def test_area_from_the_tray_keeps_the_windows_choice(qtbot, shell: Shell) -> None:
    window = shell.window
    assert window.source.tab == "screen"
    shell.record_mode("area")  # what the tray's "Record an area…" does
    qtbot.waitUntil(lambda: bool(shell.picker.overlays), timeout=5_000)
    shell.picker.cancel()
    qtbot.waitUntil(window.isVisible, timeout=5_000)
    assert window.source.tab == "screen" and window.choice().mode == "screen"


def test_keyboard_focus_is_visible_and_unlike_the_chosen_state(qtbot, shell: Shell) -> None:
    window_button = shell.window.source.mode_buttons["window"]
    chosen = shell.window.source.mode_buttons["screen"]
    shell.window.activateWindow()
    qtbot.waitUntil(shell.window.isActiveWindow, timeout=2_000)
    plain = window_button.grab().toImage()
    chosen_plain = chosen.grab().toImage()
    window_button.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(window_button.hasFocus, timeout=2_000)
    assert window_button.grab().toImage() != plain  # focus shows
    chosen.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(chosen.hasFocus, timeout=2_000)
    assert chosen.grab().toImage() != chosen_plain  # on the chosen one too: a different mark


# -- small rules -----------------------------------------------------------------------------
def test_recording_names_are_never_repeated() -> None:
    at = datetime(2026, 12, 1, 21, 27)
    screen = Choice("screen", None, 30, "standard", 0)
    assert recording_name(screen, [], at) == "Recording 2026-12-01 21:27"
    taken = ["Recording 2026-12-01 21:27", "Recording 2026-12-01 21:27 (2)"]
    assert recording_name(screen, taken, at) == "Recording 2026-12-01 21:27 (3)"
    window = Choice("window", None, 30, "standard", 0, window_id="1", window_title=" Notes  ")
    assert recording_name(window, ["Notes"], at) == "Notes (2)"


def test_the_area_label_says_the_recorded_even_size() -> None:
    assert recorded_size(471, 311) == (470, 310)
    assert recorded_size(470, 310) == (470, 310)


def test_nothing_uploaded_is_not_green_during_the_countdown() -> None:
    level, text = wording.upload_health(progress(durable_bytes=0, confirmed_bytes=0), None)
    assert level != "ok" and "0 bytes" not in text
    assert wording.upload_health(progress(), None)[0] == "ok"


def test_network_down_is_said_while_recording() -> None:
    down = progress(video_id=None, share_url=None, retrying=True, confirmed_bytes=0)
    level, text = wording.upload_health(down, None)
    assert level == "warn" and "Cannot reach Cap" in text and "Connecting" not in text
    level, text = wording.upload_health(progress(offline=True, retrying=True), None)
    assert level == "error" and "cannot be reached" in text


def test_messages_name_buttons_not_commands() -> None:
    texts = [
        "Cap refused the key: x. Copy the key again from Cap's developer dashboard and save "
        "it with `capdesk config set public-key` (or in Settings); a revoked key must be "
        "replaced",
        "Cannot reach Cap: x. Check your internet connection and the server URL in settings; "
        "the recording is kept and can be uploaded later with `capdesk resume`",
        "Not enough Cap credits: x. Add credits in Cap's developer dashboard; the recording "
        "is kept and `capdesk resume` finishes the upload afterwards",
        "only 1 MiB free where the recording would go (/x); capdesk needs more than 50 MiB: "
        "free some space or choose another --output",
        "Cap is not set up: no public key is set. Save it in the keychain with "
        "`capdesk config set public-key`, or, without a keychain, set CAP_PUBLIC_KEY in "
        "the environment",
    ]
    for text in texts:
        plain = wording.for_people(text)
        assert "`" not in plain and "--output" not in plain and "capdesk config" not in plain


def test_plurals() -> None:
    assert wording.plural(1, "minute") == "1 minute"
    assert wording.plural(2, "minute") == "2 minutes"
    assert wording.singulars("1 videos · 1 minutes on Cap") == "1 video · 1 minute on Cap"
    assert wording.singulars("21 minutes") == "21 minutes"


def test_embed_code_is_an_iframe_of_the_embed_url(tmp_path: Path) -> None:
    from capdesk.engine import Journal
    from capdesk.engine import JournalState as State
    from capdesk.ui.share import share_from_journal

    journal = Journal(id="j", spool_path=str(tmp_path / "a.mp4"), state=State.COMPLETE,
                      name='A "quoted" <name>', share_url="https://cap.example/s/v1",
                      embed_url="https://cap.example/embed/v1")
    code = share_from_journal(journal).embed_code
    assert code.startswith('<iframe src="https://cap.example/embed/v1"')
    assert "&quot;quoted&quot; &lt;name&gt;" in code and code.endswith("</iframe>")


def test_an_outline_surrounds_the_recorded_area_outside_it(qtbot, shell: Shell) -> None:
    shell.window.set_mode("area")
    qtbot.mouseClick(shell.window.record, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shell.picker.overlays), timeout=5_000)
    shell.picker.select(0, QRect(200, 150, 320, 240))
    shell.picker.accept()
    qtbot.waitUntil(lambda: shell.controller.phase == Phase.RECORDING, timeout=20_000)
    ring = shell.starter.overlay.ring
    target = shell.starter.recorded_rect
    assert target is not None and ring.isVisible()
    assert ring.geometry().contains(target)
    mask = ring.mask()
    inside = target.translated(-ring.x(), -ring.y())
    assert not mask.intersects(inside)  # nothing of it is drawn over what is recorded
    assert mask.contains(QPoint(1, 1))  # the ring itself is there
    with qtbot.waitSignal(shell.controller.share_changed, timeout=60_000):
        shell.controller.stop()
    assert not ring.isVisible()


def test_the_library_closes_with_esc_and_ctrl_w(qtbot, shell: Shell) -> None:
    library = shell.library
    for keys in ((Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
                 (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)):
        shell.open_library()
        qtbot.waitExposed(library)
        qtbot.keyClick(library.tabs.currentWidget() or library, keys[0], keys[1])
        qtbot.waitUntil(lambda: not library.isVisible(), timeout=2_000)
    assert library.windowTitle() == "Library"  # no app name repeated


def test_on_wayland_the_recorder_says_what_the_portal_does(
        qtbot, make_shell, monkeypatch: pytest.MonkeyPatch) -> None:
    from capdesk.ui import source_picker

    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")  # read when the hint is shown
    shell: Shell = make_shell()
    shell.start()
    picker = shell.window.source
    qtbot.mouseClick(picker.mode_buttons["area"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(picker.mode_buttons["screen"], Qt.MouseButton.LeftButton)
    assert source_picker.WAYLAND_NOTE in picker.hint.text() and picker.hint.isVisible()
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    qtbot.mouseClick(picker.mode_buttons["area"], Qt.MouseButton.LeftButton)
    assert source_picker.WAYLAND_NOTE not in picker.hint.text()
