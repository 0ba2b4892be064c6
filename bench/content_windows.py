"""Screen content for bench/record.py: a still desktop with a ticking clock, or scrolling text.

Run as a script on an X display (``DISPLAY``); it prints ``ready`` once the first
picture is on screen and runs until SIGTERM or SIGINT.

- ``--mode clock``: a full-screen "desktop" (a gradient wallpaper, a taskbar, two
  still windows with text) and a clock in the taskbar that changes once a second.
  Everything else stays still, as on an idle desktop.
- ``--mode text``: the same desktop with a large terminal-like window whose lines
  of text scroll up continuously (``--scroll-px`` pixels every ``--interval-ms``),
  so every frame differs, as when reading a page or following a log.

Only libX11 through ctypes (no toolkit; the X server's built-in 6x13 "fixed" font):
it starts in a fraction of a second and costs little CPU itself. Scrolling is done
the way terminals do it: the server copies the window's text area up
(``XCopyArea``) and only the strip that comes in at the bottom is drawn.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import random
import signal
import sys
import time

import numpy as np

ZPIXMAP = 2
LINE_HEIGHT = 13  # the built-in "fixed" font is 6x13
CHAR_WIDTH = 6
FONT_ASCENT = 10

WORDS = ("capture", "frame", "encoder", "upload", "part", "fragment", "keyframe", "desktop",
         "pixel", "buffer", "thread", "queue", "latency", "bitrate", "window", "screen",
         "cursor", "scale", "convert", "mux", "segment", "journal", "retry", "complete",
         "the", "a", "of", "to", "and", "is", "in", "for", "with", "on", "at", "by")


class XRectangle(ctypes.Structure):
    _fields_ = [("x", ctypes.c_short), ("y", ctypes.c_short),
                ("width", ctypes.c_ushort), ("height", ctypes.c_ushort)]


def load_x11() -> ctypes.CDLL:
    x = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    vp, ul, i, u = ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_uint
    signatures: dict[str, tuple[list[object], object]] = {
        "XOpenDisplay": ([ctypes.c_char_p], vp),
        "XDefaultScreen": ([vp], i),
        "XRootWindow": ([vp, i], ul),
        "XDefaultVisual": ([vp, i], vp),
        "XDefaultDepth": ([vp, i], i),
        "XCreateSimpleWindow": ([vp, ul, i, i, u, u, u, ul, ul], ul),
        "XMapRaised": ([vp, ul], i),
        "XMoveWindow": ([vp, ul, i, i], i),
        "XCreateGC": ([vp, ul, ul, vp], vp),
        "XSetForeground": ([vp, vp, ul], i),
        "XSetGraphicsExposures": ([vp, vp, i], i),
        "XSetClipRectangles": ([vp, vp, i, i, ctypes.POINTER(XRectangle), i, i], i),
        "XFillRectangle": ([vp, ul, vp, i, i, u, u], i),
        "XDrawString": ([vp, ul, vp, i, i, ctypes.c_char_p, i], i),
        "XCopyArea": ([vp, ul, ul, vp, i, i, u, u, i, i], i),
        "XCreateImage": ([vp, vp, u, i, i, vp, u, u, i, i], vp),
        "XPutImage": ([vp, ul, vp, vp, i, i, i, i, u, u], i),
        "XSync": ([vp, i], i),
    }
    for name, (argtypes, restype) in signatures.items():
        function = getattr(x, name)
        function.argtypes = argtypes
        function.restype = restype
    return x


def wallpaper(width: int, height: int) -> np.ndarray:
    """A still desktop picture (BGRA): gradient wallpaper, taskbar, two window frames."""
    rows = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    cols = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    image = np.empty((height, width, 4), dtype=np.uint8)
    image[..., 0] = (120 + 80 * rows + 20 * cols).astype(np.uint8)  # blue
    image[..., 1] = (70 + 60 * rows).astype(np.uint8)
    image[..., 2] = (40 + 50 * cols).astype(np.uint8)
    image[..., 3] = 255
    image[height - 40:, :, :3] = (48, 40, 36)  # taskbar
    for x0, y0, w, h in still_windows(width, height):
        image[y0:y0 + h, x0:x0 + w, :3] = 236
        image[y0:y0 + 24, x0:x0 + w, :3] = (150, 110, 70)  # title bar
    return image


def still_windows(width: int, height: int) -> list[tuple[int, int, int, int]]:
    return [(width // 20, height // 12, width * 2 // 5, height // 3),
            (width // 2, height // 2, width * 2 // 5, height // 3)]


def text_area(width: int, height: int) -> tuple[int, int, int, int]:
    """Where the scrolling text goes: a large window in the middle of the screen."""
    w, h = width * 3 // 4, (height - 40) * 4 // 5
    return (width - w) // 2, (height - 40 - h) // 2, w, h


def random_line(rng: random.Random, n: int, columns: int) -> bytes:
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, columns // 6)))
    return f"{n:07d} {time.strftime('%H:%M:%S')} {words}"[:columns - 1].encode()


class Desktop:
    def __init__(self, x: ctypes.CDLL, display: int, width: int, height: int) -> None:
        self.x, self.display, self.width, self.height = x, display, width, height
        screen = x.XDefaultScreen(display)
        self.window = x.XCreateSimpleWindow(display, x.XRootWindow(display, screen),
                                            0, 0, width, height, 0, 0, 0)
        x.XMapRaised(display, self.window)
        x.XMoveWindow(display, self.window, 0, 0)
        self.gc = x.XCreateGC(display, self.window, 0, None)
        x.XSetGraphicsExposures(display, self.gc, 0)  # no NoExpose event per XCopyArea
        self.pixels = wallpaper(width, height)
        visual = x.XDefaultVisual(display, screen)
        self.image = x.XCreateImage(display, visual, 24, ZPIXMAP, 0,
                                    ctypes.c_void_p(self.pixels.ctypes.data), width, height,
                                    32, width * 4)
        x.XPutImage(display, self.window, self.gc, self.image, 0, 0, 0, 0, width, height)
        x.XSetForeground(display, self.gc, 0x202020)
        rng = random.Random(7)
        for x0, y0, w, h in still_windows(width, height):
            for row in range(y0 + 24 + LINE_HEIGHT + 4, y0 + h - 4, LINE_HEIGHT + 3):
                line = random_line(rng, row, w // CHAR_WIDTH - 2)
                x.XDrawString(display, self.window, self.gc, x0 + 8, row, line, len(line))
        self.clock_text = b""
        self.draw_clock()

    def draw_clock(self) -> None:
        text = time.strftime("%H:%M:%S  %a %d %b %Y").encode()
        if text == self.clock_text:
            return
        self.clock_text = text
        x, d = self.x, self.display
        left, top = self.width - 200, self.height - 40
        x.XSetForeground(d, self.gc, 0x242830)  # the taskbar's colour (RGB)
        x.XFillRectangle(d, self.window, self.gc, left, top, 200, 40)
        x.XSetForeground(d, self.gc, 0xF0F0F0)
        x.XDrawString(d, self.window, self.gc, left + 20, top + 24, text, len(text))

    def sync(self) -> None:
        self.x.XSync(self.display, 0)


class ScrollingText:
    """A terminal-like area whose text moves up ``step`` pixels per call to ``scroll``."""

    def __init__(self, desktop: Desktop, step: int) -> None:
        self.d = desktop
        self.step = max(1, step)
        self.left, self.top, self.w, self.h = text_area(desktop.width, desktop.height)
        x = desktop.x
        self.gc = x.XCreateGC(desktop.display, desktop.window, 0, None)
        x.XSetGraphicsExposures(desktop.display, self.gc, 0)
        self.columns = (self.w - 16) // CHAR_WIDTH
        self.rng = random.Random(11)
        self.offset = 0  # pixels scrolled so far
        self.lines: dict[int, bytes] = {}
        self._fill(self.top, self.h)

    def _line(self, n: int) -> bytes:
        if n not in self.lines:
            self.lines[n] = random_line(self.rng, n, self.columns)
            self.lines.pop(n - 1000, None)
        return self.lines[n]

    def _fill(self, y: int, height: int) -> None:
        """Draw the text that belongs in window rows [y, y + height) at the current offset."""
        x, d, w = self.d.x, self.d.display, self.d.window
        clip = XRectangle(self.left, y, self.w, height)
        x.XSetClipRectangles(d, self.gc, 0, 0, ctypes.byref(clip), 1, 0)
        x.XSetForeground(d, self.gc, 0x101418)
        x.XFillRectangle(d, w, self.gc, self.left, y, self.w, height)
        x.XSetForeground(d, self.gc, 0xC8D0C0)
        content_top = self.offset + (y - self.top)  # in text coordinates
        first = content_top // LINE_HEIGHT
        last = (content_top + height) // LINE_HEIGHT
        for n in range(first, last + 1):
            baseline = self.top + n * LINE_HEIGHT - self.offset + FONT_ASCENT
            line = self._line(n)
            x.XDrawString(d, w, self.gc, self.left + 8, baseline, line, len(line))

    def scroll(self) -> None:
        x, d, w = self.d.x, self.d.display, self.d.window
        dy = self.step
        x.XCopyArea(d, w, w, self.d.gc, self.left, self.top + dy, self.w, self.h - dy,
                    self.left, self.top)
        self.offset += dy
        self._fill(self.top + self.h - dy, dy)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mode", choices=("clock", "text"), required=True)
    parser.add_argument("--size", required=True, help="WxH: the screen's size")
    parser.add_argument("--interval-ms", type=float, default=1000 / 30,
                        help="text: pause between scroll steps (default 30 a second)")
    parser.add_argument("--scroll-px", type=int, default=4, help="text: pixels per step")
    args = parser.parse_args(argv)
    width, height = (int(v) for v in args.size.split("x"))

    x = load_x11()
    display = x.XOpenDisplay(None)
    if not display:
        print("cannot open display", file=sys.stderr)
        return 1
    if x.XDefaultDepth(display, x.XDefaultScreen(display)) not in (24, 32):
        print("needs a 24-bit display", file=sys.stderr)
        return 1
    desktop = Desktop(x, display, width, height)
    text = ScrollingText(desktop, args.scroll_px) if args.mode == "text" else None
    desktop.sync()
    print("ready", flush=True)

    running = True

    def stop(signum: int, frame: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if text is None:  # the clock alone: wake up just after each new second
        while running:
            time.sleep(1.0 - time.time() % 1.0 + 0.002)
            desktop.draw_clock()
            desktop.sync()
        return 0
    interval = args.interval_ms / 1000.0
    next_tick = time.monotonic()
    while running:
        text.scroll()
        desktop.draw_clock()
        desktop.sync()
        next_tick += interval
        rest = next_tick - time.monotonic()
        if rest > 0:
            time.sleep(rest)
        else:
            next_tick = time.monotonic()  # behind: do not try to catch up
    return 0


if __name__ == "__main__":
    sys.exit(main())
