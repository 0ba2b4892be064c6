"""What a frame transform is, and the chain that runs a list of them in order.

A transform takes a BGRA frame (numpy ``(height, width, 4)`` uint8, rows may be padded
or a view into a larger buffer), may change it in place, and returns the frame to go
on with (the same array, a view of it, or a new one). It says up front what size its
output is for a given input (``output_size``, which also refuses an input it cannot
work on), so the encoder can be set up for the chain's final size before the first
frame. ``close`` frees what it holds (a camera, a file).

When a transform raises (or returns a frame of the wrong size), the recording is not
lost:

- a transform that keeps the size (an overlay) is removed from the chain for the rest
  of the recording, with one warning through ``on_warning``; that frame goes on as it
  was handed to the transform (if the transform changed it in place before failing,
  that one frame may show part of its drawing);
- a transform that changes the size (a crop) cannot be dropped without changing the
  video's size mid-file, so the chain raises ``TransformFailed``; the engine then stops
  the recording as failed and keeps the file up to its last fragment, as for any
  encoder error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Image = npt.NDArray[np.uint8]
Size = tuple[int, int]  # width, height


class FrameTransform(Protocol):
    name: str  # for people: "crop 640x480 at 10,20"

    def output_size(self, width: int, height: int) -> Size:
        """The size of the frames this returns for frames of ``width`` x ``height``;
        CaptureError when it cannot work on them (a crop outside the frame)."""
        ...

    def apply(self, image: Image, slot: int) -> Image: ...

    def close(self) -> None: ...


class TransformFailed(RuntimeError):
    """A transform that changes the frame size failed: the recording cannot go on."""


class TransformChain:
    """Applies transforms in order, on one thread (the engine's encoder thread)."""

    def __init__(
        self,
        transforms: Iterable[FrameTransform] = (),
        *,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        self._active = list(transforms)
        self._sizes: list[tuple[Size, Size]] | None = None  # each one's input and output
        self._on_warning = on_warning
        self.removed: list[str] = []  # names of the transforms dropped after failing
        self.warnings: list[str] = []  # what was said about them, for the result's notes

    @property
    def pure(self) -> bool:
        """Does the same input frame give the same output, leaving the input as it was?
        Only then may an unchanged grab be skipped (a camera overlay changes on its own;
        an overlay drawn in place changes the kept frame). A transform says so with a
        ``pure = True`` attribute; without one it is taken as not pure."""
        return all(getattr(t, "pure", False) for t in self._active)

    @property
    def names(self) -> list[str]:
        return [t.name for t in self._active]

    def output_size(self, width: int, height: int) -> Size:
        """The frame size after every transform, for source frames of this size."""
        sizes = []
        size = (width, height)
        for transform in self._active:
            out = transform.output_size(*size)
            sizes.append((size, out))
            size = out
        self._sizes = sizes
        return size

    def apply(self, image: Image, slot: int) -> Image:
        if not self._active:
            return image
        if self._sizes is None:
            self.output_size(image.shape[1], image.shape[0])
        assert self._sizes is not None
        index = 0
        while index < len(self._active):
            transform = self._active[index]
            size_in, (width, height) = self._sizes[index]
            try:
                result = transform.apply(image, slot)
                if result.shape != (height, width, 4):
                    raise ValueError(
                        f"it returned a {'x'.join(map(str, result.shape))} array "
                        f"instead of {height}x{width}x4"
                    )
            except Exception as exc:
                if size_in != (width, height):
                    raise TransformFailed(
                        f"{transform.name} failed on frame {slot}: {exc}"
                    ) from exc
                self._remove(index, slot, exc)
                continue
            image = result
            index += 1
        return image

    def grabbing(self, slot: int) -> None:
        """The capture thread is about to grab ``slot``: a transform that draws something
        of its own moment (the camera bubble) takes it now, with a ``grabbing(slot)``
        method, so that it matches the screen however late the encoder gets to the frame.
        Never raises: a failure here only leaves the transform its later picture."""
        for transform in list(self._active):
            grabbing = getattr(transform, "grabbing", None)
            if grabbing is None:
                continue
            try:
                grabbing(slot)
            except Exception:
                log.debug("%s failed before grab %d", transform.name, slot, exc_info=True)

    def close(self) -> None:
        transforms, self._active, self._sizes = self._active, [], None
        for transform in transforms:
            _close(transform)

    def _remove(self, index: int, slot: int, exc: Exception) -> None:
        assert self._sizes is not None
        transform = self._active.pop(index)
        del self._sizes[index]
        log.warning("frame transform %s failed on frame %d", transform.name, slot, exc_info=exc)
        self.removed.append(transform.name)
        _close(transform)
        message = f"{transform.name} stopped working ({exc}): the recording goes on without it"
        self.warnings.append(message)
        if self._on_warning is not None:
            try:
                self._on_warning(message)
            except Exception:
                log.exception("on_warning callback failed")


def _close(transform: FrameTransform) -> None:
    try:
        transform.close()
    except Exception:
        log.warning("closing frame transform %s failed", transform.name, exc_info=True)
