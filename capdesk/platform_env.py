"""What kind of desktop session this is, without importing Qt."""

from __future__ import annotations

import os
import sys

NO_DISPLAY = (
    "No display was found (DISPLAY and WAYLAND_DISPLAY are unset), so the desktop app "
    "cannot open; to record without a window, run: capdesk record --source synthetic"
)


def display_available() -> bool:
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def is_wayland_session() -> bool:
    return bool(
        os.environ.get("WAYLAND_DISPLAY") or os.environ.get("XDG_SESSION_TYPE") == "wayland"
    )
