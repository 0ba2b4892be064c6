"""The screen and window capture worker process: QtMultimedia -> BGRA -> shared memory.
The only module of ``screencast`` that imports Qt; it runs in a process of its own per
recording (see the package's docstring), speaking the camera worker's protocol
(``capture.camera.protocol``: JSON lines on stdout, the shared frame block, exit at
EOF on stdin).

Run as ``python -m capdesk.capture.screencast.worker`` (``capdesk --capture-worker`` in
the bundled app)::

    --list-windows                            print {"windows": [...]} (Qt's list), exit
    --kind screen [--screen N] [--region X,Y,W,H] --shm NAME
    --kind window --window ID|TITLE [--title TITLE] --shm NAME

- **X11**: Qt's native X11 capture is used only when ``XDG_SESSION_TYPE=x11`` (else Qt
  silently takes a slower path and lists no window), and needs the ``xcb`` platform:
  both are set here. ``--screen`` is 1-based in Qt's screen order (the primary when
  absent); ``--region`` is in desktop pixels and must lie on one screen. A window is
  captured by its X11 id (``QWindow.fromWinId``).
- **Wayland**: ``QScreenCapture`` asks the xdg-desktop-portal for a screen cast and
  reads it from PipeWire; the ``offscreen`` platform is enough. The desktop (or its
  portal dialog) chooses the screen; ``--region`` is then relative to that picture.
  The portal is asked for first, so a missing one is an error at once rather than a
  silent wait. GNOME and KDE ask people at every start: the worker says "asking" so
  the engine waits for their answer. A cancelled dialog, like any capture error, ends
  the worker with an error line.
- **Windows and macOS**: Qt's own capture; windows are named by title.

Frames come at the screen's refresh rate (X11), or only when something changed
(Wayland); only the newest is converted (``frames.FrameFitter``) and published, so a
slow moment never builds a backlog. A window that is closed, or a capture that fails,
ends the worker with an error line.
"""

from __future__ import annotations

import argparse
import os
import sys

from capdesk.capture.camera import protocol
from capdesk.capture.session import is_wayland

WAYLAND_ASKING_DESKTOPS = ("gnome", "kde", "unity", "cinnamon", "budgie")
PORTAL_SERVICE = "org.freedesktop.portal.Desktop"
PORTAL_PATH = "/org/freedesktop/portal/desktop"
SCREENCAST_INTERFACE = "org.freedesktop.portal.ScreenCast"


def prepare_environment(env: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """Set what Qt needs for capture in this session, before QGuiApplication; returns the
    session kind ("x11", "wayland", or the OS)."""
    if not sys.platform.startswith("linux"):
        return sys.platform
    if is_wayland(env):
        env["QT_QPA_PLATFORM"] = "offscreen"  # the portal path needs no window
        return "wayland"
    env["XDG_SESSION_TYPE"] = "x11"  # else Qt silently skips its X11 capture
    env["QT_QPA_PLATFORM"] = "xcb"  # X11 capture needs the xcb platform (not offscreen)
    return "x11"


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="capdesk-capture-worker")
    parser.add_argument("--list-windows", action="store_true")
    parser.add_argument("--kind", choices=("screen", "window"), default="screen")
    parser.add_argument("--screen", type=int, help="1-based; the primary screen when absent")
    parser.add_argument("--region", help="X,Y,W,H")
    parser.add_argument("--window", help="an X11 window id, or a title")
    parser.add_argument("--title", help="the window's title, for messages")
    parser.add_argument("--fps", type=int, default=30, help="the recording's frame rate")
    parser.add_argument("--shm", help="the shared frame block to publish into")
    return parser.parse_args(argv)


def parse_region(text: str | None) -> tuple[int, int, int, int] | None:
    if not text:
        return None
    x, y, w, h = (int(v) for v in text.split(","))
    return x, y, w, h


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    # Not niced like the camera's worker: this is the recording's picture itself.
    session = prepare_environment()
    os.environ.setdefault("QT_MAC_DISABLE_FOREGROUND_APPLICATION_TRANSFORM", "1")
    # Qt after the environment is set
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication

    from capdesk.capture.camera.qt_worker import Channel, ExitWatch
    from capdesk.capture.camera.shared_frame import SharedFrame
    from capdesk.capture.screencast.qt_capture import Capture

    channel = Channel()
    app = QGuiApplication([sys.argv[0] if sys.argv else "capdesk-capture-worker"])
    if args.list_windows:
        from PySide6.QtMultimedia import QWindowCapture

        channel.send({"windows": [
            {"title": w.description()} for w in QWindowCapture.capturableWindows()
            if w.isValid()]})
        return 0
    if not args.shm:
        channel.fail(protocol.FAILED, "the capture worker needs --shm")
        return 2
    try:
        block = SharedFrame.attach(args.shm)
    except (OSError, ValueError) as exc:
        channel.fail(protocol.FAILED, f"the capture worker cannot reach its shared memory: {exc}")
        return 1

    def fail(kind: str, message: str) -> None:
        channel.fail(kind, message)
        QTimer.singleShot(0, lambda: app.exit(1))

    capture = Capture(app, args, session, block, channel.send, fail)
    watch = ExitWatch(app)  # kept: its timer lives as long as it does
    QTimer.singleShot(0, capture.start)
    try:
        code = app.exec()
    finally:
        capture.close()
        block.close()
        del watch
    return code


def wayland_asks_people(env: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Does this desktop show a consent dialog at each screen cast (GNOME, KDE, ...)?"""
    desktop = env.get("XDG_CURRENT_DESKTOP", "").casefold()
    return any(name in desktop for name in WAYLAND_ASKING_DESKTOPS)


if __name__ == "__main__":
    sys.exit(main())
