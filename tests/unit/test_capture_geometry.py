"""Logical (Qt) to physical pixel mapping, HiDPI and mixed-ratio multi-monitor."""

from __future__ import annotations

import pytest

from capdesk.capture.geometry import (
    logical_point_to_physical,
    logical_to_physical,
    physical_point_to_logical,
    physical_to_logical,
    virtual_desktop,
)

SINGLE = [(0, 0, 1920, 1080, 1.0)]
RETINA = [(0, 0, 1440, 900, 2.0)]
# A 1080p screen at 100% and, to its right, a 4K screen at 200%: Qt 6 keeps the 4K
# screen's native top-left (1920, 0) and halves its size to 1920x1080 logical.
MIXED = [(0, 0, 1920, 1080, 1.0), (1920, 0, 1920, 1080, 2.0)]
# A 150% laptop screen left of (negative x) a primary 1080p screen.
LEFT_LAPTOP = [(0, 0, 1920, 1080, 1.0), (-2880, 0, 1920, 1200, 1.5)]


def test_single_screen_is_identity() -> None:
    assert logical_to_physical((10, 20, 300, 200), SINGLE) == (10, 20, 300, 200)


def test_device_pixel_ratio_two() -> None:
    assert logical_to_physical((100, 50, 640, 360), RETINA) == (200, 100, 1280, 720)


def test_region_on_hidpi_screen_of_mixed_setup() -> None:
    # Logical x 2020 is 100 logical px into the 4K screen: 1920 + 100 * 2 physical.
    assert logical_to_physical((2020, 100, 400, 300), MIXED) == (2120, 200, 800, 600)


def test_region_on_normal_screen_of_mixed_setup() -> None:
    assert logical_to_physical((100, 100, 400, 300), MIXED) == (100, 100, 400, 300)


def test_region_spanning_screens_with_different_ratios() -> None:
    # From 1820 (100 px before the edge, ratio 1) to 2020 (100 logical px into ratio 2).
    assert logical_to_physical((1820, 0, 200, 100), MIXED) == (1820, 0, 100 + 200, 200)


def test_fractional_ratio_rounds_outward() -> None:
    screens = [(0, 0, 1536, 864, 1.25)]
    x, y, w, h = logical_to_physical((10, 10, 101, 101), screens)
    assert (x, y) == (12, 12)  # floor(12.5)
    assert x + w == 139 and y + h == 139  # ceil(138.75)


def test_negative_coordinates_left_screen() -> None:
    # 100 logical px into the laptop screen: -2880 + 150 physical.
    assert logical_to_physical((-2780, 0, 200, 100), LEFT_LAPTOP) == (-2730, 0, 300, 150)


def test_clipped_to_screens() -> None:
    assert logical_to_physical((1900, 1000, 100, 100), SINGLE) == (1900, 1000, 20, 80)


def test_off_screen_and_empty_regions_raise() -> None:
    with pytest.raises(ValueError):
        logical_to_physical((0, 0, 0, 10), SINGLE)
    with pytest.raises(ValueError):
        logical_to_physical((5000, 5000, 10, 10), SINGLE)


def test_explicit_physical_origin() -> None:
    # A platform that reports logical origins scaled too: pass the physical origin.
    screens = [(0, 0, 1440, 900, 2.0, 0, 0), (1440, 0, 1920, 1080, 1.0, 2880, 0)]
    assert logical_to_physical((1540, 10, 100, 100), screens) == (2980, 10, 100, 100)


def test_points_round_trip() -> None:
    cases = {
        "mixed": (MIXED, [(10.0, 10.0), (1900.0, 500.0), (2500.0, 700.0)]),
        "left": (LEFT_LAPTOP, [(-2000.0, 300.0), (5.0, 5.0)]),
        "retina": (RETINA, [(720.5, 450.25)]),
    }
    for screens, points in cases.values():
        for point in points:
            px, py = logical_point_to_physical(screens, *point)
            assert physical_point_to_logical(screens, px, py) == pytest.approx(point)


def test_rect_round_trip() -> None:
    physical = logical_to_physical((2020, 100, 400, 300), MIXED)
    assert physical_to_logical(physical, MIXED) == pytest.approx((2020, 100, 400, 300))


def test_virtual_desktop() -> None:
    assert virtual_desktop(MIXED) == (0, 0, 1920 + 3840, 2160)
    assert virtual_desktop(LEFT_LAPTOP) == (-2880, 0, 2880 + 1920, 1800)


def test_bad_screen_tuples() -> None:
    with pytest.raises(ValueError):
        logical_to_physical((0, 0, 10, 10), [(0, 0, 10, 10)])
    with pytest.raises(ValueError):
        logical_to_physical((0, 0, 10, 10), [(0, 0, 10, 10, 0.0)])
    with pytest.raises(ValueError):
        logical_to_physical((0, 0, 10, 10), [])
