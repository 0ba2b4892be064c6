"""The engine's side of Qt screen and window capture: a ``FrameSource`` over the
capture worker (see the package's docstring).

The worker starts when the source is made (the engine needs the picture's size before
it opens anything else) and must deliver a first frame within ``START_TIMEOUT``
seconds, or, where the desktop asks people first (GNOME, KDE on Wayland), within
their answer plus that. Each grab, at the recording's pace, copies the newest frame
(about 1 ms at 1080p); when none came since the last grab the same picture is copied
again, and the encoder skips it as a repeat. When the worker stops (the window was
closed, the portal ended the cast), the grab raises ``CaptureError``: the recording
ends as for any source that fails, keeping everything recorded up to then.

Qt draws no mouse pointer. A window recorded on X11 gets it drawn into each grab's copy
(``x11_pointer``: where it is over the window, as screens get it); elsewhere the
recording's notes say it is missing. A still window with a moving pointer makes new
frames; with neither moving the last one is handed out again, as before.
"""

from __future__ import annotations

import logging
import time

from capdesk.capture.camera import protocol
from capdesk.capture.camera.feed import WorkerFailed, WorkerFeed
from capdesk.capture.camera.shared_frame import SharedFrame
from capdesk.capture.screencast import CAPTURE_WORKER_SWITCH, WORKER_MODULE
from capdesk.capture.screencast.x11_pointer import WindowPointer
from capdesk.capture.screencast.x11_windows import X11Unavailable
from capdesk.capture.sources import BufferPool, CaptureError, Image

log = logging.getLogger(__name__)

START_TIMEOUT = 10.0
READ_PATIENCE = 2.0  # seconds a grab waits for a whole frame before the capture counts as lost
Region = tuple[int, int, int, int]


class CaptureFeed(WorkerFeed):
    """The newest frame of a screen or window, read by the capture worker."""

    what = "screen capture"

    def __init__(self, args: list[str]) -> None:
        super().__init__()
        self._args = args

    def start(self, timeout: float = START_TIMEOUT) -> None:
        """CaptureError with the worker's sentence, or saying that no frame came."""
        if self._worker is not None:
            raise RuntimeError("this capture feed was already started")
        block = SharedFrame.create(*protocol.FULL_FRAME_MAX)
        command = protocol.worker_command([*self._args, "--shm", block.name],
                                          module=WORKER_MODULE, switch=CAPTURE_WORKER_SWITCH)
        try:
            self._launch(command, block, timeout)
        except WorkerFailed as exc:
            raise CaptureError(exc.reason or (
                f"no picture came from the screen capture within {timeout:g} s (on Wayland: "
                "was the screen sharing dialog cancelled, or is the desktop portal missing?)"
            )) from None


class QtCaptureSource:
    """A screen (``window=None``) or one window, captured by QtMultimedia."""

    def __init__(self, *, window: str | None = None, title: str | None = None,
                 monitor: int | None = None, region: Region | None = None,
                 cursor: bool = True, fps: int = 30, timeout: float = START_TIMEOUT) -> None:
        if window is not None:
            args = ["--kind", "window", "--window", window, *(["--title", title] if title else [])]
        else:
            args = ["--kind", "screen"]
            if monitor is not None:
                args += ["--screen", str(monitor)]
            if region is not None:
                args += ["--region", ",".join(str(v) for v in region)]
        self._feed = CaptureFeed([*args, "--fps", str(fps)])
        self._feed.start(timeout)
        self.width, self.height = self._feed.width, self._feed.height
        self.title = title or self._feed.name
        what = f"window {self.title!r}" if window is not None else self._feed.name
        self.description = f"{what}, {self.width}x{self.height}"
        self.notes: list[str] = []
        if window is not None:
            self.notes.append(
                "parts of the window covered by other windows may be recorded as black")
        self._pointer = _window_pointer(window, (self.width, self.height)) if cursor else None
        if cursor and self._pointer is None:
            self.notes.append("the qt capture backend does not draw the mouse cursor"
                              + (" here" if window is not None else ""))
        self._last_pointer: tuple[int, int, int] | None = None
        self._pool = BufferPool(self.width, self.height)
        # Set by the engine when a repeated frame may be the very array handed out before
        # (nothing downstream draws into frames): then a tick with no new frame from the
        # worker copies nothing (a still Wayland screen sends none).
        self.reuse_unchanged = False
        self.unchanged_ticks = 0
        self._last: Image | None = None
        self._last_number = 0

    @property
    def feed(self) -> CaptureFeed:
        return self._feed

    def open(self) -> None:
        pass

    def grab(self, slot: int) -> Image:
        feed = self._feed
        pointer = self._pointer.where() if self._pointer is not None else None
        pointer_key = pointer.key if pointer is not None else None
        if (self.reuse_unchanged and self._last is not None and feed.alive
                and feed.frame_number == self._last_number
                and pointer_key == self._last_pointer):
            self.unchanged_ticks += 1
            return self._last
        image = self._pool.take()
        # A read fails only while the worker is writing the next frame; on a busy machine
        # it may be paused mid-write for a while: wait for it (a late grab drops slots,
        # counted as such) rather than end the recording.
        deadline = time.monotonic() + READ_PATIENCE
        while True:
            if not feed.alive:
                self._pool.give(image)
                raise CaptureError(f"the capture stopped ({feed.error or 'it ended'})")
            number = feed.latest_into(image)
            if number is not None:
                if pointer is not None:
                    WindowPointer.draw(image, pointer)
                if self.reuse_unchanged:
                    self._last, self._last_number = image, number
                    self._last_pointer = pointer_key
                return image
            if time.monotonic() > deadline:
                self._pool.give(image)
                raise CaptureError("the captured picture could not be read for "
                                   f"{READ_PATIENCE:g} s")
            time.sleep(0.002)

    def release(self, image: Image) -> None:
        if image is not self._last:  # the last frame may be handed out again: not reused
            self._pool.give(image)

    def close(self) -> None:
        self._last = None
        if self._pointer is not None:
            self._pointer.close()
        self._feed.stop()


def _window_pointer(window: str | None, size: tuple[int, int]) -> WindowPointer | None:
    """The pointer drawer for a window recorded on X11 (its id is what the worker got),
    or None: a screen (Qt draws no pointer there either: said), another system, or X
    refused (logged)."""
    from capdesk.capture.screencast.windows import uses_x11

    if window is None or not uses_x11():
        return None
    try:
        return WindowPointer(int(window, 0), size)
    except (ValueError, X11Unavailable) as exc:
        log.info("the pointer will not be drawn in the window recording: %s", exc)
        return None
