"""The camera bubble's outline in pixels: where its square goes in a frame, and which of
its pixels are inside the circle (or rounded square), with an anti-aliased edge.

Pure numpy, computed once per size and shape (``outline`` is cached) so that drawing
a frame only copies and blends.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SHAPES = ("circle", "rounded")
ROUNDED_RADIUS = 0.22  # the rounded square's corner radius, as a fraction of its side
MIN_SIDE = 4


@dataclass(frozen=True)
class Outline:
    """The bubble's pixels within its ``side`` x ``side`` square."""

    side: int
    inside: npt.NDArray[np.bool_]  # (side, side, 1): fully covered: the camera's pixel as is
    edge_rows: npt.NDArray[np.intp]  # the partly covered pixels (the anti-aliased edge) ...
    edge_cols: npt.NDArray[np.intp]
    edge_alpha: npt.NDArray[np.uint16]  # ... and their coverage, (n, 1) in 1..254


def coverage(side: int, shape: str) -> npt.NDArray[np.float64]:
    """How much of each pixel of the square the shape covers, 0..1 (an estimate from the
    distance of the pixel's centre to the outline: exact enough for a one-pixel edge)."""
    if shape not in SHAPES:
        raise ValueError(f"unknown bubble shape {shape!r} ({' or '.join(SHAPES)})")
    half = side / 2
    centres = np.arange(side, dtype=np.float64) + 0.5 - half
    ys, xs = centres[:, None], centres[None, :]
    if shape == "circle":
        distance = np.hypot(xs, ys) - half  # signed: < 0 inside
    else:
        radius = ROUNDED_RADIUS * side
        qx = np.abs(xs) - (half - radius)
        qy = np.abs(ys) - (half - radius)
        outside = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
        distance = outside + np.minimum(np.maximum(qx, qy), 0) - radius
    return np.clip(0.5 - distance, 0.0, 1.0)


@functools.lru_cache(maxsize=16)
def outline(side: int, shape: str) -> Outline:
    """The outline of a bubble ``side`` pixels across (cached; its arrays are read-only)."""
    alpha = np.rint(coverage(side, shape) * 255).astype(np.uint16)
    inside = alpha == 255
    rows, cols = np.nonzero((alpha > 0) & ~inside)
    edge_alpha = alpha[rows, cols][:, None]
    arrays = (inside, rows, cols, edge_alpha)
    for array in arrays:
        array.flags.writeable = False
    return Outline(side, inside[:, :, None], rows.astype(np.intp), cols.astype(np.intp),
                   edge_alpha)


def pixel_box(center_x: float, center_y: float, diameter: float,
              width: int, height: int) -> tuple[int, int, int]:
    """(x, y, side) of the bubble's square in a ``width`` x ``height`` frame: ``diameter``
    is a fraction of the height, the centre fractions of each side; the square is kept
    whole inside the frame (moved in from an edge, shrunk if the frame is smaller)."""
    side = max(MIN_SIDE, round(diameter * height))
    side = min(side, width, height)
    x = round(center_x * width - side / 2)
    y = round(center_y * height - side / 2)
    return min(max(0, x), width - side), min(max(0, y), height - side), side


def nearest_indices(source: int, target: int) -> npt.NDArray[np.intp]:
    """Which of ``source`` samples each of ``target`` samples takes (nearest neighbour)."""
    picks = ((np.arange(target, dtype=np.float64) + 0.5) * source / target).astype(np.intp)
    return np.minimum(picks, source - 1)
