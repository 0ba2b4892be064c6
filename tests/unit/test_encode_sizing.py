"""Output size (scale to max height, aspect kept, even sides) and the bitrate cap."""

from __future__ import annotations

import pytest

from capdesk.encode.sizing import bitrate_cap, keyframe_interval, needs_scaling, output_size


@pytest.mark.parametrize(
    ("src", "max_height", "expected"),
    [
        ((1920, 1080), 1080, (1920, 1080)),
        ((3840, 2160), 1080, (1920, 1080)),
        ((2560, 1440), 1080, (1920, 1080)),
        ((3440, 1440), 1080, (2580, 1080)),
        ((1920, 1200), 1080, (1728, 1080)),
        ((5120, 1440), 720, (2560, 720)),
        ((1001, 2001), 1080, (540, 1080)),  # 540.27 -> 540
        ((1366, 768), 1080, (1366, 768)),
        ((101, 51), 1080, (100, 50)),  # odd, not scaled: cropped to even
        ((1920, 1080), 1079, (1916, 1078)),  # odd max height: even result
    ],
)
def test_output_size(src: tuple[int, int], max_height: int, expected: tuple[int, int]) -> None:
    width, height = output_size(*src, max_height)
    assert (width, height) == expected
    assert width % 2 == 0 and height % 2 == 0
    if src[1] > max_height:
        assert abs(width / height - src[0] / src[1]) < 0.01


def test_needs_scaling() -> None:
    assert not needs_scaling((101, 51), (100, 50))
    assert needs_scaling((3840, 2160), (1920, 1080))


def test_bitrate_cap_near_point_15_bits_per_pixel() -> None:
    assert bitrate_cap(1920, 1080, 30) == pytest.approx(9.3e6, rel=0.01)
    assert keyframe_interval(30) == 60


def test_too_small() -> None:
    with pytest.raises(ValueError):
        output_size(1, 100)
