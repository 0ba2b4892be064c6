"""``CameraFeed``: the newest picture of a camera (or of a looping video file), for the
engine, the bubble transform and the app's preview. No Qt in this process.

Usage::

    feed = CameraFeed("default")        # or a camera's name or id, or a video file's path
    feed.start()                        # CameraError with a sentence for people
    seq, image = feed.latest()          # newest BGRA (size, size, 4) uint8 copy
    feed.alive, feed.error              # False / why, once the camera stopped (unplugged)
    feed.stop()

``size`` is the side of the centred square the camera picture is cropped and scaled
to (the bubble's size in pixels: scaling is done once, in the worker, with FFmpeg's
swscale); ``size=None`` keeps the camera's own frame (``--source camera``), scaled down
only beyond ``protocol.FULL_FRAME_MAX``; its size is ``width`` x ``height`` after
``start``.

``start`` spawns the worker process (``qt_worker``, see the package's docstring), which
publishes each new frame into a shared-memory block (``shared_frame``); ``latest()``
copies the newest one out, never waiting for the camera: a camera that is slow, frozen
or gone never slows the recording. The worker's stdout carries its JSON messages (ready,
or the error it ends with), read by a thread here; its stderr (Qt's and FFmpeg's chatter)
is kept, last lines only, to explain a crash. ``alive`` turns False when the worker ends
for any reason (unplugged, killed, crashed) and ``error`` says why.

Thread-safety: ``latest``, ``alive`` and ``error`` may be called from any thread,
also while another thread calls ``stop``. A feed that is garbage-collected or left
running at exit is stopped (its worker also exits by itself when this process dies:
its stdin reaches EOF).
"""

from __future__ import annotations

import collections
import contextlib
import logging
import re
import subprocess
import threading
import time
import weakref
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt

from capdesk.capture.camera import CameraError, protocol
from capdesk.capture.camera.shared_frame import SharedFrame

log = logging.getLogger(__name__)

Image = npt.NDArray[np.uint8]

MIN_SIZE, MAX_SIZE = 16, 2160
STOP_GRACE = 3.0  # seconds the worker gets to exit once terminated, before a kill
PERMISSION_WAIT = 120.0  # seconds for people to answer the OS's camera permission prompt
_PYTHON_ERROR = re.compile(r"^\w*(Error|Exception)\b")


class _Worker:
    """The worker process and what its threads learn; shared with them and with the
    finalizer, so that the feed itself can be garbage-collected."""

    def __init__(self, process: subprocess.Popen[bytes], block: SharedFrame,
                 what: str = "camera") -> None:
        self.process = process
        self.what = what  # "camera", "screen": what its messages call it
        self.block: SharedFrame | None = block
        self.lock = threading.Lock()  # around the block: reads against close
        self.ready = threading.Event()
        self.asking = threading.Event()
        self.ended = threading.Event()
        self.stopping = False
        self.error: str | None = None
        self.width = self.height = 0
        self.name = ""
        self.stderr_tail: collections.deque[str] = collections.deque(maxlen=20)
        self.threads = [
            threading.Thread(target=self.read_messages, name=f"{what}-messages", daemon=True),
            threading.Thread(target=self.read_stderr, name=f"{what}-stderr", daemon=True),
        ]
        for thread in self.threads:
            thread.start()

    def read_messages(self) -> None:
        stdout = self.process.stdout
        assert stdout is not None
        for line in stdout:
            message = protocol.decode(line)
            if message is None:
                continue
            if message.get("event") == "asking":  # the OS asks people for permission
                self.asking.set()
            elif message.get("event") == "ready":
                self.width, self.height = int(message["width"]), int(message["height"])
                self.name = str(message.get("name") or "")
                self.ready.set()
            elif message.get("event") == "error" and self.error is None and not self.stopping:
                self.error = str(message.get("message") or f"the {self.what} failed")
                self.ended.set()
        try:
            code = self.process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        if self.error is None and not self.stopping:
            self.error = self._ended_without_word(code)
        self.ended.set()

    def _ended_without_word(self, code: int) -> str:
        if code < 0:
            return f"the {self.what} process was killed (signal {-code})"
        last = next((line for line in reversed(self.stderr_tail) if _PYTHON_ERROR.match(line)),
                    None)
        return f"the {self.what} process ended unexpectedly (exit code {code})" + (
            f": {last[:200]}" if last else "")

    def read_stderr(self) -> None:
        stderr = self.process.stderr
        assert stderr is not None
        for raw in stderr:
            line = raw.decode("utf-8", "replace").rstrip()
            if line:
                self.stderr_tail.append(line)
                log.debug("%s worker: %s", self.what, line)

    def read(self, out: Image | None = None) -> tuple[int, Image] | None:
        with self.lock:
            return self.block.read(out) if self.block is not None else None

    def read_stamped(self) -> tuple[int, Image, float] | None:
        with self.lock:
            return self.block.read_stamped() if self.block is not None else None

    def shutdown(self) -> None:
        """Stop the process and free the shared block. The worker holds nothing that needs
        a tidy exit (the OS releases the camera with the process), so it is terminated
        at once rather than left its ~0.3 s to notice EOF: a recording's stop waits for
        this. (EOF on its stdin is for when this process dies without a word.)"""
        self.stopping = True
        process = self.process
        if process.poll() is None:
            _close(process.stdin)
            process.terminate()
            try:
                process.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for thread in self.threads:
            if thread is not threading.current_thread():
                thread.join(timeout=STOP_GRACE)
        _close(process.stdin)
        _close(process.stdout)
        _close(process.stderr)
        self.ended.set()
        with self.lock:
            block, self.block = self.block, None
        if block is not None:
            block.close()


def _close(stream: IO[bytes] | None) -> None:
    if stream is not None:
        with contextlib.suppress(OSError):
            stream.close()


class WorkerFailed(Exception):
    """A worker did not start: ``reason`` from the worker, or None when no frame came
    in time."""

    def __init__(self, reason: str | None) -> None:
        super().__init__(reason or "no frame in time")
        self.reason = reason


class WorkerFeed:
    """The newest frame published by a worker process (a camera's, a screen's): its
    state and frames. Subclasses start it (``_launch``)."""

    what = "camera"  # what messages call it

    def __init__(self) -> None:
        self._worker: _Worker | None = None
        self._finalizer: weakref.finalize[[], WorkerFeed] | None = None

    # -- state ------------------------------------------------------------------------------
    @property
    def alive(self) -> bool:
        """Started and still running (False before ``start``, once stopped, and once the
        worker ended: the camera stopped, was unplugged, or the process died)."""
        worker = self._worker
        return worker is not None and not worker.ended.is_set()

    @property
    def error(self) -> str | None:
        """Why the feed ended (or failed to start), for people; None while it runs and
        after a ``stop``."""
        return self._worker.error if self._worker is not None else None

    @property
    def name(self) -> str:
        """The camera's name (or the file's) once started."""
        return self._worker.name if self._worker is not None else ""

    @property
    def width(self) -> int:
        return self._worker.width if self._worker is not None else 0

    @property
    def height(self) -> int:
        return self._worker.height if self._worker is not None else 0

    @property
    def pid(self) -> int | None:
        """The worker process's id (diagnostics and tests)."""
        return self._worker.process.pid if self._worker is not None else None

    # -- control ----------------------------------------------------------------------------
    def _launch(self, command: list[str], block: SharedFrame, timeout: float) -> None:
        """Start ``command`` publishing into ``block`` and wait for its first frame;
        WorkerFailed (its reason, or None when no frame came in time) with nothing left
        running."""
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                env=protocol.child_environment(), creationflags=protocol.popen_flags(),
            )
        except OSError as exc:
            block.close()
            raise WorkerFailed(f"the {self.what} process could not start: {exc}") from exc
        worker = self._worker = _Worker(process, block, self.what)
        self._finalizer = weakref.finalize(self, worker.shutdown)
        deadline = time.monotonic() + timeout
        extended = False
        while not worker.ready.is_set() and not worker.ended.is_set():
            if worker.asking.is_set() and not extended:  # people are being asked
                extended, deadline = True, time.monotonic() + PERMISSION_WAIT + timeout
            left = deadline - time.monotonic()
            if left <= 0:
                break
            worker.ready.wait(min(left, 0.05))
        if worker.ready.is_set() and not worker.ended.is_set():
            return
        reason = worker.error
        self.stop()
        worker.error = reason
        raise WorkerFailed(reason)

    def latest(self) -> tuple[int, Image] | None:
        """(frame number, a BGRA ``(h, w, 4)`` uint8 copy) of the newest frame; None
        before the first one (and after ``stop``). Never waits for the camera. After the
        worker ended it still returns the last frame: check ``alive``."""
        worker = self._worker
        return worker.read() if worker is not None else None

    def latest_stamped(self) -> tuple[int, Image, float] | None:
        """Like ``latest``, with when the worker received the frame (``time.monotonic()``):
        how old the picture is."""
        worker = self._worker
        return worker.read_stamped() if worker is not None else None

    @property
    def frame_number(self) -> int:
        """The newest frame's number (0: none yet, or stopped): cheap, copies nothing."""
        worker = self._worker
        if worker is None:
            return 0
        with worker.lock:
            return worker.block.sequence // 2 if worker.block is not None else 0

    def latest_into(self, out: Image) -> int | None:
        """Like ``latest`` but copies into ``out`` (a ``(height, width, 4)`` uint8 buffer,
        reused by a capture source); returns the frame number, or None when there is
        none yet or the frame's shape is not ``out``'s."""
        worker = self._worker
        got = worker.read(out) if worker is not None else None
        return got[0] if got is not None and got[1] is out else None

    def stop(self) -> None:
        """Stop the worker and free the shared memory (idempotent)."""
        if self._finalizer is not None:
            self._finalizer()  # runs worker.shutdown once
            self._finalizer = None


class CameraFeed(WorkerFeed):
    """The newest frame of a camera or video file, read by a worker process."""

    def __init__(self, source: str, *, size: int | None = 480) -> None:
        if not source or not source.strip():
            raise ValueError("the camera source is empty: give 'default', a camera or a file")
        if size is not None and not MIN_SIZE <= size <= MAX_SIZE:
            raise ValueError(f"the camera size must be {MIN_SIZE}-{MAX_SIZE}, not {size}")
        super().__init__()
        self.source = source
        self.size = size

    def start(self, timeout: float = 10.0) -> None:
        """Start the worker and wait for the first frame. CameraError with a sentence for
        people when there is no camera, it is in use, access is refused, the file cannot
        be played, or no frame came within ``timeout`` seconds (plus up to
        ``PERMISSION_WAIT`` while the OS asks people for the camera permission, the first
        time on macOS); nothing is left running."""
        if self._worker is not None:
            raise RuntimeError("this camera feed was already started")
        if protocol.is_file_source(self.source) and not Path(self.source).expanduser().is_file():
            raise CameraError(f"there is no video file {self.source!r}")
        width, height = (self.size, self.size) if self.size else protocol.FULL_FRAME_MAX
        block = SharedFrame.create(width, height)
        args = ["--source", self.source, "--size", str(self.size or 0), "--shm", block.name]
        try:
            self._launch(protocol.worker_command(args), block, timeout)
        except WorkerFailed as exc:
            raise CameraError(
                exc.reason or f"no picture came from the camera {self.source!r} within "
                f"{timeout:g} s (is another app using it?)") from None

    def __repr__(self) -> str:
        state = "alive" if self.alive else ("ended" if self._worker else "not started")
        return f"CameraFeed({self.source!r}, size={self.size!r}, {state})"
