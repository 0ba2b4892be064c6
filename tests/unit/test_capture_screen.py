"""Choosing what to grab (monitor, all monitors, region) and drawing the cursor."""

from __future__ import annotations

import numpy as np
import pytest

from capdesk.capture.cursor import composite_arrow
from capdesk.capture.screen import pick_monitor, resolve_area
from capdesk.capture.sources import BufferPool, CaptureError, SyntheticSource

# mss layout: [0] = bounding box of all, then each monitor.
TWO = [
    {"left": -1920, "top": 0, "width": 3840, "height": 1080},
    {"left": 0, "top": 0, "width": 1920, "height": 1080, "is_primary": True},
    {"left": -1920, "top": 0, "width": 1920, "height": 1080},
]


def test_default_is_the_primary_monitor() -> None:
    assert pick_monitor(TWO, None)[0] == 1
    no_primary = [TWO[0], {**TWO[2]}, {**TWO[1], "is_primary": False}]
    assert pick_monitor(no_primary, None)[0] == 1


def test_monitor_zero_is_the_whole_virtual_desktop() -> None:
    area = resolve_area(TWO, 0)
    assert (area.left, area.top, area.width, area.height) == (-1920, 0, 3840, 1080)
    assert "all monitors" in area.label


def test_numbered_monitor() -> None:
    area = resolve_area(TWO, 2)
    assert (area.left, area.top, area.width, area.height) == (-1920, 0, 1920, 1080)


def test_missing_monitor_lists_the_ones_there() -> None:
    with pytest.raises(CaptureError, match=r"monitor 3 does not exist.*2 .*1: 1920x1080"):
        resolve_area(TWO, 3)


def test_region_absolute_and_relative_to_monitor() -> None:
    absolute = resolve_area(TWO, None, (-100, 10, 200, 100))
    assert (absolute.left, absolute.top, absolute.width, absolute.height) == (-100, 10, 200, 100)
    relative = resolve_area(TWO, 2, (100, 10, 200, 100))
    assert (relative.left, relative.top) == (-1820, 10)


def test_region_outside_is_refused() -> None:
    with pytest.raises(CaptureError, match="not inside"):
        resolve_area(TWO, None, (1900, 0, 100, 100))
    with pytest.raises(CaptureError, match="too small"):
        resolve_area(TWO, None, (0, 0, 1, 100))


def test_region_in_physical_pixels_on_a_points_based_api() -> None:
    # macOS: mss geometry in points, grabs in pixels (2 per point on Retina).
    retina = [{"left": 0, "top": 0, "width": 1440, "height": 900},
              {"left": 0, "top": 0, "width": 1440, "height": 900}]
    area = resolve_area(retina, None, (200, 100, 800, 600), points_per_pixel=0.5)
    assert (area.left, area.top, area.width, area.height) == (100, 50, 400, 300)


def test_cursor_arrow_is_drawn_and_clipped() -> None:
    image = np.full((50, 50, 4), 128, dtype=np.uint8)
    composite_arrow(image, 10, 10)
    assert (image[10, 10, :3] == 0).all()  # the tip's outline
    assert (image[13, 11, :3] == 255).all()  # white fill
    assert (image[0:9, :, :3] == 128).all()  # nothing above the tip
    edge = np.full((20, 20, 4), 128, dtype=np.uint8)
    composite_arrow(edge, 15, 15)  # partly outside: clipped, no error
    composite_arrow(edge, -30, -30)
    assert (edge[15, 15, :3] == 0).all()


def test_synthetic_source_recycles_buffers() -> None:
    source = SyntheticSource(320, 180)
    first = source.grab(0)
    source.release(first)
    second = source.grab(1)
    assert second is first
    pool = BufferPool(10, 10)
    pool.give(np.zeros((5, 5, 4), dtype=np.uint8))  # wrong size: not kept
    assert pool.take().shape == (10, 10, 4) and pool.allocated == 1
