"""The synthetic test card: moving, hard-to-encode content plus a machine-readable frame counter.

The counter is a band across the top of the card made of two rows of big blocks:
the top row holds a white start marker, the counter's bits (most significant first,
white = 1) and a black end marker; the bottom row holds the complement of every
block. Blocks are several percent of the frame wide, so they survive H.264 at a low
bitrate, chroma subsampling and downscaling; the complement row lets the reader
reject a frame it cannot read with certainty instead of guessing.

``read_counter`` reads the counter back from a decoded frame (any size, any scale,
as long as the card fills the image or ``box`` says where it is), and
``read_video_counters`` does it for every frame of a video file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

COUNTER_BITS = 24
_COLUMNS = COUNTER_BITS + 2  # start marker, bits, end marker
_MIN_CONTRAST = 60  # luma levels between a block and its complement
_PAD = 96  # how far the noise texture can move in each direction
MIN_WIDTH = 2 * _COLUMNS * 4
MIN_HEIGHT = 64

BGRA = npt.NDArray[np.uint8]


def band_height(height: int) -> int:
    """Height of the counter band (both rows) for a card of this height."""
    return max(16, (height // 8) & ~1)


class TestCard:
    """Draws frames of the test card into BGRA buffers.

    ``style="noise"`` moves a noise texture in large jumps every frame, so motion
    search finds nothing and the encoder works hard; ``style="plain"`` draws only
    moving bars on a gradient, for a lighter, screen-like load.
    """

    __test__ = False  # not a pytest class, despite the name

    def __init__(
        self,
        width: int,
        height: int,
        *,
        style: str = "noise",
        seed: int = 7,
        flash_every: int | None = None,
    ) -> None:
        if width < MIN_WIDTH or height < MIN_HEIGHT:
            raise ValueError(f"the test card needs at least {MIN_WIDTH}x{MIN_HEIGHT} pixels")
        if style not in ("noise", "plain"):
            raise ValueError(f"unknown test card style {style!r}")
        self.width = width
        self.height = height
        self.style = style
        # Every ``flash_every`` frames (half of that after frame 0, so the first flash is not
        # at the very start of a file) the body turns white for one frame,
        # below the counter band so the counter stays readable: the synthetic audio source
        # beeps at the same moments, and a test measures the offset between the two.
        self.flash_every = flash_every
        self._band = band_height(height)
        rng = np.random.default_rng(seed)
        body = height - self._band
        if style == "noise":
            # 2x2 noise cells: as hard as noise for the encoder, half the memory traffic to make.
            cells = rng.integers(
                0, 256, size=((body + 2 * _PAD) // 2 + 1, (width + 2 * _PAD) // 2 + 1, 4),
                dtype=np.uint8,
            )
            self._texture = np.repeat(np.repeat(cells, 2, axis=0), 2, axis=1)
        else:
            ramp = np.linspace(40, 200, width, dtype=np.float32).astype(np.uint8)
            tex = np.empty((body, width, 4), dtype=np.uint8)
            tex[:, :, 0] = ramp[None, :]
            tex[:, :, 1] = ramp[None, ::-1]
            tex[:, :, 2] = 90
            tex[:, :, 3] = 255
            self._texture = tex
        self._columns = _column_edges(width)

    def new_buffer(self) -> BGRA:
        return np.empty((self.height, self.width, 4), dtype=np.uint8)

    def draw(self, index: int, out: BGRA | None = None) -> BGRA:
        """Draw frame ``index`` (its counter value) into ``out`` (or a new buffer)."""
        frame = self.new_buffer() if out is None else out
        band = self._band
        body = frame[band:]
        rows = self.height - band
        if self.style == "noise":
            dx = (index * 37) % (2 * _PAD)
            dy = (index * 53) % (2 * _PAD)
            body[:] = self._texture[dy : dy + rows, dx : dx + self.width]
        else:
            body[:] = self._texture
        # A bright bar sweeping across and a dark one sweeping down: motion on any style.
        bar = max(4, self.width // 40)
        x = (index * 12) % max(1, self.width - bar)
        body[:, x : x + bar, :3] = 250
        y = (index * 7) % max(1, rows - bar)
        body[y : y + bar, :, :3] = 15
        if self.flash_every and index % self.flash_every == self.flash_every // 2:
            body[:, :, :3] = 255
        draw_counter(frame, index, self._columns, band)
        return frame


def _column_edges(width: int) -> list[tuple[int, int]]:
    edges = np.linspace(0, width, _COLUMNS + 1).round().astype(int)
    return [(int(edges[i]), int(edges[i + 1])) for i in range(_COLUMNS)]


def counter_blocks(value: int) -> list[bool]:
    """The top row of blocks for ``value``: start marker (on), bits MSB first, end marker (off)."""
    value &= (1 << COUNTER_BITS) - 1
    bits = [bool((value >> (COUNTER_BITS - 1 - i)) & 1) for i in range(COUNTER_BITS)]
    return [True, *bits, False]


def draw_counter(frame: BGRA, value: int, columns: list[tuple[int, int]], band: int) -> None:
    half = band // 2
    for (x0, x1), on in zip(columns, counter_blocks(value), strict=True):
        frame[:half, x0:x1, :3] = 255 if on else 0
        frame[half:band, x0:x1, :3] = 0 if on else 255


def to_luma(image: npt.NDArray[Any]) -> npt.NDArray[np.float32]:
    """Luma of a gray (H, W), RGB/BGR (H, W, 3) or BGRA (H, W, 4) image; any channel order works
    because the counter blocks are neutral grey levels."""
    if image.ndim == 2:
        return np.asarray(image, dtype=np.float32)
    return np.asarray(image[..., :3].mean(axis=2, dtype=np.float32), dtype=np.float32)


def read_counter(
    image: npt.NDArray[Any], box: tuple[int, int, int, int] | None = None
) -> int | None:
    """Read the counter from a decoded frame, or None when the card is not there or unreadable.

    ``box`` (x, y, width, height) says where the card is inside ``image``; by default
    the card fills the image.
    """
    luma = to_luma(image)
    if box is not None:
        x, y, w, h = box
        luma = luma[y : y + h, x : x + w]
    height, width = luma.shape
    if width < _COLUMNS * 2 or height < 8:
        return None
    band = band_height(height)
    half = band // 2
    value = 0
    for i, (x0, x1) in enumerate(_column_edges(width)):
        span = x1 - x0
        cx0, cx1 = x0 + span // 4, x1 - span // 4
        top = float(luma[half // 4 : half - half // 4, cx0:cx1].mean())
        bottom = float(luma[half + half // 4 : band - half // 4, cx0:cx1].mean())
        if abs(top - bottom) < _MIN_CONTRAST:
            return None
        on = top > bottom
        if i == 0:
            if not on:
                return None
        elif i == _COLUMNS - 1:
            if on:
                return None
        else:
            value = (value << 1) | int(on)
    return value


@dataclass(frozen=True)
class DecodedFrame:
    """One decoded frame of a video: its presentation time and the counter it shows."""

    pts: int
    time: float
    counter: int | None


def read_video_counters(
    path: str | Path, box: tuple[int, int, int, int] | None = None
) -> list[DecodedFrame]:
    """Decode every frame of ``path`` and read its counter (None where unreadable).

    Decodes as far as the file can be read: a file cut off mid-fragment yields the
    frames before the cut.
    """
    import av

    frames: list[DecodedFrame] = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        try:
            for frame in container.decode(stream):
                gray = frame.to_ndarray(format="gray")
                pts = int(frame.pts) if frame.pts is not None else -1
                time = float(frame.time) if frame.time is not None else float("nan")
                frames.append(DecodedFrame(pts, time, read_counter(gray, box)))
        except av.error.InvalidDataError:
            pass
    return frames
