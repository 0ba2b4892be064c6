"""A bare X11 window that keeps redrawing the test card, for screen-recording tests.

Run as a script on an X display (``DISPLAY``). Each redraw shows the next counter
value n = 0, 1, 2, ... and is made visible with XPutImage + XSync; the time just
before drawing and just after the X server has processed it are appended to
``--log`` as three float64 values (n, before, after) on the monotonic clock. A test
can then tell when each value was on screen and check a recording against it.

Only libX11 through ctypes: no toolkit, starts in a fraction of a second, and the
window sits exactly where asked (there is no window manager on Xvfb).
"""

from __future__ import annotations

import _ctypes
import argparse
import ctypes
import ctypes.util
import os
import signal
import struct
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from capdesk.capture.testcard import TestCard

RECORD = struct.Struct("<ddd")
ZPIXMAP = 2


def load_x11() -> ctypes.CDLL:
    name = ctypes.util.find_library("X11") or "libX11.so.6"
    x = ctypes.CDLL(name)
    vp, ul, i, u = ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_uint
    x.XOpenDisplay.restype = vp
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XDefaultScreen.argtypes = [vp]
    x.XRootWindow.restype = ul
    x.XRootWindow.argtypes = [vp, i]
    x.XDefaultVisual.restype = vp
    x.XDefaultVisual.argtypes = [vp, i]
    x.XDefaultDepth.argtypes = [vp, i]
    x.XDefaultGC.restype = vp
    x.XDefaultGC.argtypes = [vp, i]
    x.XCreateSimpleWindow.restype = ul
    x.XCreateSimpleWindow.argtypes = [vp, ul, i, i, u, u, u, ul, ul]
    x.XMapRaised.argtypes = [vp, ul]
    x.XStoreName.argtypes = [vp, ul, ctypes.c_char_p]
    x.XMoveWindow.argtypes = [vp, ul, i, i]
    x.XCreateImage.restype = vp
    x.XCreateImage.argtypes = [vp, vp, u, i, i, vp, u, u, i, i]
    x.XPutImage.argtypes = [vp, ul, vp, vp, i, i, i, i, u, u]
    x.XSync.argtypes = [vp, i]
    return x


class ShmSegmentInfo(ctypes.Structure):
    _fields_ = [("shmseg", ctypes.c_ulong), ("shmid", ctypes.c_int),
                ("shmaddr", ctypes.c_void_p), ("readOnly", ctypes.c_int)]


def shm_image(x: ctypes.CDLL, display: int, visual: int, width: int, height: int
              ) -> tuple[int, np.ndarray, ShmSegmentInfo, _ctypes.CFuncPtr] | None:
    """An XImage in MIT-SHM memory (no copy through the socket), or None without MIT-SHM."""
    try:
        xext = ctypes.CDLL(ctypes.util.find_library("Xext") or "libXext.so.6")
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    vp, i, u = ctypes.c_void_p, ctypes.c_int, ctypes.c_uint
    xext.XShmQueryExtension.argtypes = [vp]
    if not xext.XShmQueryExtension(display):
        return None
    xext.XShmCreateImage.restype = vp
    xext.XShmCreateImage.argtypes = [vp, vp, u, i, vp, ctypes.POINTER(ShmSegmentInfo), u, u]
    xext.XShmAttach.argtypes = [vp, ctypes.POINTER(ShmSegmentInfo)]
    libc.shmget.argtypes = [i, ctypes.c_size_t, i]
    libc.shmat.restype = vp
    libc.shmat.argtypes = [i, vp, i]
    libc.shmctl.argtypes = [i, i, vp]
    info = ShmSegmentInfo()
    image = xext.XShmCreateImage(display, visual, 24, ZPIXMAP, None, ctypes.byref(info),
                                 width, height)
    if not image:
        return None
    size = width * height * 4
    info.shmid = libc.shmget(0, size, 0o1600)  # IPC_PRIVATE, IPC_CREAT | 0600
    if info.shmid < 0:
        return None
    addr = libc.shmat(info.shmid, None, 0)
    info.shmaddr = addr
    info.readOnly = 0
    # XImage starts with four ints (width, height, xoffset, format), then char *data.
    ctypes.c_void_p.from_address(image + 16).value = addr
    ok = xext.XShmAttach(display, ctypes.byref(info))
    x.XSync(display, 0)
    libc.shmctl(info.shmid, 0, None)  # IPC_RMID: freed once both sides detach
    if not ok:
        return None
    pixels = np.ctypeslib.as_array((ctypes.c_uint8 * size).from_address(addr))
    xext.XShmPutImage.argtypes = [vp, ctypes.c_ulong, vp, vp, i, i, i, i, u, u, i]
    return image, pixels.reshape(height, width, 4), info, xext.XShmPutImage


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--geometry", required=True, help="X,Y,W,H")
    parser.add_argument("--log", type=Path)
    parser.add_argument("--interval-ms", type=float, default=4.0, help="pause between redraws")
    parser.add_argument("--style", default="noise", choices=("noise", "plain"))
    parser.add_argument("--no-shm", action="store_true", help="send pixels through the socket")
    parser.add_argument("--title", help="the window's title (WM_NAME), for window capture")
    args = parser.parse_args(argv)
    gx, gy, width, height = (int(v) for v in args.geometry.split(","))

    x = load_x11()
    display = x.XOpenDisplay(None)
    if not display:
        print("cannot open display", file=sys.stderr)
        return 1
    screen = x.XDefaultScreen(display)
    if x.XDefaultDepth(display, screen) not in (24, 32):
        print("needs a 24-bit display", file=sys.stderr)
        return 1
    window = x.XCreateSimpleWindow(
        display, x.XRootWindow(display, screen), gx, gy, width, height, 0, 0, 0
    )
    if args.title:
        x.XStoreName(display, window, args.title.encode())
    x.XMapRaised(display, window)
    x.XMoveWindow(display, window, gx, gy)
    gc = x.XDefaultGC(display, screen)
    card = TestCard(width, height, style=args.style)
    visual = x.XDefaultVisual(display, screen)
    shm = None if args.no_shm else shm_image(x, display, visual, width, height)
    if shm is not None:
        image, pixels, _info, put = shm

        def show() -> None:
            put(display, window, gc, image, 0, 0, 0, 0, width, height, 0)
    else:
        pixels = np.zeros((height, width, 4), dtype=np.uint8)
        image = x.XCreateImage(
            display, visual, 24, ZPIXMAP, 0,
            ctypes.c_void_p(pixels.ctypes.data), width, height, 32, width * 4,
        )

        def show() -> None:
            x.XPutImage(display, window, gc, image, 0, 0, 0, 0, width, height)
    log_fd = os.open(args.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o644) \
        if args.log else None

    running = True

    def stop(signum: int, frame: object) -> None:
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    interval = args.interval_ms / 1000.0
    n = 0
    while running:
        before = time.monotonic()
        card.draw(n, pixels)
        show()
        x.XSync(display, 0)
        after = time.monotonic()
        if log_fd is not None:
            os.write(log_fd, RECORD.pack(float(n), before, after))
        if n == 0:
            print("ready", flush=True)
        n += 1
        rest = interval - (time.monotonic() - before)
        if rest > 0:
            time.sleep(rest)
    if log_fd is not None:
        os.close(log_fd)
    return 0


def read_log(path: Path) -> np.ndarray:
    """The log as an (N, 3) array of (counter, before, after)."""
    data = path.read_bytes()
    usable = len(data) - len(data) % RECORD.size
    return np.frombuffer(data[:usable], dtype="<f8").reshape(-1, 3)


if __name__ == "__main__":
    sys.exit(main())
