"""XDamage on a real X server (Xvfb): a still screen is not even grabbed; a drawing or a
moved pointer is."""

from __future__ import annotations

import ctypes
import ctypes.util
import subprocess

import numpy as np
import pytest

from capdesk.capture.damage import DamageWatcher


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


@pytest.fixture
def on_display(x_display: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DISPLAY", x_display)
    for name in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(name, raising=False)
    return x_display


def settle(watcher: DamageWatcher) -> None:
    """Let earlier drawings' events arrive, then start from a clean slate."""
    for _ in range(20):
        if not watcher.changed():
            return
    raise AssertionError("the screen never settled")


def test_damage_sees_drawing_and_pointer_and_nothing_else(on_display: str) -> None:
    watcher = DamageWatcher.open()
    assert watcher is not None, "Xvfb has the DAMAGE extension and libXdamage is installed"
    painter = Painter()
    try:
        assert watcher.changed()  # the first look always counts as a change
        settle(watcher)
        assert [watcher.changed() for _ in range(5)] == [False] * 5  # still: no grab needed
        painter.fill(0xFF0000)
        assert watcher.changed()
        settle(watcher)
        subprocess.run(["xdotool", "mousemove", "300", "200"], check=True)
        assert watcher.changed()  # the cursor is drawn into frames: a move is a change
        assert not watcher.changed()
    finally:
        painter.close()
        watcher.close()


def same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(a.__array_interface__["data"][0] == b.__array_interface__["data"][0])


def test_screen_source_skips_grabs_of_a_still_screen(on_display: str) -> None:
    from capdesk.capture.screen import ScreenSource

    source = ScreenSource(None, (0, 0, 200, 100), cursor=False)
    source.reuse_unchanged = True
    source.open()
    painter = Painter()
    try:
        first = source.grab(0)
        for _ in range(20):  # let the watcher settle: the same frame comes back
            again = source.grab(1)
            if same_memory(again, first):
                break
            first = again
        still = [source.grab(slot) for slot in range(2, 12)]
        # The same pixels, not grabbed again: the very array, or (grabbed into shared
        # memory) a new view of it, so that each frame handed out is released once.
        assert all(same_memory(image, first) for image in still)
        assert source.unchanged_ticks >= 10
        painter.fill(0x00FF00, 20, 20)
        changed = source.grab(12)
        assert not same_memory(changed, first)
        # The new grab shows the drawing: green (BGRA) where it was drawn.
        assert tuple(int(v) for v in changed[30, 30, :3]) == (0, 255, 0)
        assert not np.array_equal(changed, first)
    finally:
        painter.close()
        source.close()
