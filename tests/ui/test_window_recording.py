"""Recording one real window from the app: the Window choice lists the test card window
(a real X11 window on the test display), the recording is that window alone, at its size,
and is named after it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from capdesk.capture.testcard import read_video_counters
from capdesk.ui.controller import Phase
from capdesk.ui.shell import Shell

pytestmark = pytest.mark.display
ROOT = Path(__file__).resolve().parents[2]
TITLE = "capdesk card for the app"


@pytest.fixture
def card() -> Iterator[str]:
    """The test card in a titled window on this display (no window manager needed:
    the root's own windows are listed then)."""
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "e2e" / "card_window.py"), "--geometry",
         "700,500,320,180", "--title", TITLE, "--interval-ms", "30"],
        env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == b"ready", proc.stderr.read() if proc.stderr else ""
    yield TITLE
    proc.terminate()
    proc.wait(10)


def test_the_app_records_a_real_window_alone(qtbot, make_shell, card: str) -> None:
    shell: Shell = make_shell(source="screen")
    shell.start()
    shell.settings.countdown = 0
    window = shell.window
    qtbot.mouseClick(window.source.mode_buttons["window"], Qt.MouseButton.LeftButton)
    combo = window.source.window_combo
    qtbot.waitUntil(lambda: any(card in combo.itemText(i) for i in range(combo.count())),
                    timeout=10_000)
    # the app's own windows are not offered
    assert not any(combo.itemText(i) == "capdesk" for i in range(combo.count()))
    combo.setCurrentIndex(next(i for i in range(combo.count()) if card in combo.itemText(i)))
    choice = window.choice()
    assert (choice.mode, choice.window_title) == ("window", card)

    qtbot.mouseClick(window.record, Qt.MouseButton.LeftButton)
    # the countdown (none here) would be centred on the window; no ring: it may move
    overlay = shell.starter.overlay
    assert overlay.target is not None and not overlay.outline
    assert (overlay.target.width(), overlay.target.height()) == (320, 180)
    qtbot.waitUntil(lambda: shell.controller.phase == Phase.RECORDING, timeout=20_000)
    start = shell.controller.elapsed()
    qtbot.waitUntil(lambda: shell.controller.elapsed() >= start + 1.5, timeout=30_000)
    with qtbot.waitSignal(shell.controller.share_changed, timeout=60_000) as blocker:
        qtbot.mouseClick(shell.bar.stop, Qt.MouseButton.LeftButton)
    share = blocker.args[0]
    journal = share.journal
    assert journal.name is not None and card in journal.name  # named after the window
    assert (journal.width, journal.height) == (320, 180)  # the window, not the screen
    frames = read_video_counters(journal.spool_path)
    assert len(frames) >= 30 and all(f.counter is not None for f in frames)
