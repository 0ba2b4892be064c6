"""The camera worker process: QtMultimedia -> BGRA -> shared memory. The only module of
the camera that imports Qt; it runs in a process of its own, never in the engine's.

Run as ``python -m capdesk.capture.camera.qt_worker`` (or ``capdesk --camera-worker``
in the bundled app); ``protocol`` describes the arguments and the JSON lines it prints.

It makes a QGuiApplication on the ``offscreen`` platform (unless QT_QPA_PLATFORM says
otherwise: it shows no window, needs no display, and on macOS gets no Dock icon),
then reads either

- a camera: ``default``, or a camera's id or name (``QMediaDevices.videoInputs()``),
  in the format that fits the wanted size best, at 24 fps or more when it can; or
- a video file (anything ``protocol.is_file_source`` takes for one), played by a
  QMediaPlayer looping forever with no sound output, so tests and demos need no camera,

into a QVideoSink. Frames that arrive while one is being converted are not queued:
only the newest is converted next. Each one is mapped read-only, its planes are
copied with their strides and converted (``convert.FrameConverter``), and the result is
published into the shared block (``shared_frame.SharedFrame``).

It exits, after one JSON error line, when the camera cannot be opened, is refused,
is in use, stops or is unplugged, or the file cannot be played; and silently when its
stdin reaches EOF (the engine stopped it, or died).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from PySide6.QtCore import QCameraPermission, QCoreApplication, Qt, QTimer, QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QCameraFormat,
    QMediaCaptureSession,
    QMediaDevices,
    QMediaPlayer,
    QVideoFrame,
    QVideoSink,
)

from capdesk.capture.camera import protocol
from capdesk.capture.camera.convert import (
    PIXEL_FORMATS,
    FrameConverter,
    JpegDecoder,
    plane_rows,
)
from capdesk.capture.camera.shared_frame import SharedFrame

WATCH_MS = 100  # how often the worker checks whether it should exit
FULL_FRAME_PREFERRED = (1920, 1080)  # the camera mode wanted for a full-frame recording
MIN_FPS = 24
MAX_BAD_FRAMES = 30  # frames in a row that cannot be converted before the worker gives up


# -- talking to the engine --------------------------------------------------------------------
class Channel:
    """The JSON lines to the engine, on the real stdout (fd 1 itself then points at stderr,
    so nothing Qt or FFmpeg prints can land in the protocol)."""

    def __init__(self) -> None:
        sys.stdout.flush()
        self._out: BinaryIO = os.fdopen(os.dup(1), "wb", buffering=0)
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        self.error_sent = False

    def send(self, message: dict[str, Any]) -> None:
        with contextlib.suppress(OSError):  # the engine is gone; the watcher ends this process
            self._out.write(protocol.encode(message))

    def fail(self, kind: str, message: str) -> None:
        if not self.error_sent:
            self.error_sent = True
            self.send(protocol.error(kind, message))


class ExitWatch:
    """Ends the event loop when stdin reaches EOF or the parent process is gone."""

    def __init__(self, app: QCoreApplication) -> None:
        self._app = app
        self._eof = threading.Event()
        self._parent = os.getppid()
        threading.Thread(target=self._read_stdin, name="stdin-watch", daemon=True).start()
        self._timer = QTimer()
        self._timer.timeout.connect(self._check)
        self._timer.start(WATCH_MS)

    def _read_stdin(self) -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        self._eof.set()

    def _check(self) -> None:
        orphaned = os.name == "posix" and os.getppid() != self._parent
        if self._eof.is_set() or orphaned:
            self._app.exit(0)


# -- frames -----------------------------------------------------------------------------------
@contextlib.contextmanager
def mapped_planes(frame: QVideoFrame) -> Iterator[list[Any] | None]:
    """A frame mapped read-only: each plane as rows of bytes (views, valid inside the
    ``with`` only), or None when it cannot be mapped."""
    if not frame.map(QVideoFrame.MapMode.ReadOnly):
        yield None
        return
    try:
        planes = []
        for index in range(frame.planeCount()):
            stride = frame.bytesPerLine(index)
            planes.append(plane_rows(frame.bits(index), stride,
                                     frame.mappedBytes(index) // max(1, stride)))
        yield planes
    finally:
        frame.unmap()


class Publisher:
    """Converts the newest frame from a sink and publishes it; says "ready" after the first."""

    def __init__(self, block: SharedFrame, size: int | None, channel: Channel,
                 on_fatal: Callable[[str, str], None]) -> None:
        self._block = block
        self._converter = FrameConverter(size)
        self._channel = channel
        self._on_fatal = on_fatal
        self._pending: QVideoFrame | None = None
        self._pending_since = 0.0  # time.monotonic() when the pending frame arrived
        self._jpeg: JpegDecoder | None = None
        self._scheduled = False
        self.name = ""
        self.frames = 0
        self.failures = 0  # frames in a row that could not be converted

    def offer(self, frame: QVideoFrame) -> None:
        """The sink's ``videoFrameChanged``: keep only the newest, convert it soon."""
        if not frame.isValid():
            return
        self._pending, self._pending_since = frame, time.monotonic()
        if not self._scheduled:
            self._scheduled = True
            QTimer.singleShot(0, self._publish)

    def _publish(self) -> None:
        self._scheduled = False
        frame, self._pending = self._pending, None
        received = self._pending_since
        if frame is None:
            return
        try:
            image = self._convert(frame)
        except Exception as exc:  # a damaged frame (USB webcams send some) is skipped
            self.failures += 1
            print(f"camera frame skipped: {exc}", file=sys.stderr)
            if self.failures >= MAX_BAD_FRAMES:
                self._on_fatal(protocol.FAILED,
                               f"the camera's frames could not be converted: {exc}")
            return
        if image is None:
            return
        self.failures = 0
        self._block.write(image, received)
        self.frames += 1
        if self.frames == 1:
            height, width = image.shape[:2]
            self._channel.send({"event": "ready", "width": width, "height": height,
                                "name": self.name})

    def _convert(self, frame: QVideoFrame) -> Any:
        frame = QVideoFrame(frame)
        pixel_format = frame.pixelFormat().name.removeprefix("Format_")
        if pixel_format == "Jpeg":
            return self._convert_jpeg(frame)
        if pixel_format not in PIXEL_FORMATS:
            return self._convert_slowly(frame)
        with mapped_planes(frame) as planes:
            if planes is None:
                return None
            surface = frame.surfaceFormat()
            return self._converter.convert(
                pixel_format, frame.width(), frame.height(), planes,
                color_space=surface.colorSpace().name.removeprefix("ColorSpace_"),
                color_range=surface.colorRange().name.removeprefix("ColorRange_"),
            )

    def _convert_jpeg(self, frame: QVideoFrame) -> Any:
        """A camera in MJPEG mode: FFmpeg's decoder, then the same conversion."""
        if not frame.map(QVideoFrame.MapMode.ReadOnly):
            return None
        try:
            data = bytes(frame.bits(0)[: frame.mappedBytes(0)])
        finally:
            frame.unmap()
        if self._jpeg is None:
            self._jpeg = JpegDecoder()
        pixel_format, width, height, planes, color_range = self._jpeg.decode(data)
        return self._converter.convert(pixel_format, width, height, planes,
                                       color_range=color_range)

    def _convert_slowly(self, frame: QVideoFrame) -> Any:
        """A format swscale is not given (IMC, AYUV, GPU textures): through QImage."""
        from PySide6.QtGui import QImage

        image = frame.toImage().convertToFormat(QImage.Format.Format_ARGB32)
        if image.isNull():
            return None
        stride = image.bytesPerLine()
        rows = plane_rows(image.constBits(), stride, image.height())
        layout = "BGRA8888" if sys.byteorder == "little" else "ARGB8888"
        return self._converter.convert(layout, image.width(), image.height(), [rows])


# -- sources ----------------------------------------------------------------------------------
def camera_label(device: QCameraDevice) -> str:
    return device.description() or bytes(device.id().data()).decode("utf-8", "replace")


def camera_id(device: QCameraDevice) -> str:
    return bytes(device.id().data()).decode("utf-8", "replace")


def find_camera(source: str) -> QCameraDevice | str:
    """The camera for ``source`` ("default", an id or a name), or why there is none."""
    inputs = QMediaDevices.videoInputs()
    if source == "default":
        device = QMediaDevices.defaultVideoInput()
        if device.isNull():
            return "no camera was found" if not inputs else "there is no default camera"
        return device
    for device in inputs:
        if camera_id(device) == source:
            return device
    wanted = source.casefold()
    for device in inputs:
        if device.description().casefold() == wanted:
            return device
    known = ", ".join(repr(camera_label(d)) for d in inputs)
    return f"there is no camera named {source!r} " + (
        f"(cameras here: {known})" if known else "(no camera was found)")


def choose_format(device: QCameraDevice, size: int | None) -> QCameraFormat | None:
    """The camera mode to ask for: a pixel format converted without QImage, 24 fps or more,
    and the smallest resolution covering the square (or closest to 1080p for the full frame)."""
    best: tuple[tuple[Any, ...], QCameraFormat] | None = None
    for mode in device.videoFormats():
        resolution = mode.resolution()
        width, height = resolution.width(), resolution.height()
        if width <= 0 or height <= 0:
            continue
        fast = mode.pixelFormat().name.removeprefix("Format_") in PIXEL_FORMATS  # not JPEG
        fps_ok = mode.maxFrameRate() >= MIN_FPS
        if size:
            covers = min(width, height) >= size
            fit = (not covers, width * height if covers else -width * height)
        else:
            want_w, want_h = FULL_FRAME_PREFERRED
            within = width <= want_w and height <= want_h
            fit = (not within, -width * height if within else width * height)
        score = (not fps_ok, *fit, not fast, -mode.maxFrameRate())
        if best is None or score < best[0]:
            best = (score, mode)
    return best[1] if best is not None else None


def classify(message: str) -> str:
    """An error kind from a camera backend's message (they differ by OS and version)."""
    text = message.casefold()
    if any(word in text for word in ("permission", "denied", "authoriz", "not allowed")):
        return protocol.PERMISSION
    if any(word in text for word in ("busy", "in use", "used by", "another app")):
        return protocol.IN_USE
    if "no camera" in text or "not found" in text or "no such device" in text:
        return protocol.NO_CAMERA
    return protocol.FAILED


class Worker:
    """Opens the source, feeds the publisher, reports why it had to stop."""

    def __init__(self, app: QGuiApplication, args: argparse.Namespace, channel: Channel) -> None:
        self._app = app
        self._args = args
        self._channel = channel
        self._block = SharedFrame.attach(args.shm)
        self.publisher = Publisher(self._block, args.size or None, channel, self.fail)
        self._sink = QVideoSink()
        self._sink.videoFrameChanged.connect(self.publisher.offer)
        self._player: QMediaPlayer | None = None
        self._camera: QCamera | None = None
        self._session: QMediaCaptureSession | None = None
        self._devices: QMediaDevices | None = None
        self._device_id = ""
        self._was_active = False
        self._closing = False

    def fail(self, kind: str, message: str) -> None:
        if self._closing:  # the camera stopping because this worker is closing it
            return
        self._channel.fail(kind, message)
        QTimer.singleShot(0, lambda: self._app.exit(1))

    def start(self) -> None:
        source = self._args.source
        if protocol.is_file_source(source):
            self._play_file(Path(source).expanduser())
        else:
            self._ask_permission(lambda: self._open_camera(source))

    def close(self) -> None:
        self._closing = True
        if self._camera is not None:
            self._camera.stop()
        if self._player is not None:
            self._player.stop()
        self._block.close()

    # -- a video file, looping ------------------------------------------------------------
    def _play_file(self, path: Path) -> None:
        if not path.is_file():
            self.fail(protocol.FILE, f"there is no video file {str(path)!r}")
            return
        self.publisher.name = path.name
        player = self._player = QMediaPlayer()
        player.setVideoSink(self._sink)
        player.setLoops(QMediaPlayer.Loops.Infinite)
        player.errorOccurred.connect(
            lambda error, text: self.fail(protocol.FILE, f"{path.name} cannot be played: {text}"))
        player.mediaStatusChanged.connect(lambda status: self._file_status(path, status))
        player.setSource(QUrl.fromLocalFile(str(path.resolve())))
        player.play()

    def _file_status(self, path: Path, status: QMediaPlayer.MediaStatus) -> None:
        player = self._player
        if status == QMediaPlayer.MediaStatus.InvalidMedia:
            self.fail(protocol.FILE, f"{path.name} cannot be played: not a video this can read")
        elif status == QMediaPlayer.MediaStatus.LoadedMedia and player and not player.hasVideo():
            self.fail(protocol.FILE, f"{path.name} has no video track")

    # -- a camera --------------------------------------------------------------------------
    def _ask_permission(self, then: Callable[[], None]) -> None:
        """macOS asks the user once; elsewhere this is granted at once."""
        permission = QCameraPermission()
        status = self._app.checkPermission(permission)
        if status == Qt.PermissionStatus.Granted:
            then()
        elif status == Qt.PermissionStatus.Denied:
            self._refused()
        else:
            self._channel.send({"event": "asking"})  # the engine waits longer for people

            def answered(result: Any) -> None:
                if self._app.checkPermission(permission) == Qt.PermissionStatus.Granted:
                    then()
                else:
                    self._refused()

            self._app.requestPermission(permission, self._app, answered)

    def _refused(self) -> None:
        where = (" (System Settings > Privacy & Security > Camera)"
                 if sys.platform == "darwin" else "")
        self.fail(protocol.PERMISSION,
                  f"capdesk is not allowed to use the camera; allow it in the privacy "
                  f"settings{where}")

    def _open_camera(self, source: str) -> None:
        found = find_camera(source)
        if isinstance(found, str):
            self.fail(protocol.NO_CAMERA, found)
            return
        device = found
        label = camera_label(device)
        self.publisher.name = label
        self._device_id = camera_id(device)
        camera = self._camera = QCamera(device)
        mode = choose_format(device, self._args.size or None)
        if mode is not None:
            camera.setCameraFormat(mode)
        camera.errorOccurred.connect(lambda error, text: self._camera_error(label, text))
        camera.activeChanged.connect(lambda active: self._camera_active(label, active))
        self._devices = QMediaDevices()
        self._devices.videoInputsChanged.connect(lambda: self._inputs_changed(label))
        session = self._session = QMediaCaptureSession()
        session.setCamera(camera)
        session.setVideoSink(self._sink)
        camera.start()

    def _camera_error(self, label: str, text: str) -> None:
        kind = classify(text)
        if self._was_active and kind == protocol.FAILED:
            kind = protocol.ENDED
        words = {
            protocol.IN_USE: f"the camera {label!r} is in use by another app ({text})",
            protocol.PERMISSION: f"capdesk may not use the camera {label!r} ({text})",
            protocol.NO_CAMERA: f"the camera {label!r} was not found ({text})",
            protocol.ENDED: f"the camera {label!r} stopped ({text})",
        }
        self.fail(kind, words.get(kind, f"the camera {label!r} failed: {text}"))

    def _camera_active(self, label: str, active: bool) -> None:
        if active:
            self._was_active = True
        elif self._was_active:
            self.fail(protocol.ENDED, f"the camera {label!r} stopped")

    def _inputs_changed(self, label: str) -> None:
        if self._device_id not in {camera_id(d) for d in QMediaDevices.videoInputs()}:
            self.fail(protocol.ENDED, f"the camera {label!r} was unplugged")


# -- the process --------------------------------------------------------------------------------
def list_cameras_json() -> dict[str, Any]:
    default = camera_id(QMediaDevices.defaultVideoInput())
    return {"cameras": [
        {"id": camera_id(d), "name": camera_label(d), "isDefault": camera_id(d) == default}
        for d in QMediaDevices.videoInputs()
    ]}


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="capdesk-camera-worker")
    parser.add_argument("--list", action="store_true", help="print the cameras and exit")
    parser.add_argument("--source", default="default")
    parser.add_argument("--size", type=int, default=480, help="the square's side; 0: full frame")
    parser.add_argument("--shm", help="the shared frame block to publish into")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    protocol.lower_priority()
    channel = Channel()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ.setdefault("QT_MAC_DISABLE_FOREGROUND_APPLICATION_TRANSFORM", "1")
    app = QGuiApplication([sys.argv[0] if sys.argv else "capdesk-camera-worker"])
    if args.list:
        channel.send(list_cameras_json())
        return 0
    if not args.shm:
        channel.fail(protocol.FAILED, "the camera worker needs --shm")
        return 2
    try:
        worker = Worker(app, args, channel)
    except (OSError, ValueError) as exc:
        channel.fail(protocol.FAILED, f"the camera worker cannot reach its shared memory: {exc}")
        return 1
    watch = ExitWatch(app)  # kept: its timer lives as long as it does
    QTimer.singleShot(0, worker.start)
    try:
        code = app.exec()
    finally:
        worker.close()
        del watch
    return code


if __name__ == "__main__":
    sys.exit(main())
