"""Keep a window (the recording bar) out of screen recordings, where the OS allows.

- Windows 10 2004+: ``SetWindowDisplayAffinity(hwnd, WDA_EXCLUDEFROMCAPTURE)``:
  the window is visible on screen but absent from every capture, ours included.
- macOS: ``NSWindow.sharingType = NSWindowSharingNone`` (through the Objective-C
  runtime with ctypes; Qt's ``winId()`` is the NSView).
- X11: not possible. The X server has no per-window capture exclusion; a grab of
  the root window (what mss and x11grab do) contains every mapped window. The
  bar then sits in the recording; pick an area or a screen without it, or
  place it on another monitor.
- Wayland: the compositor decides; Qt cannot ask.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys

log = logging.getLogger(__name__)

WDA_EXCLUDEFROMCAPTURE = 0x11
NS_WINDOW_SHARING_NONE = 0

X11_NOTE = ("On X11 the recording bar cannot be hidden from the recording "
            "(X has no way to exclude a window from screen capture).")


def exclude_from_capture(win_id: int) -> tuple[bool, str]:
    """Try to hide the native window ``win_id`` from captures: (done, explanation)."""
    try:
        if sys.platform == "win32":
            return _windows(win_id)
        if sys.platform == "darwin":
            return _macos(win_id)
    except (OSError, AttributeError, ValueError) as exc:
        log.info("could not exclude the window from capture: %s", exc)
        return False, f"The recording bar may appear in the recording ({exc})."
    return False, X11_NOTE


def _windows(hwnd: int) -> tuple[bool, str]:
    user32 = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
    user32.SetWindowDisplayAffinity.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    user32.SetWindowDisplayAffinity.restype = ctypes.c_int
    if user32.SetWindowDisplayAffinity(ctypes.c_void_p(hwnd), WDA_EXCLUDEFROMCAPTURE):
        return True, "The recording bar is hidden from the recording."
    error = ctypes.get_last_error()  # type: ignore[attr-defined]
    return False, f"Windows could not hide the recording bar from captures (error {error})."


def _macos(view: int) -> tuple[bool, str]:
    path = ctypes.util.find_library("objc")
    if not path:
        return False, "The Objective-C runtime was not found."
    objc = ctypes.cdll.LoadLibrary(path)
    objc.sel_registerName.restype = ctypes.c_void_p
    objc.sel_registerName.argtypes = [ctypes.c_char_p]
    send = objc.objc_msgSend
    send.restype = ctypes.c_void_p
    send.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
    window = send(ctypes.c_void_p(view), objc.sel_registerName(b"window"))
    if not window:
        return False, "The recording bar has no native window yet."
    set_sharing = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_ulong)(
        ("objc_msgSend", objc))
    set_sharing(window, objc.sel_registerName(b"setSharingType:"), NS_WINDOW_SHARING_NONE)
    return True, "The recording bar is hidden from the recording."
