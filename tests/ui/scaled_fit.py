"""Helper run in a subprocess with QT_SCALE_FACTOR set (it can only be set before Qt
starts): every window of the app, before and after a result, must fit the screen's
available area and stay on screen when it changes size. Prints one JSON object:
``{"scale": ..., "screen": [w, h], "checked": [...], "problems": [...]}``; saves
screenshots to the folder given as the first argument (with the look in their names).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from capdesk.engine import Journal, JournalState
from capdesk.ui.app import make_application
from capdesk.ui.audio import no_audio
from capdesk.ui.camera import CameraOffer
from capdesk.ui.services import Services
from capdesk.ui.share import Share, share_from_journal
from capdesk.ui.shell import Options, Shell
from capdesk.ui.sizing import needed_height

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # run as a script
from tests.ui.helper_clipboard import MemoryClipboard

LINK = "https://cap.example/s/a1b2c3d4"


def main() -> int:
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    tag = sys.argv[2] if len(sys.argv) > 2 else "fit"
    home = Path(tempfile.mkdtemp(prefix="capdesk-fit-"))
    os.environ["CAPDESK_HOME"] = str(home)
    for name in ("CAP_PUBLIC_KEY", "CAP_SECRET_KEY", "CAP_BASE_URL"):
        os.environ.pop(name, None)
    app = make_application(sys.argv[:1])
    shell = Shell(Options(source="synthetic", use_tray=False, use_hotkeys=False,
                          resume_at_start=False, first_run=False, audio_probe=no_audio,
                          camera_probe=lambda: CameraOffer([], "No camera found.")),
                  Services(clipboard=MemoryClipboard()))
    checked: list[str] = []
    problems: list[str] = []
    scale = QGuiApplication.primaryScreen().devicePixelRatio()
    room = QGuiApplication.primaryScreen().availableGeometry()

    def check(widget: QWidget, what: str, *, whole: bool = False) -> None:
        """On screen, inside the available area; ``whole``: no scrolling needed."""
        app.processEvents()
        checked.append(what)
        frame = widget.frameGeometry()
        if not widget.isVisible():
            problems.append(f"{what}: not visible")
        elif not room.contains(frame):
            problems.append(f"{what}: {frame.getRect()} is not inside {room.getRect()}")
        body = getattr(widget, "body", None)
        if whole and isinstance(body, QWidget):  # its scroll area shows it whole
            area = body.parentWidget()
            while area is not None and not isinstance(area, QScrollArea):
                area = area.parentWidget()
            need = needed_height(body, body.width())
            shown = area.viewport().height() if area is not None else body.height()
            if shown < need:
                problems.append(f"{what}: content {need} px tall in {shown} px")

    def shot(widget: QWidget, name: str) -> None:
        widget.grab().save(str(folder / f"{name}-{tag}.png"))

    def screen(name: str) -> None:
        QGuiApplication.primaryScreen().grabWindow(0).save(str(folder / f"{name}-{tag}.png"))

    def result(state: JournalState, **fields: Any) -> Share:
        spool = home / f"{state}.mp4"
        spool.write_bytes(b"\0" * 2048)
        journal = Journal(id=f"fit-{state}", spool_path=str(spool), state=state,
                          name="Recording 2026-12-01 21:27", duration_secs=42.0,
                          final_size=12_300_000, width=1920, height=1080, **fields)
        return share_from_journal(journal)

    steps: list[Callable[[], None]] = []

    def step(fn: Callable[[], None]) -> Callable[[], None]:
        steps.append(fn)
        return fn

    @step
    def before() -> None:
        window = shell.window
        window.move(room.left() + 40, room.top() + 30)
        check(window, "recorder", whole=True)
        shot(window, "recorder")

    @step
    def link() -> None:
        share = result(JournalState.COMPLETE, share_url=LINK, video_id="a1b2c3d4",
                       embed_url="https://cap.example/embed/a1b2c3d4")
        share.status_line = "Ready to watch · transcript ready"
        shell.outcomes.show_share(share)

    @step
    def after_link() -> None:
        check(shell.window, "recorder after a link", whole=True)
        card = shell.window.result
        check(card, "result card (link)")
        if card.frameGeometry().intersects(shell.window.frameGeometry()):
            problems.append("the result card covers the recorder")
        screen("result-link")
        shot(card, "result-card")

    @step
    def failure() -> None:
        share = result(JournalState.KEY_REFUSED, error=(
            "Cap refused the key: Invalid or revoked public key. Copy the key again from "
            "Cap's developer dashboard and save it with `capdesk config set public-key` "
            "(or in Settings); a revoked key must be replaced"))
        shell.outcomes.show_share(share)

    @step
    def after_failure() -> None:
        check(shell.window.result, "result card (failure)")
        shot(shell.window.result, "result-failed")
        if "capdesk config" in shell.window.result.hint.text() + \
                shell.window.result.detail.text():
            problems.append("the card tells people to run a command")

    @step
    def near_the_edge() -> None:  # grows with a note while near the bottom-right corner
        window = shell.window
        window.move(room.right() - window.width() + 1, room.bottom() - window.height() + 1)
        app.processEvents()
        window.set_problem("Only 12.0 MiB is free in /home/someone/Videos/capdesk; capdesk "
                           "needs more than 50.0 MiB to record. Free some space, or choose "
                           "another folder in Settings.", "Open Settings", "settings")

    @step
    def after_growing() -> None:
        check(shell.window, "recorder grown near the screen's edge", whole=True)
        shot(shell.window, "recorder-problem")
        shell.window.set_problem("")

    @step
    def settings() -> None:
        shell.open_settings()

    @step
    def settings_shown() -> None:
        dialog = shell.settings_dialog
        assert dialog is not None
        check(dialog, "settings")
        shot(dialog, "settings")
        dialog.keys_form.advanced_toggle.setChecked(True)
        dialog.keys_form._show(__import__("capdesk.ui.keycheck", fromlist=["KeyResult"])
                               .KeyResult(False, "Cannot reach Cap: connection refused. "
                                                 "Check your internet connection and the "
                                                 "server URL in settings."))

    @step
    def settings_grown() -> None:
        dialog = shell.settings_dialog
        assert dialog is not None
        check(dialog, "settings with Advanced and an error", whole=True)
        shot(dialog, "settings-advanced")
        for index in range(dialog.tabs.count()):
            dialog.tabs.setCurrentIndex(index)
            app.processEvents()
            check(dialog, f"settings tab {index}")
        dialog.tabs.setCurrentIndex(3)
        app.processEvents()
        shot(dialog, "settings-general")
        dialog.reject()
        shell.open_welcome()

    @step
    def welcome_shown() -> None:
        assert shell.welcome is not None
        check(shell.welcome, "welcome", whole=True)
        shot(shell.welcome, "welcome")
        shell.welcome.reject()
        shell.open_library()

    @step
    def library_shown() -> None:
        check(shell.library, "library")
        shell.library.close()

    def run(index: int = 0) -> None:
        if index == len(steps):
            shell.shutdown()
            print(json.dumps({"scale": scale, "screen": [room.width(), room.height()],
                              "checked": checked, "problems": problems}))
            app.quit()
            return
        try:
            steps[index]()
        except Exception as exc:  # reported, so the test shows it
            problems.append(f"step {steps[index].__name__} failed: {exc!r}")
        QTimer.singleShot(350, lambda: run(index + 1))

    shell.start()
    QTimer.singleShot(800, run)
    QApplication.exec()
    return 0


if __name__ == "__main__":
    sys.exit(main())
