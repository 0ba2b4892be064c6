"""Convert only the part of a frame that changed: scrolling text or a typing window is a
box of the screen, and the colour conversion (BGRA -> yuv420p) is the costliest step
per frame after the encoder.

The converter keeps the converted picture of the frame before. For a new frame it takes
the box outside which both frames are equal: from the capture when the source knows it
(X11: ``ScreenSource.changed_box``, from XDamage, free), else by comparing rows
(``changed_rows``: C memcmp on 16-row bands, scanning in from both ends, so
full-screen motion costs two calls; whole rows only). It widens the box to multiples
of 16 pixels, converts that block (a strided view of the capture: no copy) and writes
its pixels into the kept picture, which becomes the new frame.

Exactness: the block's pixels are byte-identical to the same pixels of the whole frame
converted. With one pixel's colour per 2x2 block (POINT, what the writer uses at the
same size) nothing outside the block is read, and the 16-pixel grid keeps swscale's
dither pattern in phase; a filtering conversion reads a row or two beyond the block
and its colours reach as far outside it (``margin``: 8 pixels around the box are
written too, from a block converted with 8 more).

In place: the libx264 encoder copies each picture it is given before it returns, so
the kept picture can be written into for the next frame (``in_place``); for other
encoders each frame is a new picture (a copy of the kept one, then the block). Above
``whole_above`` of the frame the whole frame is converted at once: cheaper than a
block and the writing of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from capdesk.encode.stillness import same_pixels

Image = npt.NDArray[np.uint8]
Box = tuple[int, int, int, int]  # (left, top, right, bottom), right and bottom excluded

BAND = 16  # rows compared at a time (a macroblock row); the grid blocks are widened to
MARGIN = 8  # rows and columns converted beyond a block for a filtering conversion
# Convert the whole frame when the block is more than this share of it: in place, a
# block costs its share of the conversion plus about 10% for writing it into the kept
# picture (measured at 1080p: 59% of the frame 4.2 ms, 83% 5.3 ms, the whole 5.9 ms);
# copying the kept picture first costs another 0.5 ms.
WHOLE_ABOVE = 0.85
WHOLE_ABOVE_COPYING = 0.6


def changed_rows(previous: Image, image: Image, band: int = BAND) -> tuple[int, int] | None:
    """The rows ``[top, bottom)`` outside which both frames are equal (multiples of
    ``band``, ``bottom`` capped at the height), or None when nothing changed."""
    height = image.shape[0]
    bands = (height + band - 1) // band

    def differs(index: int) -> bool:
        start, stop = index * band, min(height, (index + 1) * band)
        return not same_pixels(previous[start:stop], image[start:stop])

    first = next((i for i in range(bands) if differs(i)), None)
    if first is None:
        return None
    last = next(i for i in range(bands - 1, first - 1, -1) if i == first or differs(i))
    return first * band, min(height, (last + 1) * band)


def on_grid(box: Box, width: int, height: int, grid: int = BAND) -> Box:
    """``box`` widened to multiples of ``grid`` (capped at the frame's even size)."""
    left, top, right, bottom = box
    return (max(0, left // grid * grid), max(0, top // grid * grid),
            min(width, -(-right // grid) * grid), min(height, -(-bottom // grid) * grid))


def _planes(flat: Image, height: int, width: int) -> tuple[Image, Image, Image]:
    """Y, U and V of a contiguous yuv420p picture."""
    size = height * width
    return (flat[:size].reshape(height, width),
            flat[size:size * 5 // 4].reshape(height // 2, width // 2),
            flat[size * 5 // 4:].reshape(height // 2, width // 2))


def frame_planes(frame: Any, height: int, width: int) -> tuple[Image, Image, Image]:
    """Y, U and V of a PyAV yuv420p frame, as views (rows may be padded: sliced off)."""
    out = []
    for index, (rows, cols) in enumerate(((height, width), (height // 2, width // 2),
                                          (height // 2, width // 2))):
        plane = frame.planes[index]
        data = np.frombuffer(plane, dtype=np.uint8).reshape(rows, plane.line_size)
        out.append(data[:, :cols])
    return out[0], out[1], out[2]


class BandConverter:
    """BGRA -> yuv420p, converting only the changed box when that pays.

    ``convert_rows(image)`` converts a (rows, columns, 4) BGRA block (rows may be
    strided) into a PyAV yuv420p frame of the same size; ``to_frame(flat)`` wraps a
    contiguous yuv420p buffer. ``margin``: 0 when the conversion reads no pixel outside
    the one it converts (POINT chroma), else ``MARGIN``.
    """

    def __init__(self, width: int, height: int, convert_rows: Callable[[Image], Any],
                 to_frame: Callable[[Image], Any], *, in_place: bool = False,
                 margin: int = MARGIN) -> None:
        self.width, self.height = width, height
        self._convert_rows = convert_rows
        self._to_frame = to_frame
        self._in_place = in_place
        self._margin = margin
        self._whole_above = WHOLE_ABOVE if in_place else WHOLE_ABOVE_COPYING
        self._kept: Any = None  # the converted picture of the frame written before
        self.partial = 0  # frames converted in part (for measurements and tests)
        self.converted_pixels = 0  # pixels converted in all (for measurements and tests)

    def convert(self, image: Image, previous: Image | None,
                changed: Box | None = None) -> Any:
        """The yuv420p frame of ``image``. ``previous``: the image converted before, if
        the caller kept it untouched; ``changed``: the box outside which the two are
        equal, if the caller knows it (else the rows are compared)."""
        box: Box | None = None
        if previous is not None and self._kept is not None and previous.shape == image.shape:
            if changed is None:
                rows = changed_rows(previous, image)
                box = (0, 0, 0, 0) if rows is None else (0, rows[0], self.width, rows[1])
            else:
                box = on_grid(changed, self.width, self.height)
        if box is None or _area(box) > self._whole_above * self.width * self.height:
            frame = self._convert_rows(image)
            self.converted_pixels += self.width * self.height
        else:
            frame = self._paste(image, box)
            self.partial += 1
        self._kept = frame
        return frame

    def _paste(self, image: Image, box: Box) -> Any:
        height, width = self.height, self.width
        if self._in_place:
            frame = self._kept
            y, u, v = frame_planes(frame, height, width)
        else:
            flat = np.empty(height * width * 3 // 2, dtype=np.uint8)
            y, u, v = _planes(flat, height, width)
            ky, ku, kv = frame_planes(self._kept, height, width)
            y[:], u[:], v[:] = ky, ku, kv
        if box[2] > box[0] and box[3] > box[1]:
            # A filtering conversion changes pixels next to the box too: they are written
            # as well, from a block converted with a margin around them.
            m = self._margin
            left, top, right, bottom = on_grid(
                (box[0] - m, box[1] - m, box[2] + m, box[3] + m), width, height)
            x0, y0, x1, y1 = on_grid(
                (left - m, top - m, right + m, bottom + m), width, height)
            block = self._convert_rows(image[y0:y1, x0:x1])
            self.converted_pixels += (x1 - x0) * (y1 - y0)
            by, bu, bv = frame_planes(block, y1 - y0, x1 - x0)
            y[top:bottom, left:right] = by[top - y0:bottom - y0, left - x0:right - x0]
            cy0, cy1, cx0, cx1 = top // 2, bottom // 2, left // 2, right // 2
            u[cy0:cy1, cx0:cx1] = bu[cy0 - y0 // 2:cy1 - y0 // 2, cx0 - x0 // 2:cx1 - x0 // 2]
            v[cy0:cy1, cx0:cx1] = bv[cy0 - y0 // 2:cy1 - y0 // 2, cx0 - x0 // 2:cx1 - x0 // 2]
        if self._in_place:
            return frame
        return self._to_frame(flat.reshape(height * 3 // 2, width))


def _area(box: Box) -> int:
    return max(0, box[2] - box[0]) * max(0, box[3] - box[1])
