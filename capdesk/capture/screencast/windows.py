"""The windows that can be recorded: ``list_windows()`` and ``find_window(query)``.

On X11 they come from the window manager's client list (``x11_windows``: no Qt, a few
milliseconds), with an id that the capture worker hands to ``QWindow.fromWinId``. On
Windows and macOS they come from Qt itself (``QWindowCapture.capturableWindows()``,
asked in a short-lived worker process), which gives only titles: there a window's id
is its title. On Wayland no window can be listed or captured on its own (Qt's portal
path captures screens only): ``CaptureError`` says so and what to do instead.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from capdesk.capture.session import is_wayland
from capdesk.capture.sources import CaptureError

LIST_TIMEOUT = 15.0
WAYLAND_WINDOWS = (
    "single windows cannot be recorded on Wayland: record the screen instead (the "
    "desktop asks which screen to share)")


@dataclass(frozen=True)
class WindowInfo:
    """One window that can be recorded."""

    id: str  # X11: the window's id in hex; elsewhere: its title
    title: str
    app: str  # the application's name where the OS says it ("" where not)
    width: int
    height: int
    x: int = 0
    y: int = 0

    @property
    def label(self) -> str:
        """How people see it in a list: "Title — App"."""
        return f"{self.title} — {self.app}" if self.app else self.title


def uses_x11(platform: str | None = None) -> bool:
    platform = sys.platform if platform is None else platform
    return platform.startswith("linux") and not is_wayland(os.environ)


def list_windows(*, include_own: bool = False) -> list[WindowInfo]:
    """The windows that can be recorded here, oldest first, without this process's own
    (the app's) unless ``include_own``; CaptureError with a sentence for people when they
    cannot be listed (Wayland, no display)."""
    if sys.platform.startswith("linux"):
        if is_wayland(os.environ):
            raise CaptureError(WAYLAND_WINDOWS)
        if not os.environ.get("DISPLAY"):
            raise CaptureError("no display: DISPLAY is unset, so there is no window to record")
        from capdesk.capture.screencast import x11_windows

        try:
            found = x11_windows.list_x11_windows()
        except x11_windows.X11Unavailable as exc:
            raise CaptureError(f"the windows cannot be listed: {exc}") from exc
        own = None if include_own else os.getpid()
        return [WindowInfo(hex(w.id), w.title, w.app, w.width, w.height, w.x, w.y)
                for w in found if own is None or w.pid != own]
    return _list_through_qt()


def _list_through_qt() -> list[WindowInfo]:
    from capdesk.capture.camera import protocol
    from capdesk.capture.screencast import CAPTURE_WORKER_SWITCH, WORKER_MODULE

    try:
        windows = protocol.run_listing(["--list-windows"], "windows", what="windows",
                                       timeout=LIST_TIMEOUT, module=WORKER_MODULE,
                                       switch=CAPTURE_WORKER_SWITCH)
    except protocol.ListingFailed as exc:
        raise CaptureError(str(exc)) from exc
    return [WindowInfo(str(w.get("title", "")), str(w.get("title", "")), "",
                       int(w.get("width") or 0), int(w.get("height") or 0)) for w in windows]


def find_window(query: str, windows: list[WindowInfo]) -> WindowInfo:
    """The window ``query`` names: an id, an exact title, else the one title that contains
    it (case-insensitively). CaptureError saying which windows there are, or which ones
    match, when none or several do."""
    wanted = query.strip()
    if not wanted:
        raise CaptureError("no window given: name one by its title or id (capdesk windows)")
    for window in windows:
        if window.id == wanted or _same_id(window.id, wanted):
            return window
    exact = [w for w in windows if w.title == wanted]
    if len(exact) == 1:
        return exact[0]
    folded = wanted.casefold()
    matches = exact or [w for w in windows if folded in w.title.casefold()]
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = "; ".join(f"{w.id} {w.title!r}" for w in matches[:8])
        raise CaptureError(f"{len(matches)} windows match {query!r}: give its id ({listed})")
    known = "; ".join(repr(w.title) for w in windows[:8]) or "none"
    raise CaptureError(f"there is no window {query!r} (windows here: {known})")


def _same_id(window_id: str, wanted: str) -> bool:
    """X11 ids are shown in hex but may be given in decimal too (xdotool prints decimal)."""
    try:
        return int(window_id, 0) == int(wanted, 0)
    except ValueError:
        return False
