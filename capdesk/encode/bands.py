"""Convert only the rows that changed: scrolling text or a typing window is a band of the
screen, and the colour conversion (BGRA -> yuv420p) is the costliest step per frame.

The writer keeps the converted picture of the frame before. For a new frame it finds
the span of rows that differ from the previous capture (``changed_rows``: C memcmp
on 16-row bands, scanning in from both ends, so full-screen motion costs two calls),
converts that span with a few rows of margin, and pastes its rows into a copy of the
kept picture. The margin makes the result byte-identical to converting the whole
frame: the chroma filter reads a row or two beyond a band's edge (measured: 2 rows
of margin already match exactly; 8 are used). When most rows changed, converting the
whole frame is cheaper than a copy and a paste, and that is what happens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from capdesk.encode.stillness import same_pixels

Image = npt.NDArray[np.uint8]

BAND = 16  # rows compared at a time (a macroblock row)
MARGIN = 8  # rows converted beyond the span so chroma at its edges is exact
WHOLE_ABOVE = 0.6  # convert the whole frame when more than this share of rows changed


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
    """BGRA -> yuv420p, converting only the changed rows when that pays.

    ``convert_rows(image)`` converts a (rows, width, 4) BGRA block into a PyAV yuv420p
    frame of the same size; ``to_frame(flat)`` wraps a contiguous yuv420p buffer.
    """

    def __init__(self, width: int, height: int, convert_rows: Callable[[Image], Any],
                 to_frame: Callable[[Image], Any]) -> None:
        self.width, self.height = width, height
        self._convert_rows = convert_rows
        self._to_frame = to_frame
        self._kept: Any = None  # the converted picture of the frame written before
        self.partial = 0  # frames converted in part (for measurements and tests)

    def convert(self, image: Image, previous: Image | None) -> Any:
        span = None
        if previous is not None and self._kept is not None and previous.shape == image.shape:
            span = changed_rows(previous, image)
            if span is None:
                span = (0, 0)
        if span is None or span[1] - span[0] > WHOLE_ABOVE * self.height:
            frame = self._convert_rows(image)
        else:
            frame = self._paste(image, *span)
            self.partial += 1
        self._kept = frame
        return frame

    def _paste(self, image: Image, top: int, bottom: int) -> Any:
        height, width = self.height, self.width
        flat = np.empty(height * width * 3 // 2, dtype=np.uint8)
        y, u, v = _planes(flat, height, width)
        ky, ku, kv = frame_planes(self._kept, height, width)
        y[:], u[:], v[:] = ky, ku, kv
        if bottom > top:
            start = max(0, top - MARGIN) // 2 * 2
            stop = min(height, bottom + MARGIN)
            stop += stop % 2
            block = self._convert_rows(np.ascontiguousarray(image[start:stop]))
            by, bu, bv = frame_planes(block, stop - start, width)
            y[top:bottom] = by[top - start:bottom - start]
            u[top // 2:bottom // 2] = bu[(top - start) // 2:(bottom - start) // 2]
            v[top // 2:bottom // 2] = bv[(top - start) // 2:(bottom - start) // 2]
        return self._to_frame(flat.reshape(height * 3 // 2, width))
