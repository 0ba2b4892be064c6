"""The tray icon against a real tray host on the X display (trayer, an XEmbed tray)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QSystemTrayIcon

from capdesk.ui.artwork import TrayState
from capdesk.ui.controller import Phase
from capdesk.ui.share import Share
from capdesk.ui.shell import Shell
from capdesk.ui.tray import Tray
from tests.fakecap.fixtures import CapApp

pytestmark = pytest.mark.display


@pytest.fixture(scope="module")
def tray_host(qapp: object) -> Iterator[None]:
    if QGuiApplication.platformName() != "xcb":
        pytest.skip("the tray host test runs on X11")
    if QSystemTrayIcon.isSystemTrayAvailable():  # a desktop already has one
        yield
        return
    program = shutil.which("trayer")
    if program is None:
        pytest.skip("no tray host: install Debian's trayer package (apt-get install trayer)")
    host = subprocess.Popen([program, "--edge", "bottom", "--align", "right", "--width", "10",
                             "--height", "32", "--SetDockType", "true"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not QSystemTrayIcon.isSystemTrayAvailable() and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.05)
    try:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            pytest.skip("trayer started but Qt sees no system tray")
        yield
    finally:
        host.terminate()
        host.wait(10)


def state_of(tray: Tray) -> TrayState:
    """The icon's state now. Read through a call: after a plain ``assert tray.state == ...``
    mypy would keep that narrowing across the actions that change the state."""
    return tray.state


def _balloons() -> list[str]:
    return [w.metaObject().className() for w in QApplication.topLevelWidgets()
            if w.isVisible() and "Balloon" in w.metaObject().className()]


def test_tray_records_stops_and_lists_recent_links(
        qtbot, tray_host: None, cap_app: CapApp, connect_to, make_shell) -> None:
    connect_to(cap_app, secret=False)
    shell: Shell = make_shell(use_tray=True)
    shell.start()
    shell.settings.countdown = 0
    tray = shell.tray
    assert tray is not None, "a tray host runs, so the app must put an icon in it"
    qtbot.waitUntil(lambda: tray.icon.geometry().width() > 0, timeout=5_000)  # embedded
    assert state_of(tray) == TrayState.IDLE
    assert not shell.window.quit_on_close  # closing the window keeps the app in the tray

    tray.recent_menu.aboutToShow.emit()
    assert [a.text() for a in tray.recent_menu.actions()] == ["No recordings yet"]

    tray.act_screen.trigger()
    qtbot.waitUntil(lambda: shell.controller.phase == Phase.RECORDING, timeout=20_000)
    assert state_of(tray) == TrayState.RECORDING
    assert tray.act_stop.isVisible() and tray.act_pause.isVisible()
    assert not tray.act_screen.isVisible()
    tray.act_pause.trigger()
    assert state_of(tray) == TrayState.PAUSED and tray.act_pause.text() == "Resume"
    tray.act_pause.trigger()
    start = shell.controller.elapsed()
    qtbot.waitUntil(lambda: shell.controller.elapsed() > start + 1.0, timeout=20_000)
    with qtbot.waitSignal(shell.controller.share_changed, timeout=60_000) as blocker:
        tray.act_stop.trigger()
    link = blocker.args[0].link
    assert link and QGuiApplication.clipboard().text() == link
    assert state_of(tray) == TrayState.IDLE
    qtbot.waitUntil(lambda: bool(_balloons()), timeout=5_000)  # "Your link is ready"

    QGuiApplication.clipboard().setText("")
    tray.recent_menu.aboutToShow.emit()
    recent = tray.recent_menu.actions()
    assert len(recent) == 1 and recent[0].data() == link
    recent[0].trigger()
    assert QGuiApplication.clipboard().text() == link


def test_closing_the_window_says_once_that_the_app_keeps_running(
        qtbot, tray_host: None, make_shell, monkeypatch: pytest.MonkeyPatch) -> None:
    shell: Shell = make_shell(use_tray=True)
    shell.start()
    tray = shell.tray
    assert tray is not None
    told: list[str] = []
    monkeypatch.setattr(tray, "notify", lambda title, message: told.append(message))
    qtbot.waitExposed(shell.window)
    shell.window.close()
    assert not shell.window.isVisible() and shell.controller.phase == Phase.IDLE
    assert len(told) == 1 and "keeps running in the tray" in told[0]
    assert shell.settings.told_about_tray
    shell.window.bring_to_front()
    shell.window.close()
    assert len(told) == 1  # once


def record_from_tray(qtbot, shell: Shell, tray: Tray) -> Share:
    """Half a second recorded from the tray's Record screen, then Stop: the share."""
    tray.act_screen.trigger()
    qtbot.waitUntil(lambda: shell.controller.phase == Phase.RECORDING, timeout=20_000)
    start = shell.controller.elapsed()
    qtbot.waitUntil(lambda: shell.controller.elapsed() > start + 0.5, timeout=20_000)
    with qtbot.waitSignal(shell.controller.share_changed, timeout=60_000) as blocker:
        tray.act_stop.trigger()
    share: Share = blocker.args[0]
    return share


def test_notify_me_choices_are_followed(
        qtbot, tray_host: None, cap_app: CapApp, connect_to, make_shell,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings' "Notify me": a link ready, a recording or upload that fails; each said
    in a notification only when chosen (the card shows it either way)."""
    connect_to(cap_app, secret=False)
    shell: Shell = make_shell(use_tray=True)
    shell.start()
    shell.settings.countdown = 0
    tray = shell.tray
    assert tray is not None
    told: list[str] = []
    monkeypatch.setattr(tray, "notify", lambda title, message: told.append(title))

    def record_once() -> Share:
        share = record_from_tray(qtbot, shell, tray)
        qtbot.waitUntil(lambda: shell.controller.phase == Phase.IDLE, timeout=20_000)
        qtbot.wait(100)
        return share

    shell.settings.notify_link = False
    assert record_once().link and told == []
    shell.settings.notify_link = True
    assert record_once().link and told == ["Your link is ready"]

    # A key Cap refuses: the recording stays on this computer, which is a problem to tell.
    told.clear()
    monkeypatch.setenv("CAP_PUBLIC_KEY", "cpk_" + "0" * 30)
    shell.settings.notify_problems = False
    share = record_once()
    assert not share.ok and not share.link and told == []
    shell.settings.notify_problems = True
    share = record_once()
    assert not share.ok and told == [share.headline], (told, share.headline)


def test_the_tray_menu_shows_the_balance_read_again_after_an_upload(
        qtbot, tray_host: None, cap_app: CapApp, connect_to, make_shell) -> None:
    connect_to(cap_app)  # with the secret key: the balance is readable

    def dollars() -> str:
        return f"${cap_app.balance / 100_000:,.2f}"  # Cap: 100,000 micro-credits a dollar

    shell: Shell = make_shell(use_tray=True)
    shell.start()
    shell.settings.countdown = 0
    tray = shell.tray
    assert tray is not None
    qtbot.waitUntil(lambda: tray.act_credits.isVisible(), timeout=20_000)
    micro = cap_app.balance
    assert tray.act_credits.text().startswith(f"Cap balance: {dollars()} · ")
    assert tray.act_totals.text().startswith("0 videos")

    assert record_from_tray(qtbot, shell, tray).link
    assert cap_app.balance < micro  # Cap charged the video (less than a cent here)
    # Read again after the upload, without the menu being opened.
    qtbot.waitUntil(lambda: tray.act_totals.text().startswith("1 video "), timeout=20_000)
    assert tray.act_credits.text().startswith(f"Cap balance: {dollars()} · ")
