"""Drawing on a test X display as any app would, and telling frames apart by memory."""

from __future__ import annotations

import ctypes
import ctypes.util

import numpy as np


class Painter:
    """Draws a filled rectangle on the root window through Xlib, as any app would."""

    def __init__(self) -> None:
        self.x11 = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
        self.x11.XOpenDisplay.restype = ctypes.c_void_p
        self.x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
        self.x11.XDefaultRootWindow.restype = ctypes.c_ulong
        self.x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        self.x11.XCreateGC.restype = ctypes.c_void_p
        self.x11.XCreateGC.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong,
                                       ctypes.c_void_p]
        self.x11.XSetForeground.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_ulong]
        self.x11.XFillRectangle.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_void_p,
                                            ctypes.c_int, ctypes.c_int, ctypes.c_uint,
                                            ctypes.c_uint]
        self.x11.XSync.argtypes = [ctypes.c_void_p, ctypes.c_int]
        self.x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
        self.display = self.x11.XOpenDisplay(None)
        assert self.display, "no X display"
        self.root = self.x11.XDefaultRootWindow(self.display)
        self.gc = self.x11.XCreateGC(self.display, self.root, 0, None)

    def fill(self, color: int, x: int = 10, y: int = 10) -> None:
        self.x11.XSetForeground(self.display, self.gc, color)
        self.x11.XFillRectangle(self.display, self.root, self.gc, x, y, 50, 40)
        self.x11.XSync(self.display, 0)

    def close(self) -> None:
        self.x11.XCloseDisplay(self.display)


def same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a.__array_interface__["data"][0] == b.__array_interface__["data"][0])
