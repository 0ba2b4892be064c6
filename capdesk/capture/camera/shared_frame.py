"""The newest camera frame, in a block of shared memory: one writer (the camera worker),
readers in the engine. No queue: each frame replaces the one before.

Layout (little-endian)::

    0   8 bytes  magic b"capdcam1"
    8   u64      sequence: odd while the writer is writing, even when a frame is whole;
                 frame number n is sequence 2n (0: no frame yet)
    16  u32      width
    20  u32      height
    24  f64      when the worker received the frame (``time.monotonic()``, seconds; the
                 same clock as the engine's on Linux, macOS and Windows)
    64  ...      width * height * 4 bytes of BGRA, rows packed

Torn reads are guarded by a seqlock: the writer makes the sequence odd, writes the
size and the pixels, then makes it even again; a reader reads the sequence (retrying
while it is odd), copies, and keeps the copy only if the sequence did not move
meanwhile. Neither side ever waits for the other beyond a retry. (Python has no memory
fence; on a weakly ordered CPU the worst case would be one frame mixing two camera
frames, which the next frame replaces.)

The engine creates and unlinks the block (its ``resource_tracker`` unlinks it too if
the engine crashes); the worker only attaches, untracked, so its exit never unlinks it.
"""

from __future__ import annotations

import contextlib
import sys
import time
from multiprocessing import shared_memory

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]

MAGIC = b"capdcam1"
HEADER_BYTES = 64
_SEQUENCE, _SIZE, _STAMP = 8, 16, 24
READ_ATTEMPTS = 50  # a frame write takes well under a millisecond


class SharedFrame:
    """One shared frame block; ``create`` in the engine, ``attach`` in the worker."""

    def __init__(self, memory: shared_memory.SharedMemory, *, owner: bool) -> None:
        self._memory = memory
        self._owner = owner
        buf = memory.buf
        assert buf is not None
        self.capacity = memory.size - HEADER_BYTES  # bytes of pixels it can hold
        self._sequence: npt.NDArray[np.uint64] | None = np.ndarray(
            (1,), dtype="<u8", buffer=buf, offset=_SEQUENCE)
        self._size: npt.NDArray[np.uint32] | None = np.ndarray(
            (2,), dtype="<u4", buffer=buf, offset=_SIZE)
        self._stamp: npt.NDArray[np.float64] | None = np.ndarray(
            (1,), dtype="<f8", buffer=buf, offset=_STAMP)
        self._pixels: Image | None = np.ndarray(
            (self.capacity,), dtype=np.uint8, buffer=buf, offset=HEADER_BYTES)

    @classmethod
    def create(cls, width: int, height: int) -> SharedFrame:
        """A new block for frames of up to ``width`` x ``height`` pixels."""
        memory = shared_memory.SharedMemory(create=True, size=HEADER_BYTES + width * height * 4)
        buf = memory.buf
        assert buf is not None
        buf[:HEADER_BYTES] = bytes(HEADER_BYTES)
        buf[: len(MAGIC)] = MAGIC
        return cls(memory, owner=True)

    @classmethod
    def attach(cls, name: str) -> SharedFrame:
        """The block called ``name``, made by another process; ValueError if it is not one."""
        memory = _attach_untracked(name)
        if memory.buf is None or bytes(memory.buf[: len(MAGIC)]) != MAGIC:
            memory.close()
            raise ValueError(f"shared memory {name!r} is not a camera frame block")
        return cls(memory, owner=False)

    @property
    def name(self) -> str:
        return self._memory.name

    @property
    def sequence(self) -> int:
        """The current sequence number (even: a whole frame; 0: none yet)."""
        return int(self._sequence[0]) if self._sequence is not None else 0

    def write(self, image: Image, stamp: float | None = None) -> int:
        """Publish a BGRA ``(h, w, 4)`` frame received at ``stamp`` (``time.monotonic()``;
        now when None); returns its frame number."""
        sequence, size, pixels = self._sequence, self._size, self._pixels
        assert sequence is not None and size is not None and pixels is not None
        assert self._stamp is not None
        height, width = image.shape[:2]
        count = width * height * 4
        if count > self.capacity:
            raise ValueError(f"a {width}x{height} frame does not fit in {self.capacity} bytes")
        start = int(sequence[0])
        sequence[0] = start + 1  # odd: being written
        size[0], size[1] = width, height
        self._stamp[0] = time.monotonic() if stamp is None else stamp
        np.copyto(pixels[:count].reshape(height, width, 4), image)
        sequence[0] = start + 2
        return (start + 2) // 2

    def read(self, out: Image | None = None) -> tuple[int, Image] | None:
        """The newest whole frame: (frame number, a BGRA copy), or None before the first
        (or if the writer never finished one while this tried). The copy goes into
        ``out`` when it has the frame's shape, else into a new array."""
        got = self.read_stamped(out)
        return None if got is None else (got[0], got[1])

    def read_stamped(self, out: Image | None = None) -> tuple[int, Image, float] | None:
        """Like ``read``, with when the worker received the frame (``time.monotonic()``)."""
        sequence, size, pixels, stamps = self._sequence, self._size, self._pixels, self._stamp
        if sequence is None or size is None or pixels is None or stamps is None:
            return None
        for attempt in range(READ_ATTEMPTS):
            before = int(sequence[0])
            if before == 0:
                return None
            if before & 1:  # being written: try again in a moment
                time.sleep(0 if attempt < 10 else 0.0005)
                continue
            width, height = int(size[0]), int(size[1])
            stamp = float(stamps[0])
            count = width * height * 4
            if count == 0 or count > self.capacity:
                continue
            frame = pixels[:count].reshape(height, width, 4)
            if out is not None and out.shape == frame.shape:
                np.copyto(out, frame)
                image = out
            else:
                image = frame.copy()
            if int(sequence[0]) == before:
                return before // 2, image, stamp
        return None

    def close(self) -> None:
        """Let go of the block (and, in the process that made it, remove it)."""
        self._sequence = self._size = self._pixels = self._stamp = None  # views go first
        try:
            self._memory.close()
        finally:
            if self._owner:
                with contextlib.suppress(FileNotFoundError):
                    self._memory.unlink()


def _attach_untracked(name: str) -> shared_memory.SharedMemory:
    """Attach without registering with this process's resource tracker: before Python
    3.13 attaching registers too, and the tracker would then remove the block when this
    process ends (and start a tracker process just for that)."""
    if sys.version_info >= (3, 13):
        return shared_memory.SharedMemory(name, track=False)
    from multiprocessing import resource_tracker

    register = resource_tracker.register
    resource_tracker.register = lambda name, rtype: None
    try:
        return shared_memory.SharedMemory(name)
    finally:
        resource_tracker.register = register
