"""The macOS Screen Recording screen (capdesk/ui/screen_permission.py), on Xvfb. The machine
is not macOS: ``permissions.mac`` gets a fake of the three macOS calls (CoreGraphics and
`open` exist only there), which makes the real module behave as on macOS."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from capdesk.capture import permissions
from capdesk.ui.screen_permission import (
    NOT_OPENED_NOTE,
    OPENED_NOTE,
    ScreenPermissionDialog,
    ensure_screen_permission,
)
from tests.unit.test_screen_permission import FakeMac

SETTINGS_CALL = f"open {permissions.SETTINGS_URL}"


@pytest.fixture
def mac(monkeypatch: pytest.MonkeyPatch) -> FakeMac:
    fake = FakeMac()
    monkeypatch.setattr(permissions, "mac", fake)
    return fake


def when_shown(qtbot, act: Callable[[ScreenPermissionDialog], None]) -> list[str]:
    """Run ``act`` on the dialog once it is up (it is modal: exec() returns after it).
    Returns what was seen, to assert on after exec() returned."""
    seen: list[str] = []

    def poll() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ScreenPermissionDialog) or not dialog.isVisible():
            QTimer.singleShot(20, poll)
            return
        seen.append("shown")
        act(dialog)

    QTimer.singleShot(0, poll)
    return seen


def test_off_macos_it_shows_nothing_and_goes_on(qapp: object) -> None:
    assert permissions.mac is None  # this machine is not macOS
    assert ensure_screen_permission(None) is True
    assert QApplication.activeModalWidget() is None


def test_with_the_permission_it_goes_on_silently(qapp: object, mac: FakeMac) -> None:
    mac.granted = True
    assert ensure_screen_permission(None) is True
    assert mac.calls == ["preflight"]


def test_without_it_asks_macos_shows_the_screen_and_stops(
        qapp: object, qtbot, mac: FakeMac) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    notes: list[str] = []

    def act(dialog: ScreenPermissionDialog) -> None:
        assert dialog.isModal() and dialog.parentWidget() is parent
        notes.append(dialog.note.text())
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
        notes.append(dialog.note.text())
        notes.append(dialog.close_button.text())
        assert dialog.isVisible(), "opening System Settings must not close the screen"
        qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)

    seen = when_shown(qtbot, act)
    assert ensure_screen_permission(parent) is False
    assert seen == ["shown"]
    # asked first (the system prompt), then the pane opened by the button
    assert mac.calls == ["preflight", "request", SETTINGS_CALL]
    assert "its own prompt" in notes[0]
    assert notes[1:] == [OPENED_NOTE, "Close"]


def test_closing_without_opening_settings_still_stops(qapp: object, qtbot, mac: FakeMac) -> None:
    seen = when_shown(qtbot, lambda dialog: dialog.reject())
    assert ensure_screen_permission(None) is False
    assert seen == ["shown"] and mac.calls == ["preflight", "request"]


def test_says_so_when_system_settings_does_not_open(qapp: object, qtbot, mac: FakeMac) -> None:
    mac.opens = False
    dialog = ScreenPermissionDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.note.isVisible()
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert dialog.note.isVisible() and dialog.note.text() == NOT_OPENED_NOTE
    assert dialog.note.property("role") == "error"
    assert dialog.close_button.text() == "Not now"
    assert mac.calls == [SETTINGS_CALL]
