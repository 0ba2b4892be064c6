"""Global shortcuts: parsing everywhere; the X11 grab for real on Xvfb with xdotool."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PySide6.QtGui import QGuiApplication

from capdesk.ui import hotkeys
from capdesk.ui.controller import Phase
from capdesk.ui.hotkeys import Chord, ChordError, parse
from capdesk.ui.shell import Shell
from tests.fakecap.fixtures import CapApp


@pytest.mark.parametrize(("text", "mods", "key"), [
    ("Ctrl+Shift+R", {"ctrl", "shift"}, "r"),
    ("Meta+Alt+5", {"meta", "alt"}, "5"),
    ("F9", set(), "f9"),
    ("ctrl+PgDown", {"ctrl"}, "pgdown"),
])
def test_parse(text: str, mods: set[str], key: str) -> None:
    assert parse(text) == Chord(frozenset(mods), key)


@pytest.mark.parametrize("text", ["", "R", "Ctrl+", "Ctrl+Shift", "Hyper+R", "Ctrl+R, Ctrl+S",
                                  "Ctrl+é"])
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ChordError):
        parse(text)


def test_keysyms_and_virtual_keys() -> None:
    assert parse("Ctrl+R").keysym == ord("r") and parse("Ctrl+R").virtual_key == ord("R")
    assert parse("F1").keysym == 0xFFBE and parse("F1").virtual_key == 0x70
    assert parse("Ctrl+Space").keysym == 0x20


def _x11() -> hotkeys.Hotkeys:
    if QGuiApplication.platformName() != "xcb" or shutil.which("xdotool") is None:
        pytest.skip("needs X11 and xdotool")
    backend = hotkeys.create()
    if not backend.available:
        pytest.skip(backend.reason)
    return backend


def press(keys: str) -> None:
    subprocess.run(["xdotool", "key", "--clearmodifiers", keys], check=True, timeout=10)


@pytest.mark.display
def test_x11_grab_fires_with_and_without_num_lock(qtbot, qapp: object) -> None:
    backend = _x11()
    try:
        assert backend.bind({"record": "Ctrl+Shift+F9", "pause": "Ctrl+Shift+F10"}) == []
        with qtbot.waitSignal(backend.triggered, timeout=5_000) as blocker:
            press("ctrl+shift+F9")
        assert blocker.args == ["record"]
        with qtbot.waitSignal(backend.triggered, timeout=5_000) as blocker:
            press("ctrl+shift+F10")
        assert blocker.args == ["pause"]
        # Rebinding drops the old grab.
        assert backend.bind({"record": "Ctrl+Alt+F8"}) == []
        with qtbot.assertNotEmitted(backend.triggered, wait=300):
            press("ctrl+shift+F9")
    finally:
        backend.close()


@pytest.mark.display
def test_x11_reports_a_shortcut_another_program_holds(qtbot, qapp: object) -> None:
    first, second = _x11(), _x11()
    try:
        assert first.bind({"record": "Ctrl+Alt+F7"}) == []
        problems = second.bind({"record": "Ctrl+Alt+F7"})
        assert problems and "already used by another program" in problems[0]
    finally:
        first.close()
        second.close()


@pytest.mark.display
def test_the_record_shortcut_starts_and_stops_a_recording(
        qtbot, cap_app: CapApp, connect_to, make_shell) -> None:
    _x11().close()
    connect_to(cap_app, secret=False)
    shell: Shell = make_shell(use_hotkeys=True)
    shell.settings.hotkey_record = "Ctrl+Shift+F11"
    shell.settings.hotkey_pause = "Ctrl+Shift+F12"
    shell.start()
    assert shell.hotkey_problems == []
    shell.settings.countdown = 0
    press("ctrl+shift+F11")
    qtbot.waitUntil(lambda: shell.controller.phase == Phase.RECORDING, timeout=20_000)
    press("ctrl+shift+F12")
    qtbot.waitUntil(lambda: shell.controller.phase == Phase.PAUSED, timeout=5_000)
    press("ctrl+shift+F12")
    qtbot.waitUntil(lambda: shell.controller.phase == Phase.RECORDING, timeout=5_000)
    start = shell.controller.elapsed()
    qtbot.waitUntil(lambda: shell.controller.elapsed() > start + 0.5, timeout=10_000)
    with qtbot.waitSignal(shell.controller.share_changed, timeout=60_000) as blocker:
        press("ctrl+shift+F11")
    assert blocker.args[0].link == QGuiApplication.clipboard().text()


def test_wayland_and_unsupported_say_why() -> None:
    backend = hotkeys.Unsupported(hotkeys.WAYLAND)
    assert backend.bind({"record": "Ctrl+Shift+R"}) == [hotkeys.WAYLAND]
    assert "Wayland" in backend.reason and not backend.available
