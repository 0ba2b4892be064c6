"""What a capture source looks like to the recording engine, and the synthetic one.

A source hands out BGRA images (numpy ``(height, width, 4)`` uint8, rows may be
padded). ``open``/``grab``/``close`` run on the capture thread; ``release`` runs on
the encoder thread once it no longer needs an image, so a source may recycle
buffers instead of allocating a new one per frame.
"""

from __future__ import annotations

import queue
from typing import Protocol

import numpy as np
import numpy.typing as npt

from capdesk.capture.testcard import TestCard
from capdesk.errors import CapdeskError

Image = npt.NDArray[np.uint8]

DEFAULT_SYNTHETIC_SIZE = (1280, 720)


class CaptureError(CapdeskError, RuntimeError):
    """The source cannot capture (no display, a region off screen, the screen changed, ...)."""


class FrameSource(Protocol):
    width: int
    height: int
    description: str
    notes: list[str]

    def open(self) -> None: ...

    def grab(self, slot: int) -> Image: ...

    def release(self, image: Image) -> None: ...

    def close(self) -> None: ...


class BufferPool:
    """Recycles equally sized BGRA buffers between the capture and encoder threads.

    Never holds more than the buffers handed back, and those are bounded by the
    frame queue, so memory stays flat.
    """

    def __init__(self, width: int, height: int) -> None:
        self.shape = (height, width, 4)
        self._free: queue.SimpleQueue[Image] = queue.SimpleQueue()
        self.allocated = 0

    def take(self) -> Image:
        try:
            return self._free.get_nowait()
        except queue.Empty:
            self.allocated += 1
            return np.empty(self.shape, dtype=np.uint8)

    def give(self, image: Image) -> None:
        if image.shape == self.shape:
            self._free.put(image)


class SyntheticSource:
    """The moving test card; each frame's counter is its slot on the timestamp grid.

    Since the counter *is* the slot, a decoded output can be checked exactly:
    frame at pts ``p`` must show counter ``p``; gaps are the dropped slots.
    """

    def __init__(
        self, width: int, height: int, *, style: str = "noise", flash_every: int | None = None
    ) -> None:
        self.width = width
        self.height = height
        self.description = f"synthetic test card {width}x{height}"
        self.notes: list[str] = []
        self._card = TestCard(width, height, style=style, flash_every=flash_every)
        self._pool = BufferPool(width, height)

    def open(self) -> None:
        pass

    def grab(self, slot: int) -> Image:
        return self._card.draw(slot, self._pool.take())

    def release(self, image: Image) -> None:
        self._pool.give(image)

    def close(self) -> None:
        pass
