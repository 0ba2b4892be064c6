"""The camera bubble: the newest camera picture, in a circle (or rounded square), drawn
into each recorded frame. A frame transform (see ``chain``), last in the chain.

Where it goes is a ``BubblePlacement``: its centre as fractions of the frame's width and
height (so it lands in the same place at any capture size), its diameter as a fraction
of the frame's height, its shape, and whether the camera is mirrored (as people expect
to see themselves; on by default). ``BUBBLE_SIZES`` are the three sizes, and
``corner_placement`` puts a bubble in a corner with a margin (``DEFAULT_PLACEMENT``:
bottom-right, medium, for a 16:9 frame). The square is always kept whole inside the
frame.

``BubbleTransform(feed, placement, on_warning)`` draws it. ``feed`` is a started
``camera.feed.CameraFeed`` (or anything with its ``latest_stamped()``, ``frame_number``,
``alive`` and ``error``);
the transform never stops it: whoever started it does (the engine, or the app that also
shows it as the on-screen preview). ``move(placement)`` may be called from any thread
(the app's, while the bubble is dragged or resized) and takes effect at the next frame.
Per frame it:

- takes the camera picture of the moment its screen was grabbed (``grabbing``, called
  by the capture thread just before each grab; the newest camera frame then, no queue: a
  camera slower than the recording shows the same picture again, one faster is
  sampled), so the face matches the screen and the sound however long the frame waits
  for the encoder; only when the picture is new is it centre-cropped
  to a square, scaled to the bubble's side (nearest neighbour: the engine starts the
  feed at the bubble's size, so this only happens after a resize) and mirrored;
- copies it into the frame where the shape fully covers the pixel (a masked copy of
  32-bit pixels), blends the one-pixel edge with integer arithmetic (anti-aliased), and
  touches nothing else: all the work is on the bubble's square, with the masks
  precomputed (``bubble_shape``). Measured (``bench/bubble.py``): about 0.3 ms per
  1080p frame for the medium bubble on the 2-core test machine.

With ``CAPDESK_BUBBLE_LOG`` set to a file, each frame's bubble is logged there, unbuffered:
``BUBBLE_LOG_RECORD`` (slot, camera frame number, when the camera worker received that
frame, when it was drawn; ``time.monotonic()`` seconds). Beside the engine's frame log
(``CAPDESK_FRAME_LOG``: when each slot was grabbed), it tells how far the camera picture
lags the screen it is drawn on (``bench/bubble.py`` prints it).

When the feed dies (the camera unplugged, its process gone), nothing is drawn from then
on and ``on_warning`` is told once: "the camera stopped (why): the recording goes on
without the bubble". It is not ``pure``: the camera changes on its own, so an unchanged
screen grab still makes a new frame.
"""

from __future__ import annotations

import logging
import os
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO, Protocol

import numpy as np
import numpy.typing as npt

from capdesk.capture.transforms.bubble_shape import (
    SHAPES,
    Outline,
    nearest_indices,
    outline,
    pixel_box,
)
from capdesk.capture.transforms.chain import Image, Size

log = logging.getLogger(__name__)

BUBBLE_LOG_ENV = "CAPDESK_BUBBLE_LOG"
MAX_MOMENTS = 64  # camera pictures kept for slots grabbed and not yet drawn
BUBBLE_LOG_RECORD = struct.Struct("<qqdd")  # slot, camera frame, received, drawn
BUBBLE_SIZES = {"small": 0.18, "medium": 0.25, "large": 0.35}  # diameter / frame height
BUBBLE_CORNERS = ("bottom-right", "bottom-left", "top-right", "top-left")
MARGIN = 0.04  # between a corner bubble and the frame's edges, a fraction of the height
DEFAULT_ASPECT = 16 / 9


@dataclass(frozen=True)
class BubblePlacement:
    center_x: float  # 0..1 of the recorded frame's width
    center_y: float  # 0..1 of its height
    diameter: float  # a fraction of the frame's height (0..1]
    shape: str = "circle"  # "circle" or "rounded" (a rounded square)
    mirror: bool = True  # flip the camera left-right, as in a mirror

    def __post_init__(self) -> None:
        if not (0.0 <= self.center_x <= 1.0 and 0.0 <= self.center_y <= 1.0):
            raise ValueError(f"the bubble's centre must be within 0..1, not "
                             f"{self.center_x}, {self.center_y}")
        if not 0.0 < self.diameter <= 1.0:
            raise ValueError(f"the bubble's diameter must be within (0, 1], not {self.diameter}")
        if self.shape not in SHAPES:
            raise ValueError(f"unknown bubble shape {self.shape!r} ({' or '.join(SHAPES)})")


def corner_placement(
    corner: str = "bottom-right",
    size: str = "medium",
    *,
    aspect: float = DEFAULT_ASPECT,
    shape: str = "circle",
    mirror: bool = True,
) -> BubblePlacement:
    """A bubble of one of ``BUBBLE_SIZES`` in one of ``BUBBLE_CORNERS``, ``MARGIN`` from
    both edges in a frame of this ``aspect`` (width / height)."""
    if corner not in BUBBLE_CORNERS:
        raise ValueError(f"unknown corner {corner!r} ({', '.join(BUBBLE_CORNERS)})")
    if size not in BUBBLE_SIZES:
        raise ValueError(f"unknown bubble size {size!r} ({', '.join(BUBBLE_SIZES)})")
    diameter = BUBBLE_SIZES[size]
    from_edge = MARGIN + diameter / 2  # in frame heights
    x = min(0.5, from_edge / aspect)
    y = min(0.5, from_edge)
    vertical, horizontal = corner.split("-")
    return BubblePlacement(
        center_x=1 - x if horizontal == "right" else x,
        center_y=1 - y if vertical == "bottom" else y,
        diameter=diameter, shape=shape, mirror=mirror,
    )


DEFAULT_PLACEMENT = corner_placement()


class Feed(Protocol):
    """What the bubble needs of a camera feed (``camera.feed.CameraFeed`` has it)."""

    @property
    def alive(self) -> bool: ...

    @property
    def error(self) -> str | None: ...

    def latest_stamped(self) -> tuple[int, Image, float] | None:
        """(frame number, BGRA copy, when the camera's worker received it)."""

    @property
    def frame_number(self) -> int:
        """The newest frame's number, without copying it."""


@dataclass(frozen=True)
class _Layout:
    """A placement in pixels, for one frame size."""

    x: int
    y: int
    outline: Outline
    mirror: bool


class BubbleTransform:
    """Draws the camera bubble into each frame (see the module's docstring)."""

    pure = False  # the camera changes on its own

    def __init__(
        self,
        feed: Feed,
        placement: BubblePlacement = DEFAULT_PLACEMENT,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        self.name = "camera bubble"
        self._feed = feed
        self._placement = placement
        self._on_warning = on_warning
        self._lock = threading.Lock()
        self._moved_to: BubblePlacement | None = None
        self._frame_size: Size | None = None
        self._layout: _Layout | None = None
        self._picture: Image | None = None  # the camera frame, ready to copy
        self._picture_key: tuple[int, int, bool] | None = None  # (frame number, side, mirror)
        self._scaling: dict[tuple[int, int, bool], npt.NDArray[np.intp]] = {}
        self.dead = False
        self._log = _open_log(os.environ.get(BUBBLE_LOG_ENV))
        # The camera picture of each slot, taken just before its screen grab (grabbing):
        # drawn with that slot however long it waits in the encoder's queue.
        self._moments: dict[int, tuple[int, Image, float]] = {}
        self._moment: tuple[int, Image, float] | None = None  # the newest one taken

    @property
    def placement(self) -> BubblePlacement:
        with self._lock:
            return self._moved_to or self._placement

    def move(self, placement: BubblePlacement) -> None:
        """Put the bubble there from the next frame on (any thread)."""
        if not isinstance(placement, BubblePlacement):
            raise TypeError(f"expected a BubblePlacement, not {type(placement).__name__}")
        with self._lock:
            self._moved_to = placement

    def output_size(self, width: int, height: int) -> Size:
        if width < 2 or height < 2:
            raise ValueError(f"a {width}x{height} frame is too small for a camera bubble")
        self._frame_size = (width, height)
        self._layout = None
        return width, height

    def grabbing(self, slot: int) -> None:
        """The capture thread: the screen of ``slot`` is grabbed next; take the camera's
        picture of this moment (a copy only when the camera has a new one)."""
        feed = self._feed
        if self.dead or not feed.alive:
            return
        moment = self._moment
        if moment is None or feed.frame_number != moment[0]:
            moment = feed.latest_stamped()
            if moment is None:
                return
        with self._lock:
            self._moment = moment
            self._moments[slot] = moment
            if len(self._moments) > MAX_MOMENTS:  # slots that never reached the encoder
                del self._moments[min(self._moments)]

    def apply(self, image: Image, slot: int) -> Image:
        if self.dead:
            return image
        feed = self._feed
        if not feed.alive:
            self._died(feed.error)
            return image
        layout = self._current_layout(image)
        with self._lock:
            newest = self._moments.pop(slot, None)
            for old in [s for s in self._moments if s < slot]:  # dropped on the way
                del self._moments[old]
        if newest is None:  # not taken at grab time (a frame not from the capture loop)
            newest = feed.latest_stamped()
        if newest is None:  # no picture yet
            return image
        number, camera, received = newest
        picture = self._prepared((number, camera), layout)
        box = image[layout.y : layout.y + layout.outline.side,
                    layout.x : layout.x + layout.outline.side]
        shape = layout.outline
        # Whole pixels as 32-bit words: a masked copy 15x faster than of their bytes.
        try:
            np.copyto(box.view(np.uint32), picture.view(np.uint32), where=shape.inside)
        except ValueError:  # a frame whose pixels' bytes are not next to each other
            np.copyto(box, picture, where=shape.inside)
        rows, cols, alpha = shape.edge_rows, shape.edge_cols, shape.edge_alpha
        under = box[rows, cols].astype(np.uint16)
        over = picture[rows, cols].astype(np.uint16)
        under *= 255 - alpha
        over *= alpha
        over += under
        over += 127
        over //= 255
        box[rows, cols] = over
        if self._log is not None:
            self._log.write(BUBBLE_LOG_RECORD.pack(slot, number, received, time.monotonic()))
        return image

    def close(self) -> None:
        """Frees the pictures kept; the feed is its owner's to stop."""
        self._picture = None
        self._scaling.clear()
        with self._lock:
            self._moments.clear()
            self._moment = None
        if self._log is not None:
            self._log.close()
            self._log = None

    # -- internals ----------------------------------------------------------------------------
    def _current_layout(self, image: Image) -> _Layout:
        with self._lock:
            moved, self._moved_to = self._moved_to, None
        if moved is not None:
            self._placement = moved
            self._layout = None
        size = (image.shape[1], image.shape[0])
        if self._layout is None or size != self._frame_size:
            self._frame_size = size
            placement = self._placement
            x, y, side = pixel_box(placement.center_x, placement.center_y, placement.diameter,
                                   *size)
            self._layout = _Layout(x, y, outline(side, placement.shape), placement.mirror)
        return self._layout

    def _prepared(self, newest: tuple[int, Image], layout: _Layout) -> Image:
        """The camera frame as the bubble's square: cropped, scaled, mirrored (once per
        camera frame and layout)."""
        number, camera = newest
        side = layout.outline.side
        key = (number, side, layout.mirror)
        if self._picture is not None and key == self._picture_key:
            return self._picture
        height, width = camera.shape[:2]
        square = min(width, height)
        top, left = (height - square) // 2, (width - square) // 2
        camera = camera[top : top + square, left : left + square]
        if square == side:  # mirrored: a view, read backwards by the copy
            picture = camera[:, ::-1] if layout.mirror else camera
        else:
            rows = self._indices(square, side, False)
            cols = self._indices(square, side, layout.mirror)
            picture = camera.take(rows, axis=0).take(cols, axis=1)
        self._picture, self._picture_key = picture, key
        return picture

    def _indices(self, source: int, target: int, reverse: bool) -> npt.NDArray[np.intp]:
        key = (source, target, reverse)
        picks = self._scaling.get(key)
        if picks is None:
            picks = nearest_indices(source, target)
            if reverse:
                picks = picks[::-1].copy()
            if len(self._scaling) > 8:
                self._scaling.clear()
            self._scaling[key] = picks
        return picks

    def _died(self, why: str | None) -> None:
        self.dead = True
        self._picture = None
        message = (f"the camera stopped ({why or 'it ended'}): "
                   "the recording goes on without the bubble")
        log.warning("%s", message)
        if self._on_warning is not None:
            try:
                self._on_warning(message)
            except Exception:
                log.exception("on_warning callback failed")


def _open_log(path: str | None) -> BinaryIO | None:
    if not path:
        return None
    try:
        return open(path, "wb", buffering=0)  # kept open for the recording, unbuffered
    except OSError as exc:
        log.warning("cannot write the bubble log %s: %s", path, exc)
        return None
