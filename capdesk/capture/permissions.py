"""macOS Screen Recording permission: check it, ask for it, say where to grant it.

No Qt and no third-party package: CoreGraphics through ctypes. Without the permission
macOS does not refuse a capture: the grab succeeds but shows only the desktop
background and the menu bar, without any window. So the check happens before
recording, never after a failed grab:

- ``check_before_recording(source)`` is the decision: go on, or not (it asks macOS
  for the permission when it is missing: the system prompt, the first time only);
- the app shows ``capdesk/ui/screen_permission.py``'s screen when the answer is no
  (``ensure_screen_permission``), with a button calling ``open_settings()``;
- ``capdesk record`` stops before creating anything with ``refusal(source)``'s error
  (exit code 7, ``exitcodes.NOT_CONFIGURED``);
- ``capdesk doctor`` reports ``doctor_line()`` (it never asks).

A grant takes effect after the app restarts, and it is tied to the code signature: an
unsigned or ad-hoc-signed build loses it with every rebuild. Off macOS (and on a macOS
before 10.15, which has no such permission) everything here says "go on".

The three macOS calls go through ``mac``, one object. Tests running off macOS put a
fake there (CoreGraphics and ``open`` exist only on macOS); the app never does.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import enum
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from capdesk import exitcodes
from capdesk.errors import CapdeskError

SETTINGS_URL = "x-apple.systempreferences:com.apple.preference.security?Privacy_ScreenCapture"
PANE = ("System Settings > Privacy & Security > Screen & System Audio Recording "
        "(Screen Recording before macOS 15)")
GRANT_HINT = (
    f"capdesk is not allowed to record the screen. Open {PANE}, turn capdesk on, then "
    "quit and reopen capdesk."
)
# From a terminal, macOS asks on behalf of the terminal app, and lists that one.
CLI_HINT = (
    "Screen recording is not allowed for capdesk (macOS would record only the desktop "
    f"background). Open {PANE}, turn on the app you run capdesk from (your terminal, or "
    "capdesk), then quit and reopen that app and run this again."
)
# The sources macOS guards with this permission (capdesk.capture.kinds.SourceKind values).
SCREEN_SOURCES = frozenset({"screen", "window"})
_COREGRAPHICS = "/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics"


class Status(enum.Enum):
    GRANTED = "granted"
    DENIED = "denied"
    UNKNOWN = "unknown"  # not macOS, or a macOS without the call (before 10.15: no check)


class MacCalls(Protocol):
    """The macOS calls this module makes."""

    def preflight(self) -> bool | None:
        """CGPreflightScreenCaptureAccess (no prompt); None when the call is missing."""

    def request(self) -> bool | None:
        """CGRequestScreenCaptureAccess (the prompt, first time); None when missing."""

    def open_url(self, url: str) -> bool:
        """`open URL`: True when it ran."""


class CoreGraphicsCalls:
    """The real calls: CoreGraphics through ctypes, and ``open``. macOS only."""

    def __init__(self) -> None:
        self._lib: ctypes.CDLL | None = None
        self._loaded = False

    def _function(self, name: str) -> Callable[[], object] | None:
        if not self._loaded:
            self._loaded = True
            path = ctypes.util.find_library("CoreGraphics") or _COREGRAPHICS
            try:
                self._lib = ctypes.CDLL(path)
            except OSError:
                self._lib = None
        function = getattr(self._lib, name, None) if self._lib is not None else None
        if function is not None:
            function.restype = ctypes.c_bool
            function.argtypes = []
        return function

    def preflight(self) -> bool | None:
        function = self._function("CGPreflightScreenCaptureAccess")
        return None if function is None else bool(function())

    def request(self) -> bool | None:
        function = self._function("CGRequestScreenCaptureAccess")
        return None if function is None else bool(function())

    def open_url(self, url: str) -> bool:
        try:
            return subprocess.run(["open", url], check=False).returncode == 0
        except OSError:
            return False


# The macOS calls, or None off macOS (where nothing here applies).
mac: MacCalls | None = CoreGraphicsCalls() if sys.platform == "darwin" else None


class ScreenPermissionError(CapdeskError):
    """macOS does not let capdesk record the screen (it would record only the wallpaper)."""

    exit_code = exitcodes.NOT_CONFIGURED


@dataclass(frozen=True)
class Verdict:
    """What to do before a recording."""

    allowed: bool  # go on recording
    status: Status  # the permission before asking
    asked: bool = False  # macOS was asked for it now (its prompt shows the first time)


def applies() -> bool:
    """Is there a Screen Recording permission to care about here (macOS)?"""
    return mac is not None


def screen_recording_status() -> Status:
    """Whether this app may capture other windows; never shows a prompt."""
    calls = mac
    granted = calls.preflight() if calls is not None else None
    if granted is None:
        return Status.UNKNOWN
    return Status.GRANTED if granted else Status.DENIED


def request_screen_recording() -> bool:
    """Ask macOS for the permission. The first call shows the system prompt and adds
    the app to the list in System Settings; later calls only return the answer. The
    grant takes effect after the app restarts."""
    calls = mac
    return bool(calls.request()) if calls is not None else False


def open_settings() -> bool:
    """Open the Screen Recording pane of System Settings."""
    calls = mac
    return calls.open_url(SETTINGS_URL) if calls is not None else False


def check_before_recording(source: str = "screen") -> Verdict:
    """Before recording ``source``: may it go on? Only captures of the screen need the
    permission; when it is missing, macOS is asked for it (which shows its prompt the
    first time and lists capdesk in System Settings), and the answer is no unless that
    granted it at once (a grant usually needs a restart)."""
    if source not in SCREEN_SOURCES:
        return Verdict(allowed=True, status=Status.UNKNOWN)
    status = screen_recording_status()
    if status is not Status.DENIED:
        return Verdict(allowed=True, status=status)
    return Verdict(allowed=request_screen_recording(), status=status, asked=True)


def refusal(source: str) -> ScreenPermissionError | None:
    """For the command line: the error that stops recording ``source`` before anything
    is created, or None to go on (``check_before_recording``)."""
    if check_before_recording(source).allowed:
        return None
    return ScreenPermissionError(CLI_HINT)


def doctor_line() -> tuple[str, bool, str]:
    """A ``capdesk doctor`` check: ``(name, ok, detail)``."""
    status = screen_recording_status()
    if status is Status.DENIED:
        return "screen recording", False, GRANT_HINT
    if status is Status.GRANTED:
        return "screen recording", True, "allowed"
    return "screen recording", True, "no permission needed here"
