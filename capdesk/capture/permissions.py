"""macOS Screen Recording permission: check it, ask for it, say where to grant it.

No Qt and no third-party package: CoreGraphics through ctypes. ``doctor`` reports
it; asking before the first recording (``request_screen_recording`` and a screen
with a button to ``open_settings``) is wired into the app by the packaging work;
see packaging/README.md ("macOS: Screen Recording permission").

Without the permission macOS does not refuse the capture: the grab succeeds but
shows only the desktop background and the menu bar, without any window. So the
check must happen before recording, not after a failed grab.

    status = screen_recording_status()
    if status is Status.DENIED:
        request_screen_recording()   # first time: macOS shows its own prompt
        print(GRANT_HINT)            # or a dialog with a button calling open_settings()
"""

from __future__ import annotations

import ctypes
import ctypes.util
import enum
import subprocess
import sys

SETTINGS_URL = "x-apple.systempreferences:com.apple.preference.security?Privacy_ScreenCapture"
GRANT_HINT = (
    "capdesk is not allowed to record the screen. Open System Settings > Privacy & "
    "Security > Screen & System Audio Recording (Screen Recording before macOS 15), "
    "turn capdesk on, then quit and reopen capdesk."
)
_COREGRAPHICS = "/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics"


class Status(enum.Enum):
    GRANTED = "granted"
    DENIED = "denied"
    UNKNOWN = "unknown"  # not macOS, or a macOS without the call (before 10.15: no check)


def _coregraphics() -> ctypes.CDLL | None:
    if sys.platform != "darwin":
        return None
    path = ctypes.util.find_library("CoreGraphics") or _COREGRAPHICS
    try:
        return ctypes.CDLL(path)
    except OSError:
        return None


def screen_recording_status() -> Status:
    """Whether this app may capture other windows; never shows a prompt."""
    lib = _coregraphics()
    preflight = getattr(lib, "CGPreflightScreenCaptureAccess", None) if lib else None
    if preflight is None:
        return Status.UNKNOWN
    preflight.restype = ctypes.c_bool
    preflight.argtypes = []
    return Status.GRANTED if preflight() else Status.DENIED


def request_screen_recording() -> bool:
    """Ask macOS for the permission. The first call shows the system prompt and adds
    the app to the list in System Settings; later calls only return the answer. The
    grant takes effect after the app restarts."""
    lib = _coregraphics()
    request = getattr(lib, "CGRequestScreenCaptureAccess", None) if lib else None
    if request is None:
        return False
    request.restype = ctypes.c_bool
    request.argtypes = []
    return bool(request())


def open_settings() -> bool:
    """Open the Screen Recording pane of System Settings."""
    if sys.platform != "darwin":
        return False
    return subprocess.run(["open", SETTINGS_URL], check=False).returncode == 0


def doctor_line() -> tuple[str, bool, str]:
    """A ``capdesk doctor`` check: ``(name, ok, detail)``."""
    status = screen_recording_status()
    if status is Status.DENIED:
        return "screen recording", False, GRANT_HINT
    if status is Status.GRANTED:
        return "screen recording", True, "allowed"
    return "screen recording", True, "no permission needed here"
