"""The windows of an X11 desktop, read from the window manager's client list
(``_NET_CLIENT_LIST``) with libX11 through ctypes: no toolkit, a few milliseconds.

Each window: its id (what ``QWindow.fromWinId`` takes to capture it), title
(``_NET_WM_NAME``, else ``WM_NAME``), app (the class of ``WM_CLASS``), position and
size on the desktop. Windows that are not shown (minimised, unmapped), docks, desktops
and windows without a title are left out: they cannot be recorded usefully. Without
a window manager (no client list) the root window's shown children with a title are
the windows.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass
from typing import Any

_IS_VIEWABLE = 2  # XWindowAttributes.map_state
_ANY_PROPERTY_TYPE = 0
_SKIPPED_TYPES = ("_NET_WM_WINDOW_TYPE_DOCK", "_NET_WM_WINDOW_TYPE_DESKTOP")


class X11Unavailable(RuntimeError):
    """The X server (or libX11) cannot be reached."""


@dataclass(frozen=True)
class X11Window:
    id: int
    title: str
    app: str
    x: int
    y: int
    width: int
    height: int
    pid: int | None = None  # _NET_WM_PID, when the app sets it


class _Attributes(ctypes.Structure):
    _fields_ = [
        ("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int),
        ("height", ctypes.c_int), ("border_width", ctypes.c_int), ("depth", ctypes.c_int),
        ("visual", ctypes.c_void_p), ("root", ctypes.c_ulong), ("c_class", ctypes.c_int),
        ("bit_gravity", ctypes.c_int), ("win_gravity", ctypes.c_int),
        ("backing_store", ctypes.c_int), ("backing_planes", ctypes.c_ulong),
        ("backing_pixel", ctypes.c_ulong), ("save_under", ctypes.c_int),
        ("colormap", ctypes.c_ulong), ("map_installed", ctypes.c_int),
        ("map_state", ctypes.c_int), ("all_event_masks", ctypes.c_long),
        ("your_event_mask", ctypes.c_long), ("do_not_propagate_mask", ctypes.c_long),
        ("override_redirect", ctypes.c_int), ("screen", ctypes.c_void_p),
    ]


class _ClassHint(ctypes.Structure):
    _fields_ = [("res_name", ctypes.c_void_p), ("res_class", ctypes.c_void_p)]


def _load() -> Any:
    try:
        x = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    except OSError as exc:
        raise X11Unavailable(f"libX11 cannot be loaded: {exc}") from exc
    vp, ul, i, b = ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_bool
    x.XOpenDisplay.restype = vp
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XCloseDisplay.argtypes = [vp]
    x.XDefaultRootWindow.restype = ul
    x.XDefaultRootWindow.argtypes = [vp]
    x.XInternAtom.restype = ul
    x.XInternAtom.argtypes = [vp, ctypes.c_char_p, b]
    x.XGetWindowProperty.argtypes = [
        vp, ul, ul, ctypes.c_long, ctypes.c_long, b, ul, ctypes.POINTER(ul),
        ctypes.POINTER(i), ctypes.POINTER(ul), ctypes.POINTER(ul),
        ctypes.POINTER(ctypes.c_void_p)]
    x.XGetWindowAttributes.argtypes = [vp, ul, ctypes.POINTER(_Attributes)]
    x.XTranslateCoordinates.argtypes = [
        vp, ul, ul, i, i, ctypes.POINTER(i), ctypes.POINTER(i), ctypes.POINTER(ul)]
    x.XGetClassHint.argtypes = [vp, ul, ctypes.POINTER(_ClassHint)]
    x.XFree.argtypes = [vp]
    x.XQueryTree.argtypes = [vp, ul, ctypes.POINTER(ul), ctypes.POINTER(ul),
                             ctypes.POINTER(ctypes.POINTER(ul)), ctypes.POINTER(ctypes.c_uint)]
    x.XSetErrorHandler.restype = vp
    x.XSetErrorHandler.argtypes = [vp]
    return x


# A window can vanish between listing and asking about it: X would then call the
# default error handler, which exits the process. This one ignores the error.
_ERROR_HANDLER_TYPE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
_IGNORE_ERRORS = _ERROR_HANDLER_TYPE(lambda display, event: 0)


class X11Display:
    """One Xlib connection (``XOpenDisplay``), X errors ignored until ``close()``: a call
    about a window that vanished then says it failed instead of ending the process.
    X11Unavailable when libX11 or the display cannot be had."""

    def __init__(self, display_name: str | None = None) -> None:
        self.x = x = _load()
        self.display = x.XOpenDisplay(display_name.encode() if display_name else None)
        if not self.display:
            raise X11Unavailable("the X display cannot be opened")
        self._previous_handler = x.XSetErrorHandler(ctypes.cast(_IGNORE_ERRORS, ctypes.c_void_p))
        self.root = x.XDefaultRootWindow(self.display)
        self._atoms: dict[str, int] = {}

    def close(self) -> None:
        if self.display:
            self.x.XSetErrorHandler(self._previous_handler)
            self.x.XCloseDisplay(self.display)
            self.display = None

    def atom(self, name: str) -> int:
        if name not in self._atoms:
            self._atoms[name] = self.x.XInternAtom(self.display, name.encode(), False)
        return self._atoms[name]

    def prop(self, window: int, name: str, item: type[Any]) -> list[Any] | bytes | None:
        """A property's items (``ctypes.c_ulong`` for lists), or its bytes (``c_char``)."""
        actual_type, actual_format = ctypes.c_ulong(), ctypes.c_int()
        count, after, data = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.c_void_p()
        status = self.x.XGetWindowProperty(
            self.display, window, self.atom(name), 0, 1 << 16, False, _ANY_PROPERTY_TYPE,
            ctypes.byref(actual_type), ctypes.byref(actual_format), ctypes.byref(count),
            ctypes.byref(after), ctypes.byref(data))
        if status != 0 or not data.value:
            return None
        try:
            if item is ctypes.c_char:
                return ctypes.string_at(data.value, count.value)
            array = ctypes.cast(data.value, ctypes.POINTER(item * count.value)).contents
            return [int(v) for v in array]
        finally:
            self.x.XFree(data)

    def text(self, window: int, *names: str) -> str:
        for name in names:
            raw = self.prop(window, name, ctypes.c_char)
            if isinstance(raw, bytes) and raw:
                try:
                    return raw.decode("utf-8").strip()
                except UnicodeDecodeError:  # WM_NAME as ISO 8859-1 (STRING)
                    return raw.decode("latin-1").strip()
        return ""

    def app(self, window: int) -> str:
        hint = _ClassHint()
        if not self.x.XGetClassHint(self.display, window, ctypes.byref(hint)):
            return ""
        try:
            pointer = hint.res_class or hint.res_name
            return ctypes.string_at(pointer).decode("utf-8", "replace") if pointer else ""
        finally:
            for pointer in (hint.res_name, hint.res_class):
                if pointer:
                    self.x.XFree(pointer)

    def children(self, window: int) -> list[int]:
        """The window's children, bottom to top (``XQueryTree``)."""
        root, parent = ctypes.c_ulong(), ctypes.c_ulong()
        children, count = ctypes.POINTER(ctypes.c_ulong)(), ctypes.c_uint()
        if not self.x.XQueryTree(self.display, window, ctypes.byref(root), ctypes.byref(parent),
                                 ctypes.byref(children), ctypes.byref(count)):
            return []
        try:
            return [int(children[i]) for i in range(count.value)]
        finally:
            if children:
                self.x.XFree(children)

    def geometry(self, window: int) -> tuple[int, int, int, int, bool, bool] | None:
        """x, y on the root, width, height, shown, override-redirect (a menu, a tooltip)."""
        attributes = _Attributes()
        if not self.x.XGetWindowAttributes(self.display, window, ctypes.byref(attributes)):
            return None
        x, y, child = ctypes.c_int(), ctypes.c_int(), ctypes.c_ulong()
        self.x.XTranslateCoordinates(self.display, window, self.root, 0, 0,
                                     ctypes.byref(x), ctypes.byref(y), ctypes.byref(child))
        return (x.value, y.value, attributes.width, attributes.height,
                attributes.map_state == _IS_VIEWABLE, bool(attributes.override_redirect))


def list_x11_windows(display_name: str | None = None) -> list[X11Window]:
    """The desktop's recordable windows, in the window manager's order (oldest first).
    X11Unavailable when the display cannot be opened."""
    d = X11Display(display_name)
    try:
        clients = d.prop(d.root, "_NET_CLIENT_LIST", ctypes.c_ulong)
        if not isinstance(clients, list):  # no window manager: the root's own children
            clients = d.children(d.root)
        windows = []
        for window in clients:
            types = d.prop(window, "_NET_WM_WINDOW_TYPE", ctypes.c_ulong)
            skipped = {d.atom(name) for name in _SKIPPED_TYPES}
            if isinstance(types, list) and skipped.intersection(types):
                continue
            title = d.text(window, "_NET_WM_NAME", "WM_NAME")
            geometry = d.geometry(window)
            if not title or geometry is None or not geometry[4] or geometry[5]:
                continue
            wx, wy, width, height, _, _ = geometry
            if width < 2 or height < 2:
                continue
            pid = d.prop(window, "_NET_WM_PID", ctypes.c_ulong)
            windows.append(X11Window(window, title, d.app(window), wx, wy, width, height,
                                     pid[0] if isinstance(pid, list) and pid else None))
        return windows
    finally:
        d.close()
