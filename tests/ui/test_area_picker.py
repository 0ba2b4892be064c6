"""The area picker: drag, adjust with handles, physical size shown, Enter records, Esc cancels."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QGuiApplication

from capdesk.engine.journal import State
from capdesk.ui.area_picker import AreaPicker, PickedArea
from capdesk.ui.controller import Phase
from capdesk.ui.shell import Shell
from tests.fakecap.fixtures import CapApp

pytestmark = pytest.mark.display
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def drag(qtbot, widget, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    middle = (start + end) / 2
    qtbot.mouseMove(widget, middle)
    qtbot.mouseMove(widget, end)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)


@pytest.fixture
def picker(qtbot):
    picker = AreaPicker()
    picker.open()
    overlay = picker.overlays[0]
    qtbot.waitExposed(overlay)
    yield picker
    picker.close()


def test_drag_then_resize_with_a_handle_then_enter(qtbot, picker: AreaPicker) -> None:
    overlay = picker.overlays[0]
    assert len(picker.overlays) == len(QGuiApplication.screens())
    drag(qtbot, overlay, QPoint(100, 100), QPoint(500, 400))
    assert overlay.selection == QRect(QPoint(100, 100), QPoint(500, 400))
    assert overlay.strip.isVisible()  # Record / Cancel buttons under the selection
    # Drag the bottom-right handle 100 px right and 50 px down.
    corner = overlay.selection.bottomRight()
    drag(qtbot, overlay, corner, corner + QPoint(100, 50))
    assert overlay.selection.size().width() == 501 and overlay.selection.height() == 351
    # Move the whole selection.
    drag(qtbot, overlay, QPoint(300, 300), QPoint(320, 310))
    assert overlay.selection.topLeft() == QPoint(120, 110)
    area = picker.current()
    assert area is not None
    ratio = overlay.qscreen.devicePixelRatio()
    assert area.physical == (round(120 * ratio), round(110 * ratio), round(501 * ratio),
                             round(351 * ratio))
    with qtbot.waitSignal(picker.picked) as blocker:
        qtbot.keyClick(overlay, Qt.Key.Key_Return)
    assert isinstance(blocker.args[0], PickedArea)
    assert blocker.args[0].physical == area.physical
    assert picker.overlays == []


def test_escape_cancels(qtbot, picker: AreaPicker) -> None:
    overlay = picker.overlays[0]
    drag(qtbot, overlay, QPoint(10, 10), QPoint(200, 200))
    with qtbot.waitSignal(picker.cancelled):
        qtbot.keyClick(overlay, Qt.Key.Key_Escape)
    assert picker.overlays == []


def test_a_click_is_not_a_selection(qtbot, picker: AreaPicker) -> None:
    overlay = picker.overlays[0]
    drag(qtbot, overlay, QPoint(50, 50), QPoint(53, 52))
    assert picker.current() is None
    with qtbot.assertNotEmitted(picker.picked):
        qtbot.keyClick(overlay, Qt.Key.Key_Return)


def test_picked_area_of_the_real_screen_is_what_gets_recorded(
        qtbot, cap_app: CapApp, connect_to, make_shell) -> None:
    connect_to(cap_app, secret=False)
    shell: Shell = make_shell(source="screen")
    shell.start()
    shell.settings.countdown = 0
    shell.window.set_mode("area")
    qtbot.mouseClick(shell.window.record, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(shell.picker.overlays), timeout=5_000)
    overlay = shell.picker.overlays[0]
    qtbot.waitExposed(overlay)
    drag(qtbot, overlay, QPoint(200, 150), QPoint(200 + 319, 150 + 179))
    qtbot.keyClick(overlay, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: shell.controller.phase == Phase.RECORDING, timeout=20_000)
    start = shell.controller.elapsed()
    qtbot.waitUntil(lambda: shell.controller.elapsed() > start + 1.0, timeout=20_000)
    with qtbot.waitSignal(shell.controller.share_changed, timeout=60_000) as blocker:
        qtbot.mouseClick(shell.bar.stop, Qt.MouseButton.LeftButton)
    share = blocker.args[0]
    assert share.state == State.COMPLETE, share.detail
    video = cap_app.server.video(share.journal.video_id)
    assert (video["width"], video["height"]) == (320, 180)
    # Without a secret key there is nothing to poll: the card says "Uploaded".
    qtbot.waitUntil(lambda: "Uploaded" in shell.window.result.status.text(), timeout=5_000)


def test_selection_at_200_percent_records_twice_the_pixels() -> None:
    """Qt scaled 2x (as on a HiDPI monitor): a 150x100 logical drag is 300x200 physical."""
    env = dict(os.environ, QT_SCALE_FACTOR="2", QT_QPA_PLATFORM="xcb")
    result = subprocess.run(
        [sys.executable, str(HERE / "scaled_picker.py")], env=env, cwd=ROOT,
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["ratio"] == 2.0
    assert found["physical"] == [200, 160, 300, 200]
