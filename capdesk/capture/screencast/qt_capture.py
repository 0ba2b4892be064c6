"""The capture worker's Qt side: opens a QScreenCapture or QWindowCapture into a
QVideoSink and publishes the newest frame. Imported only by ``worker`` (in the worker
process, after its environment is set)."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtDBus import QDBusConnection, QDBusMessage
from PySide6.QtGui import QGuiApplication, QScreen, QWindow
from PySide6.QtMultimedia import (
    QCapturableWindow,
    QMediaCaptureSession,
    QScreenCapture,
    QVideoFrame,
    QVideoSink,
    QWindowCapture,
)

from capdesk.capture.camera import protocol
from capdesk.capture.camera.convert import PIXEL_FORMATS
from capdesk.capture.camera.qt_worker import mapped_planes
from capdesk.capture.camera.shared_frame import SharedFrame
from capdesk.capture.screencast import worker
from capdesk.capture.screencast.frames import FrameFitter

Send = Callable[[dict[str, Any]], None]
Fail = Callable[[str, str], None]
MAX_BAD_FRAMES = 30  # frames in a row that cannot be converted before giving up
PUBLISH_SHARE = 0.8  # frames are published at most every 0.8 / fps seconds
PORTAL_TIMEOUT_MS = 5000


class Capture:
    """One screen or window capture, from start to close."""

    def __init__(self, app: QGuiApplication, args: argparse.Namespace, session: str,
                 block: SharedFrame, send: Send, fail: Fail) -> None:
        self._app = app
        self._args = args
        self._session = session
        self._block = block
        self._send = send
        self._fail = fail
        self._closing = False
        self._sink = QVideoSink()
        self._sink.videoFrameChanged.connect(self._offer)
        self._capture_session = QMediaCaptureSession()
        self._capture_session.setVideoSink(self._sink)
        self._screen_capture: QScreenCapture | None = None
        self._window_capture: QWindowCapture | None = None
        self._foreign: QWindow | None = None  # kept alive while its window is captured
        self._fitter: FrameFitter | None = None
        self._pending: QVideoFrame | None = None
        self._scheduled = False
        self._fps = max(1, int(getattr(args, "fps", 0) or 30))
        self._next_publish = 0.0
        self.name = ""
        self.frames = 0
        self.failures = 0

    # -- start -------------------------------------------------------------------------------
    def start(self) -> None:
        try:
            if self._args.kind == "window":
                self._start_window()
            else:
                self._start_screen()
        except _Refused as exc:
            self.fail(exc.kind, str(exc))

    def fail(self, kind: str, message: str) -> None:
        if not self._closing:
            self._fail(kind, message)

    def _start_screen(self) -> None:
        region = worker.parse_region(self._args.region)
        capture = self._screen_capture = QScreenCapture()
        if self._session == "wayland":
            self._check_portal()
            self.name = "the screen shared through the desktop portal"
            if worker.wayland_asks_people():
                self._send({"event": "asking"})  # people choose in the desktop's dialog
        else:
            screen, region = self._pick_screen(region)
            capture.setScreen(screen)
            self.name = f"screen {screen.name() or 1}"
        self._fitter = FrameFitter(region)
        capture.errorOccurred.connect(
            lambda error, text: self.fail(protocol.FAILED, f"the screen capture failed: {text}"))
        self._capture_session.setScreenCapture(capture)
        capture.start()

    def _pick_screen(self, region: tuple[int, int, int, int] | None
                     ) -> tuple[QScreen, tuple[int, int, int, int] | None]:
        """The screen to capture and the region relative to its picture."""
        screens = QGuiApplication.screens()
        if not screens:
            raise _Refused(protocol.FAILED, "no screen was found")
        number = self._args.screen
        if number == 0:
            raise _Refused(protocol.FAILED,
                           "the qt capture backend records one screen at a time, not all "
                           "of them: choose a screen (--monitor N)")
        if number is not None:
            if not 1 <= number <= len(screens):
                raise _Refused(protocol.FAILED,
                               f"there is no screen {number} (screens: 1-{len(screens)})")
            screen = screens[number - 1]
        elif region is not None:
            screen = next((s for s in screens if _contains(s, region[0], region[1])),
                          QGuiApplication.primaryScreen())
        else:
            screen = QGuiApplication.primaryScreen()
        if region is not None:
            scale = screen.devicePixelRatio()
            origin = screen.geometry().topLeft()
            x0, y0 = round(origin.x() * scale), round(origin.y() * scale)
            region = (region[0] - x0, region[1] - y0, region[2], region[3])
        return screen, region

    def _check_portal(self) -> None:
        """A missing portal (or one without ScreenCast) is said at once: Qt would wait
        silently forever."""
        bus = QDBusConnection.sessionBus()
        if not bus.isConnected():
            raise _Refused(protocol.FAILED,
                           "there is no D-Bus session bus, so the desktop portal cannot be "
                           "asked to share the screen")
        message = QDBusMessage.createMethodCall(
            worker.PORTAL_SERVICE, worker.PORTAL_PATH, "org.freedesktop.DBus.Properties", "Get")
        message.setArguments([worker.SCREENCAST_INTERFACE, "version"])
        reply = bus.call(message, timeout=PORTAL_TIMEOUT_MS)
        if reply.type() == QDBusMessage.MessageType.ErrorMessage:
            raise _Refused(protocol.FAILED,
                           "the desktop portal cannot share the screen (xdg-desktop-portal "
                           "with a ScreenCast backend for this desktop is needed, e.g. "
                           "xdg-desktop-portal-gnome, -kde or -wlr): "
                           f"{reply.errorMessage() or reply.errorName()}")

    def _start_window(self) -> None:
        wanted = self._args.window or ""
        target = self._find_window(wanted)
        self.name = self._args.title or target.description() or wanted
        self._fitter = FrameFitter(None)
        capture = self._window_capture = QWindowCapture()
        capture.setWindow(target)
        capture.errorOccurred.connect(self._window_error)
        self._capture_session.setWindowCapture(capture)
        capture.start()

    def _find_window(self, wanted: str) -> QCapturableWindow:
        if self._session == "x11":
            try:
                native = int(wanted, 0)
            except ValueError:
                native = None
            if native is not None:
                foreign = self._foreign = QWindow.fromWinId(native)
                found = QCapturableWindow(foreign)
                if found.isValid():
                    return found
                raise _Refused(protocol.FAILED, f"there is no window {wanted!r}")
        for window in QWindowCapture.capturableWindows():
            if window.isValid() and window.description() == wanted:
                return window
        raise _Refused(protocol.FAILED, f"there is no window {wanted!r}")

    def _window_error(self, error: QWindowCapture.Error, text: str) -> None:
        if self.frames:
            self.fail(protocol.ENDED, f"the window {self.name!r} can no longer be recorded "
                                      f"(closed?): {text}")
        else:
            self.fail(protocol.FAILED, f"the window {self.name!r} cannot be recorded: {text}")

    # -- frames ------------------------------------------------------------------------------
    def _offer(self, frame: QVideoFrame) -> None:
        """Keep only the newest frame; convert it once the event loop is free, and no
        sooner than the recording needs (X11 sends the screen's 60 Hz to a 30 fps
        recording: every other frame would be converted for nothing)."""
        if not frame.isValid():
            return
        self._pending = frame
        if not self._scheduled:
            self._scheduled = True
            wait = max(0.0, self._next_publish - time.monotonic())
            QTimer.singleShot(round(wait * 1000), self._publish)

    def _publish(self) -> None:
        self._scheduled = False
        # a little faster than the recording's rate, so that its clock rarely finds none
        self._next_publish = time.monotonic() + PUBLISH_SHARE / self._fps
        frame, self._pending = self._pending, None
        if frame is None or self._closing or self._fitter is None:
            return
        try:
            published = self._convert(frame, self._fitter)
        except ValueError as exc:  # a region off the picture: nothing will ever fit
            self.fail(protocol.FAILED, str(exc))
            return
        except Exception as exc:
            self.failures += 1
            print(f"capture frame skipped: {exc}", file=sys.stderr)
            if self.failures >= MAX_BAD_FRAMES:
                self.fail(protocol.FAILED, f"the captured frames could not be converted: {exc}")
            return
        if not published:
            return
        self.failures = 0
        self.frames += 1
        if self.frames == 1:
            width, height = self._fitter.output_size or (0, 0)
            self._send({"event": "ready", "width": width, "height": height, "name": self.name})

    def _convert(self, frame: QVideoFrame, fitter: FrameFitter) -> bool:
        frame = QVideoFrame(frame)
        pixel_format = frame.pixelFormat().name.removeprefix("Format_")
        if pixel_format not in PIXEL_FORMATS:
            raise KeyError(f"pixel format {pixel_format} is not handled")
        with mapped_planes(frame) as planes:
            if planes is None:
                return False
            image = fitter.convert(pixel_format, frame.width(), frame.height(), planes)
            self._block.write(image)  # copies while the frame is still mapped
            return True

    def close(self) -> None:
        self._closing = True
        for capture in (self._screen_capture, self._window_capture):
            if capture is not None:
                capture.stop()


class _Refused(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _contains(screen: QScreen, x: int, y: int) -> bool:
    scale = screen.devicePixelRatio()
    geometry = screen.geometry()
    left, top = geometry.x() * scale, geometry.y() * scale
    return (left <= x < left + geometry.width() * scale
            and top <= y < top + geometry.height() * scale)
