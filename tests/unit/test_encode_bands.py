"""Only the changed rows are converted, and the picture is byte-identical to converting
the whole frame."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from av.video.reformatter import VideoReformatter

from capdesk.encode.bands import WHOLE_ABOVE, BandConverter, changed_rows, frame_planes
from capdesk.encode.diskspace import MIB
from capdesk.engine.options import RecordingOptions
from capdesk.engine.pipeline import LocalRecording

H, W = 240, 320
_REFORMATTER = VideoReformatter()


def convert(image: Any) -> Any:
    return _REFORMATTER.reformat(av.VideoFrame.from_numpy_buffer(image, format="bgra"),
                                 format="yuv420p", dst_colorspace=1, dst_color_range=1,
                                 interpolation="BILINEAR")


def converter() -> BandConverter:
    return BandConverter(W, H, convert,
                         lambda flat: av.VideoFrame.from_numpy_buffer(flat, format="yuv420p"))


def planes_of(frame: Any) -> list[np.ndarray]:
    return [p.copy() for p in frame_planes(frame, H, W)]


def test_changed_rows() -> None:
    rng = np.random.default_rng(5)
    a = rng.integers(0, 255, (H, W, 4), dtype=np.uint8)
    b = a.copy()
    assert changed_rows(a, b) is None
    b[100, 7, 1] ^= 1
    assert changed_rows(a, b) == (96, 112)
    b[3, 0, 0] ^= 1
    b[239, 319, 3] ^= 1
    assert changed_rows(a, b) == (0, 240)
    c = a.copy()
    c[230, 5, 2] ^= 1
    assert changed_rows(a, c) == (224, 240)


@pytest.mark.parametrize("rows", [(0, 10), (50, 90), (100, 101), (200, 240), (17, 33)])
def test_a_changed_band_converts_exactly_like_the_whole_frame(rows: tuple[int, int]) -> None:
    rng = np.random.default_rng(7)
    first = rng.integers(0, 255, (H, W, 4), dtype=np.uint8)
    second = first.copy()
    second[rows[0]:rows[1]] = rng.integers(0, 255, (rows[1] - rows[0], W, 4), dtype=np.uint8)
    bands = converter()
    bands.convert(first, None)
    got = bands.convert(second, first)
    assert bands.partial == 1
    for mine, whole in zip(planes_of(got), planes_of(convert(second)), strict=True):
        assert np.array_equal(mine, whole)


def test_most_rows_changed_converts_the_whole_frame() -> None:
    rng = np.random.default_rng(9)
    first = rng.integers(0, 255, (H, W, 4), dtype=np.uint8)
    second = rng.integers(0, 255, (H, W, 4), dtype=np.uint8)
    second[: int(H * (1 - WHOLE_ABOVE)) - 16] = first[: int(H * (1 - WHOLE_ABOVE)) - 16]
    bands = converter()
    bands.convert(first, None)
    got = bands.convert(second, first)
    assert bands.partial == 0
    for mine, whole in zip(planes_of(got), planes_of(convert(second)), strict=True):
        assert np.array_equal(mine, whole)


class ScrollingBand:
    """A still screen with a band of rows that changes every frame, like scrolling text."""

    description = "band test screen"

    def __init__(self) -> None:
        self.width, self.height = W, H
        self.notes: list[str] = []
        self.base = np.full((H, W, 4), 90, dtype=np.uint8)

    def open(self) -> None:
        pass

    def grab(self, slot: int) -> Any:
        image = self.base.copy()
        image[80:140, 40:280, :3] = (slot * 7) % 256
        return image

    def release(self, image: Any) -> None:
        pass

    def close(self) -> None:
        pass


def test_a_recording_converts_only_the_band_and_plays(tmp_path: Path) -> None:
    options = RecordingOptions(output=tmp_path / "band.mp4", fps=30, seconds=1.0,
                               encoder="software")
    rec = LocalRecording(options, source=ScrollingBand(), free_space=lambda _: 10_000 * MIB)
    rec.start()
    result = rec.wait(30)
    assert result is not None and result.frames >= 20
    writer = rec._writer
    assert writer is not None and writer._bands is not None
    assert writer._bands.partial >= result.frames - 2
    with av.open(str(result.file)) as container:
        frames = [f.to_ndarray(format="gray") for f in container.decode(video=0)]
    assert len(frames) == result.frames
    last = frames[-1]
    assert abs(int(last[10:60].mean()) - int(frames[0][10:60].mean())) <= 2  # still part
