"""Has anything on an X11 screen changed since we last looked? (the DAMAGE extension)

On a still desktop most grabs are byte-identical to the one before. X tells us for
free when something was drawn: one DAMAGE object on the root window in
``XDamageReportNonEmpty`` mode sends one event when its region goes from empty to
not empty, and ``XDamageSubtract`` empties it again. Asking costs about 0.2 ms a
tick, less than a grab and a comparison together. The pointer moving draws nothing
X reports (the cursor is an overlay), so its position is asked too: a moved
pointer counts as a change, as mss draws the cursor into the frame; so does a new
picture of it (XFixes says so: a busy cursor over a still screen).

Order per tick: read the events, empty the region, then grab. Something drawn after
the region was emptied raises a new event, so the next tick grabs again: a change is
never lost, at worst one extra grab is made. Used from one thread (the capture thread).

Where it was drawn (``grabbed``): the encoder converts only the part of a frame that can
differ from the frame before (``encode.bands``), so after each grab the watcher also
says which box of the screen may have changed since the previous grab. The region is
fetched (``XDamageSubtract`` into an XFixes region, one round trip) before the grab, as
above, and again right after it; a change between two grabs happened after the
fetch that followed the first, so it is inside the union of that fetch, the one before
the second grab and the one after it. The box is that union's bounding box (the pointer
is not in it: the screen source adds where it drew it). Without libXfixes there is no
box (None: the encoder compares rows itself).
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
_CURSOR_NOTIFY = 1  # XFixesCursorNotify, added to XFixes' event base
_DISPLAY_CURSOR_NOTIFY_MASK = 1  # XFixesDisplayCursorNotifyMask


class _XEvent(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("pad", ctypes.c_long * 24)]


class _XRectangle(ctypes.Structure):
    _fields_ = [("x", ctypes.c_short), ("y", ctypes.c_short),
                ("width", ctypes.c_ushort), ("height", ctypes.c_ushort)]


# A box of the screen: (left, top, right, bottom), right and bottom excluded; empty when
# right <= left or bottom <= top.
Box = tuple[int, int, int, int]
EMPTY: Box = (0, 0, 0, 0)


def union(a: Box, b: Box) -> Box:
    if a[2] <= a[0] or a[3] <= a[1]:
        return b
    if b[2] <= b[0] or b[3] <= b[1]:
        return a
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def clip(box: Box, width: int, height: int) -> Box:
    """``box`` inside (0, 0, width, height); EMPTY when nothing of it is."""
    left, top = max(0, box[0]), max(0, box[1])
    right, bottom = min(width, box[2]), min(height, box[3])
    return (left, top, right, bottom) if left < right and top < bottom else EMPTY


class DamageWatcher:
    """``changed()`` is True when the screen (or the pointer) changed since the last call.

    ``DamageWatcher.open()`` returns None where DAMAGE cannot be used (not X11, no
    libXdamage, an X server without the extension): then every tick counts as a change
    and the frame comparison alone spots still frames.
    """

    def __init__(self, x11: Any, xdamage: Any, display: int, damage: int, event_base: int,
                 root: int, xfixes: Any = None, region: int = 0,
                 cursor_event: int = -1) -> None:
        self._x11 = x11
        self._xdamage = xdamage
        self._display = display
        self._damage = damage
        self._event_base = event_base
        self._root = root
        self._event = _XEvent()
        self._pointer: tuple[int, int] | None = None
        self._first = True
        self._xfixes = xfixes
        self._region = region  # an XFixes region the damage is fetched into (0: none)
        self._cursor_event = cursor_event  # XFixesCursorNotify's event type (-1: none)
        self._before: Box | None = EMPTY  # fetched before this grab (None: not known)
        self._after_last: Box | None = None  # fetched after the last grab (None: no grab yet)

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
        x11.XFree.argtypes = [ctypes.c_void_p]
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
        xfixes, region, cursor_event = _open_region(display, root)
        x11.XFlush(display)
        return cls(x11, xdamage, display, damage, event_base.value, root, xfixes, region,
                   cursor_event)

    def changed(self) -> bool:
        """Anything drawn, the pointer moved or changed its picture (a busy cursor, a
        text cursor), since the last call (the first: True)."""
        drawn = self._first
        self._first = False
        cursor = False
        notify = self._event_base + _DAMAGE_NOTIFY
        while self._x11.XPending(self._display):
            self._x11.XNextEvent(self._display, ctypes.byref(self._event))
            if self._event.type == notify:
                drawn = True
            elif self._event.type == self._cursor_event:
                cursor = True
        if drawn:
            self._before = self._take()
        pointer = self._pointer_position()
        moved = pointer != self._pointer
        self._pointer = pointer
        return drawn or moved or cursor

    def grabbed(self) -> Box | None:
        """Call right after a grab (that ``changed`` asked for): the box of the root
        window where something may have been drawn since the grab before, None when it
        cannot be told (the first grab, no XFixes). The pointer is not in it: whoever
        draws it knows where."""
        after = self._take()
        before, self._before = self._before, EMPTY
        after_last, self._after_last = self._after_last, after
        if after is None or after_last is None or before is None:
            return None
        return union(union(after_last, before), after)

    def _take(self) -> Box | None:
        """Empty the damage region; what it held, as a bounding box (None: not known)."""
        if not self._region:
            self._xdamage.XDamageSubtract(self._display, self._damage, 0, 0)
            self._x11.XFlush(self._display)
            return None
        self._xdamage.XDamageSubtract(self._display, self._damage, 0, self._region)
        count, bounds = ctypes.c_int(), _XRectangle()
        rects = self._xfixes.XFixesFetchRegionAndBounds(
            self._display, self._region, ctypes.byref(count), ctypes.byref(bounds))
        if rects:
            self._x11.XFree(rects)
        if count.value == 0 or bounds.width == 0 or bounds.height == 0:
            return EMPTY
        return bounds.x, bounds.y, bounds.x + bounds.width, bounds.y + bounds.height

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
            if self._region:
                self._xfixes.XFixesDestroyRegion(self._display, self._region)
            self._xdamage.XDamageDestroy(self._display, self._damage)
            self._x11.XCloseDisplay(self._display)
            self._display = 0


def _open_region(display: int, root: int) -> tuple[Any, int, int]:
    """libXfixes, an empty region on ``display`` and the event type that says the
    pointer's picture changed (asked for on ``root``), or (None, 0, -1) without them."""
    try:
        xfixes = ctypes.CDLL(ctypes.util.find_library("Xfixes") or "libXfixes.so.3")
    except OSError as exc:
        log.info("no libXfixes (%s): the encoder compares rows to find what changed", exc)
        return None, 0, -1
    xfixes.XFixesQueryExtension.argtypes = [
        ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)]
    xfixes.XFixesCreateRegion.restype = ctypes.c_ulong
    xfixes.XFixesCreateRegion.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int]
    xfixes.XFixesDestroyRegion.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    xfixes.XFixesFetchRegionAndBounds.restype = ctypes.c_void_p
    xfixes.XFixesFetchRegionAndBounds.argtypes = [
        ctypes.c_void_p, ctypes.c_ulong, ctypes.POINTER(ctypes.c_int),
        ctypes.POINTER(_XRectangle)]
    xfixes.XFixesQueryVersion.argtypes = [
        ctypes.c_void_p, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_int)]
    xfixes.XFixesSelectCursorInput.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    event_base, error_base = ctypes.c_int(), ctypes.c_int()
    if not xfixes.XFixesQueryExtension(display, ctypes.byref(event_base),
                                       ctypes.byref(error_base)):
        return None, 0, -1
    # The server answers XFixes requests only after the client said which version it speaks.
    major, minor = ctypes.c_int(5), ctypes.c_int(0)
    if not xfixes.XFixesQueryVersion(display, ctypes.byref(major), ctypes.byref(minor)) or (
            major.value < 2):
        return None, 0, -1
    xfixes.XFixesSelectCursorInput(display, root, _DISPLAY_CURSOR_NOTIFY_MASK)
    return (xfixes, int(xfixes.XFixesCreateRegion(display, None, 0)),
            event_base.value + _CURSOR_NOTIFY)
