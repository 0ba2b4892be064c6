"""A captured screen or window frame -> the BGRA frame the worker publishes. Qt-free:
the worker hands over the pixel format's name and the mapped planes, so this is tested
without a screen.

A recording cannot change size, so the output size is fixed by the first frame (its
crop, even, scaled down into ``FULL_FRAME_MAX`` if larger). A later frame of another
size (a window that was resized) is scaled into it with its aspect kept, centred on
black. Screens hand Qt BGRX or BGRA frames; at the output size those rows are
published as they are (a view: the shared block's write is the one copy, about 1 ms
at 1080p). Anything else (another pixel format, a scale) goes through FFmpeg's swscale.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from capdesk.capture.camera.convert import PIXEL_FORMATS, frame_from_planes
from capdesk.capture.camera.protocol import FULL_FRAME_MAX

Image = npt.NDArray[np.uint8]
Region = tuple[int, int, int, int]

# Laid out in memory as BGRA (the alpha byte is not used by the encoder).
PASS_THROUGH = frozenset({"BGRA8888", "BGRA8888_Premultiplied", "BGRX8888"})


def even_fit(width: int, height: int, max_w: int, max_h: int) -> tuple[int, int]:
    """``width`` x ``height`` scaled down (never up) to fit ``max_w`` x ``max_h``, aspect
    kept, on even numbers of pixels."""
    scale = min(1.0, max_w / width, max_h / height)
    return max(2, round(width * scale) & ~1), max(2, round(height * scale) & ~1)


def crop_for(region: Region | None, width: int, height: int) -> Region:
    """The even rectangle of a ``width`` x ``height`` frame to publish; ValueError with a
    sentence when ``region`` is not inside the frame."""
    if region is None:
        return 0, 0, width & ~1, height & ~1
    x, y, w, h = region
    if x < 0 or y < 0 or w < 2 or h < 2 or x + w > width or y + h > height:
        raise ValueError(
            f"the area {w}x{h} at {x},{y} is not inside the captured picture "
            f"({width}x{height})")
    return x, y, w & ~1, h & ~1


class FrameFitter:
    """Turns each captured frame into the published one, at a size fixed by the first."""

    def __init__(self, region: Region | None = None,
                 max_size: tuple[int, int] = FULL_FRAME_MAX) -> None:
        self.region = region
        self.max_size = max_size
        self.output_size: tuple[int, int] | None = None
        self.scaled = 0  # frames that had to be scaled (a resized window)

    def convert(self, pixel_format: str, width: int, height: int,
                planes: Sequence[Image]) -> Image:
        """``planes``: each as rows of bytes (a view of the mapped frame is fine: it is read
        once, or returned as a view for the caller to copy at once). KeyError for a pixel
        format not in ``PIXEL_FORMATS``; ValueError for a region outside the frame."""
        layout = PIXEL_FORMATS[pixel_format]
        x, y, w, h = crop_for(self.region, width, height)
        if self.output_size is None:
            self.output_size = even_fit(w, h, *self.max_size)
        out_w, out_h = self.output_size
        if pixel_format in PASS_THROUGH and (w, h) == (out_w, out_h):
            rows = planes[0]
            if rows.shape[0] < y + h or rows.shape[1] < (x + w) * 4:
                raise ValueError(f"a plane of {rows.shape} bytes is too small for {w}x{h}")
            return rows[y:y + h, x * 4:(x + w) * 4].reshape(h, w, 4)
        self.scaled += (w, h) != (out_w, out_h)
        frame = frame_from_planes(layout, planes, x, y, w, h)
        left, top, fit_w, fit_h = fit_box(w, h, out_w, out_h)
        shrinking = fit_w < w or fit_h < h
        scaled = frame.reformat(width=fit_w, height=fit_h, format="bgra",
                                interpolation="AREA" if shrinking else "BILINEAR", threads=1)
        picture = np.asarray(scaled.to_ndarray(), dtype=np.uint8)
        if (fit_w, fit_h) == (out_w, out_h):
            return picture
        canvas = np.zeros((out_h, out_w, 4), dtype=np.uint8)
        canvas[..., 3] = 255
        canvas[top:top + fit_h, left:left + fit_w] = picture
        return canvas


def fit_box(width: int, height: int, out_w: int, out_h: int) -> tuple[int, int, int, int]:
    """Where a ``width`` x ``height`` picture lands in the ``out_w`` x ``out_h`` frame:
    left, top, width, height (itself at 0, 0 when the sizes agree; else scaled with its
    aspect kept and centred, as ``FrameFitter`` publishes it)."""
    if (width, height) == (out_w, out_h):
        return 0, 0, width, height
    fit_w, fit_h = scale_into(width, height, out_w, out_h)
    return ((out_w - fit_w) // 2) & ~1, ((out_h - fit_h) // 2) & ~1, fit_w, fit_h


def scale_into(width: int, height: int, max_w: int, max_h: int) -> tuple[int, int]:
    """``width`` x ``height`` scaled (up or down) to fill ``max_w`` x ``max_h`` as far as
    its aspect allows, even."""
    scale = min(max_w / width, max_h / height)
    return (min(max_w, max(2, round(width * scale) & ~1)),
            min(max_h, max(2, round(height * scale) & ~1)))
