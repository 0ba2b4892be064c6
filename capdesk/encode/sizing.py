"""Output size and bitrate decisions: pure functions, so they are easy to test."""

from __future__ import annotations

DEFAULT_MAX_HEIGHT = 1080
BITS_PER_PIXEL = 0.15  # bitrate cap per pixel per frame: ~9.3 Mbps at 1080p30
KEYFRAME_SECONDS = 2


def even_down(value: int) -> int:
    """The largest even number <= value, at least 2."""
    return max(2, value - (value % 2))


def output_size(width: int, height: int, max_height: int = DEFAULT_MAX_HEIGHT) -> tuple[int, int]:
    """Size of the encoded video for a capture of ``width`` x ``height``.

    Captures taller than ``max_height`` are scaled down keeping the aspect ratio;
    both sides are always even (H.264 4:2:0 needs it). An unscaled odd-sized capture
    loses its last column or row (cropped, not stretched).
    """
    if width < 2 or height < 2:
        raise ValueError(f"capture size {width}x{height} is too small to encode")
    if max_height < 2:
        raise ValueError("max height must be at least 2")
    if height <= max_height:
        return even_down(width), even_down(height)
    out_h = even_down(max_height)
    out_w = even_down(round(width * out_h / height))
    return out_w, out_h


def needs_scaling(src: tuple[int, int], out: tuple[int, int]) -> bool:
    """True when ``out`` is not just ``src`` cropped to even sides."""
    return (even_down(src[0]), even_down(src[1])) != out


def bitrate_cap(width: int, height: int, fps: int, bits_per_pixel: float = BITS_PER_PIXEL) -> int:
    """Maximum bitrate in bits per second for this output size and frame rate."""
    return int(width * height * fps * bits_per_pixel)


def keyframe_interval(fps: int) -> int:
    """Frames between keyframes (and so between fragments)."""
    return max(1, fps * KEYFRAME_SECONDS)
