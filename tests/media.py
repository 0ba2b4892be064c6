"""Small real video files for tests and benchmarks, written with PyAV."""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction
from pathlib import Path
from typing import cast

import av
import numpy as np
import numpy.typing as npt

Picture = npt.NDArray[np.uint8]  # (height, width, 3) RGB


def write_video(path: Path, pictures: Iterable[Picture], *, fps: int, codec: str = "libx264",
                pix_fmt: str = "yuv420p", container_format: str | None = None) -> Path:
    """Encode RGB pictures (all the same size) at ``fps`` into ``path``; returns it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w", format=container_format) as container:
        stream = cast(av.VideoStream, container.add_stream(codec, rate=fps))
        stream.codec_context.time_base = Fraction(1, fps)
        for index, picture in enumerate(pictures):
            if index == 0:
                stream.width, stream.height = picture.shape[1], picture.shape[0]
                stream.pix_fmt = pix_fmt
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            frame.pts = index
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def red_blue_clip(path: Path, *, seconds: float = 2.0, fps: int = 30) -> Path:
    """A camera stand-in: 320x240, left half pure red, right half pure blue (a mirrored
    picture shows blue on the left)."""
    image = np.zeros((240, 320, 3), dtype=np.uint8)
    image[:, :160] = (255, 0, 0)
    image[:, 160:] = (0, 0, 255)
    return write_video(path, (image for _ in range(round(seconds * fps))), fps=fps)


def clip_colour(r: float, g: float, b: float, *, least: float = 200) -> str | None:
    """"red" or "blue" when a pixel shows one of ``red_blue_clip``'s colours, else None
    (``least``: how strong the colour must be; the test card's blue ramp reaches 200)."""
    if r > 200 and g < 60 and b < 60:
        return "red"
    if b > least and r < 60 and g < 60:
        return "blue"
    return None


def clip_hue(r: float, g: float, b: float, *, lead: float = 100) -> str | None:
    """"red" or "blue" when that channel leads the other two by ``lead``: how
    ``red_blue_clip``'s colours are told in a keyframe the bitrate cap starved.

    The noise test card needs far more than capdesk's bitrate cap (uncapped, its P frames
    are 316 KB at 1280x720, 76 Mbit/s, against a cap of 4.15), so every frame is squeezed
    (P frames 16-18 KB), and a keyframe after the first, which must draw the whole picture
    again, gets what the buffer has left: 17-31 KB against 325 KB for the first (its buffer
    started full). Its flat red decodes as (175, 0, 11) to (194, 0, 24); the next frame
    brings it back (measured over 26 recordings)."""
    if r - max(g, b) > lead:
        return "red"
    if b - max(r, g) > lead:
        return "blue"
    return None


def later_keyframes(path: Path) -> set[int]:
    """Indices (in decoding order) of the keyframes after the first."""
    with av.open(str(path)) as container:
        keys = [index for index, frame in enumerate(container.decode(video=0)) if frame.key_frame]
    return set(keys[1:])
