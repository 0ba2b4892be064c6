"""Has anything on an X11 screen changed since we last looked? (the DAMAGE extension)

On a still desktop most grabs are byte-identical to the one before. X tells us for
free when something was drawn: one DAMAGE object on the root window in
``XDamageReportNonEmpty`` mode sends one event when its region goes from empty to
not empty, and ``XDamageSubtract`` empties it again. Asking costs about 0.2 ms a
tick, less than a grab and a comparison together. The pointer moving draws nothing
X reports (the cursor is an overlay), so its position is asked too: a moved
pointer counts as a change, as mss draws the cursor into the frame.

Order per tick: read the events, empty the region, then grab. Something drawn after
the region was emptied raises a new event, so the next tick grabs again: a change is
never lost, at worst one extra grab is made. Used from one thread (the capture thread).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
from typing import Any

log = logging.getLogger(__name__)

_REPORT_NON_EMPTY = 3  # XDamageReportNonEmpty
_DAMAGE_NOTIFY = 0  # XDamageNotify, added to the extension's event base


class _XEvent(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("pad", ctypes.c_long * 24)]


class DamageWatcher:
    """``changed()`` is True when the screen (or the pointer) changed since the last call.

    ``DamageWatcher.open()`` returns None where DAMAGE cannot be used (not X11, no
    libXdamage, an X server without the extension): then every tick counts as a change
    and the frame comparison alone spots still frames.
    """

    def __init__(self, x11: Any, xdamage: Any, display: int, damage: int, event_base: int,
                 root: int) -> None:
        self._x11 = x11
        self._xdamage = xdamage
        self._display = display
        self._damage = damage
        self._event_base = event_base
        self._root = root
        self._event = _XEvent()
        self._pointer: tuple[int, int] | None = None
        self._first = True

    @classmethod
    def open(cls) -> DamageWatcher | None:
        if not sys.platform.startswith("linux"):
            return None
        try:
            x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
            xdamage = ctypes.CDLL(ctypes.util.find_library("Xdamage") or "libXdamage.so.1")
        except OSError as exc:
            log.info("no XDamage (%s): every tick grabs and compares", exc)
            return None
        x11.XOpenDisplay.restype = ctypes.c_void_p
        x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        x11.XDefaultRootWindow.restype = ctypes.c_ulong
        x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        x11.XPending.argtypes = [ctypes.c_void_p]
        x11.XNextEvent.argtypes = [ctypes.c_void_p, ctypes.c_void_p]
        x11.XFlush.argtypes = [ctypes.c_void_p]
        x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
        x11.XQueryPointer.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_uint)]
        xdamage.XDamageQueryExtension.argtypes = [
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)]
        xdamage.XDamageCreate.restype = ctypes.c_ulong
        xdamage.XDamageCreate.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int]
        xdamage.XDamageSubtract.argtypes = [
            ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
        xdamage.XDamageDestroy.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
        display = x11.XOpenDisplay(None)
        if not display:
            return None
        event_base, error_base = ctypes.c_int(), ctypes.c_int()
        if not xdamage.XDamageQueryExtension(display, ctypes.byref(event_base),
                                             ctypes.byref(error_base)):
            log.info("the X server has no DAMAGE extension: every tick grabs and compares")
            x11.XCloseDisplay(display)
            return None
        root = x11.XDefaultRootWindow(display)
        damage = xdamage.XDamageCreate(display, root, _REPORT_NON_EMPTY)
        x11.XFlush(display)
        return cls(x11, xdamage, display, damage, event_base.value, root)

    def changed(self) -> bool:
        """Anything drawn, or the pointer moved, since the last call (the first: True)."""
        drawn = self._first
        self._first = False
        notify = self._event_base + _DAMAGE_NOTIFY
        while self._x11.XPending(self._display):
            self._x11.XNextEvent(self._display, ctypes.byref(self._event))
            if self._event.type == notify:
                drawn = True
        if drawn:
            self._xdamage.XDamageSubtract(self._display, self._damage, 0, 0)
            self._x11.XFlush(self._display)
        pointer = self._pointer_position()
        moved = pointer != self._pointer
        self._pointer = pointer
        return drawn or moved

    def _pointer_position(self) -> tuple[int, int] | None:
        root, child = ctypes.c_ulong(), ctypes.c_ulong()
        x, y, wx, wy = ctypes.c_int(), ctypes.c_int(), ctypes.c_int(), ctypes.c_int()
        mask = ctypes.c_uint()
        if not self._x11.XQueryPointer(
                self._display, self._root, ctypes.byref(root), ctypes.byref(child),
                ctypes.byref(x), ctypes.byref(y), ctypes.byref(wx), ctypes.byref(wy),
                ctypes.byref(mask)):
            return None
        return x.value, y.value

    def close(self) -> None:
        if self._display:
            self._xdamage.XDamageDestroy(self._display, self._damage)
            self._x11.XCloseDisplay(self._display)
            self._display = 0
