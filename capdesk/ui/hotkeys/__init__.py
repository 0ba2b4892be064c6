"""Global shortcuts (start/stop, pause) behind one small interface.

``create(parent)`` picks the backend for this session:

- X11: ``XGrabKey`` on the root window, through xcb with ctypes (``x11.py``);
- Windows: ``RegisterHotKey`` on a message thread (``windows.py``);
- Wayland: impossible by design (a client cannot grab keys); macOS: not built
  yet. Both get :class:`Unsupported`, whose ``reason`` the Settings page shows.

A backend emits ``triggered(action)`` on the GUI thread, where ``action`` is a
key of the bindings passed to ``bind``.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication

from capdesk.platform_env import is_wayland_session
from capdesk.ui.hotkeys.chords import Chord, ChordError, parse


class Hotkeys(QObject):
    """The interface. ``bind`` replaces every binding; it returns problems, one per line."""

    triggered = Signal(str)
    available = False
    reason = ""

    def bind(self, bindings: dict[str, str]) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        """Release every grab."""


class Unsupported(Hotkeys):
    def __init__(self, reason: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reason = reason

    def bind(self, bindings: dict[str, str]) -> list[str]:
        return [self.reason] if any(bindings.values()) else []


WAYLAND = ("Global shortcuts are not possible on Wayland: the compositor does not let apps "
           "grab keys. Use the tray menu, or your desktop's own shortcut settings to run "
           "`capdesk` (a second launch reaches the running app).")
MACOS = ("Global shortcuts are not available on macOS yet; use the menu bar icon.")


def create(parent: QObject | None = None) -> Hotkeys:
    platform = QGuiApplication.platformName()
    if sys.platform == "win32":
        from capdesk.ui.hotkeys.windows import WindowsHotkeys

        return WindowsHotkeys(parent)
    if sys.platform == "darwin":
        return Unsupported(MACOS, parent)
    if platform == "xcb":
        from capdesk.ui.hotkeys.x11 import X11Hotkeys, X11Unavailable

        try:
            return X11Hotkeys(parent)
        except X11Unavailable as exc:
            return Unsupported(f"Global shortcuts are unavailable: {exc}", parent)
    if is_wayland_session() or platform.startswith("wayland"):
        return Unsupported(WAYLAND, parent)
    return Unsupported(f"Global shortcuts are not supported on the {platform} platform.",
                       parent)


__all__ = ["Chord", "ChordError", "Hotkeys", "Unsupported", "create", "parse"]
