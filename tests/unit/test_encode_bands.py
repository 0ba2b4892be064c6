"""Only the changed rows are converted, and the picture is byte-identical to converting
the whole frame."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest
from av.video.reformatter import VideoReformatter

from capdesk.encode.bands import MARGIN, WHOLE_ABOVE, BandConverter, changed_rows, frame_planes
from capdesk.encode.diskspace import MIB
from capdesk.engine.options import RecordingOptions
from capdesk.engine.pipeline import LocalRecording

H, W = 240, 320
_REFORMATTER = VideoReformatter()


def convert(image: Any) -> Any:
    return _REFORMATTER.reformat(av.VideoFrame.from_numpy_buffer(image, format="bgra"),
                                 format="yuv420p", dst_colorspace=1, dst_color_range=1,
                                 interpolation="BILINEAR")


def converter(conversion: Any = None, *, in_place: bool = False,
              margin: int = MARGIN) -> BandConverter:
    """A converter at W x H: BILINEAR and copying unless told otherwise."""
    return BandConverter(W, H, conversion or convert,
                         lambda flat: av.VideoFrame.from_numpy_buffer(flat, format="yuv420p"),
                         in_place=in_place, margin=margin)


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


def convert_point(image: Any) -> Any:
    return _REFORMATTER.reformat(av.VideoFrame.from_numpy_buffer(image, format="bgra"),
                                 format="yuv420p", dst_colorspace=1, dst_color_range=1,
                                 interpolation="POINT")


BOXES = [(0, 0, 0, 0), (5, 7, 9, 11), (16, 32, 48, 64), (100, 33, 317, 201), (0, 0, W, H),
         (300, 230, 320, 240), (0, 100, W, 140), (31, 0, 33, H)]


@pytest.mark.parametrize("in_place", [True, False])
@pytest.mark.parametrize(("conversion", "margin"), [(convert_point, 0), (convert, 8)])
def test_a_changed_box_converts_exactly_like_the_whole_frame(
        in_place: bool, conversion: Any, margin: int) -> None:
    """Frame after frame, each differing from the one before only inside a box: every
    picture is the whole frame's conversion, byte for byte, though only blocks were
    converted (in place: into the same picture each time)."""
    rng = np.random.default_rng(11)
    bands = converter(conversion, in_place=in_place, margin=margin)
    image = rng.integers(0, 255, (H, W, 4), dtype=np.uint8)
    bands.convert(image, None)
    pictures: list[Any] = []  # held, so that no two have the same id
    for box in BOXES * 2:
        previous, image = image, image.copy()
        left, top, right, bottom = box
        image[top:bottom, left:right] = rng.integers(0, 255, (bottom - top, right - left, 4),
                                                     dtype=np.uint8)
        got = bands.convert(image, previous, box)
        pictures.append(got)
        for mine, whole in zip(planes_of(got), planes_of(conversion(image)), strict=True):
            assert np.array_equal(mine, whole), box
    assert bands.partial == 2 * (len(BOXES) - 1)  # all but the whole-frame box
    # fewer pixels converted than whole frames would have been
    assert bands.converted_pixels < (1 + 2 * len(BOXES)) * W * H * 0.6
    # In place: the same picture again and again, a new one only for each whole frame.
    distinct = len({id(p) for p in pictures})
    assert distinct == (3 if in_place else 2 * len(BOXES))


def test_an_empty_box_gives_the_kept_picture_without_converting() -> None:
    rng = np.random.default_rng(12)
    bands = converter(convert_point, in_place=True, margin=0)
    image = rng.integers(0, 255, (H, W, 4), dtype=np.uint8)
    first = bands.convert(image, None)
    assert bands.converted_pixels == W * H
    again = bands.convert(image.copy(), image, (0, 0, 0, 0))
    assert again is first and bands.converted_pixels == W * H and bands.partial == 1


def test_a_box_beyond_the_even_frame_is_cut_to_it() -> None:
    rng = np.random.default_rng(13)
    bands = converter(convert_point, in_place=True, margin=0)
    image = rng.integers(0, 255, (H, W, 4), dtype=np.uint8)
    bands.convert(image, None)
    changed = image.copy()
    changed[200:, 290:] = 7
    got = bands.convert(changed, image, (290, 200, W + 11, H + 3))
    for mine, whole in zip(planes_of(got), planes_of(convert_point(changed)), strict=True):
        assert np.array_equal(mine, whole)


def write_moving_boxes(path: Path, with_boxes: bool) -> tuple[list[Any], int]:
    """90 frames at 320x240, a box of new pixels moving over a still picture: what the
    encoder was given (each picture's planes, copied as it got them, and its type),
    and the frames converted in part."""
    from capdesk.encode.writer import Fmp4Writer

    rng = np.random.default_rng(21)
    writer = Fmp4Writer(path, src_width=W, src_height=H, fps=30, encoder="software")
    given: list[Any] = []
    encode = writer._encode

    def watched(frame: Any) -> None:
        given.append((int(frame.pict_type), planes_of(frame)))
        encode(frame)

    writer._encode = watched  # type: ignore[method-assign]
    image = rng.integers(0, 255, (H, W, 4), dtype=np.uint8)
    previous = None
    for slot in range(90):
        x, y = (slot * 13) % (W - 40), (slot * 7) % (H - 30)
        box = (x, y, x + 40, y + 30)
        if previous is not None:
            image = previous.copy()
            image[y:y + 30, x:x + 40] = rng.integers(0, 255, (30, 40, 4), dtype=np.uint8)
        writer.write(image, slot, previous=previous if with_boxes else None,
                     changed=box if with_boxes and previous is not None else None)
        previous = image
    writer.close(90)
    assert writer._bands is not None
    with av.open(str(path)) as container:
        assert len([f for f in container.decode(video=0)]) == 90
    return given, writer._bands.partial


def test_the_encoder_gets_the_same_pictures_from_boxes_as_from_whole_frames(
        tmp_path: Path) -> None:
    """Picture by picture, frame types included, the encoder is given the same whether
    whole frames or only boxes were converted (in place, into the picture it was given
    the frame before: libx264 copied that one)."""
    whole, none_partial = write_moving_boxes(tmp_path / "whole.mp4", with_boxes=False)
    boxed, partial = write_moving_boxes(tmp_path / "boxes.mp4", with_boxes=True)
    assert none_partial == 0 and partial == 89
    assert len(boxed) == len(whole) == 90
    assert [kind for kind, _ in boxed] == [kind for kind, _ in whole]
    assert [kind for kind, _ in boxed].count(1) == 2  # keyframes at 0 and 2 s only
    for (_, mine), (_, theirs) in zip(boxed, whole, strict=True):
        for a, b in zip(mine, theirs, strict=True):
            assert np.array_equal(a, b)


def test_the_encoder_encodes_each_picture_as_it_was_when_given(tmp_path: Path) -> None:
    """A white box moves over grey, its place written into the one picture in place:
    each decoded frame has the box where it was at that frame, and not yet where it is
    next (which would show if libx264 read the picture after it had been given)."""
    from capdesk.encode.writer import Fmp4Writer

    path = tmp_path / "moving.mp4"
    writer = Fmp4Writer(path, src_width=W, src_height=H, fps=30, encoder="software")
    place = [((slot * 48) % (W - 32), (slot * 32) % (H - 32)) for slot in range(60)]
    previous: np.ndarray | None = None
    for slot, (x, y) in enumerate(place):
        image = np.full((H, W, 4), 96, dtype=np.uint8)
        image[y:y + 32, x:x + 32] = 255
        changed: tuple[int, int, int, int] | None = None
        if slot:
            px, py = place[slot - 1]
            changed = (min(x, px), min(y, py), max(x, px) + 32, max(y, py) + 32)
        writer.write(image, slot, previous=previous, changed=changed)
        previous = image
    writer.close(60)
    assert writer._bands is not None and writer._bands.partial == 59
    with av.open(str(path)) as container:
        frames = [f.to_ndarray(format="gray") for f in container.decode(video=0)]
    assert len(frames) == 60
    for slot, gray in enumerate(frames[:-1]):
        (x, y), (nx, ny) = place[slot], place[slot + 1]
        assert gray[y + 8:y + 24, x + 8:x + 24].mean() > 200, slot
        if abs(nx - x) >= 32 or abs(ny - y) >= 32:
            assert gray[ny + 8:ny + 24, nx + 8:nx + 24].mean() < 130, slot


def test_blocks_of_a_few_sizes_keep_their_swscale_set_ups(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """swscale sets itself up again (tables, threads) for every new size: blocks whose
    size alternates reuse one set-up per size instead."""
    import av.video.reformatter

    from capdesk.encode.writer import BLOCK_SIZES_KEPT, Fmp4Writer

    made: list[Any] = []
    real = av.video.reformatter.VideoReformatter

    def counted() -> Any:
        made.append(real())
        return made[-1]

    monkeypatch.setattr(av.video.reformatter, "VideoReformatter", counted)
    writer = Fmp4Writer(tmp_path / "sizes.mp4", src_width=W, src_height=H, fps=30,
                        encoder="software")
    made.clear()  # the writer's own, for scaled or whole frames without a picture before
    rng = np.random.default_rng(3)
    previous = rng.integers(0, 255, (H, W, 4), dtype=np.uint8)
    writer.write(previous, 0)
    boxes = [(16, 16, 64, 64), (16, 16, 64, 96)]
    for slot in range(1, 41):
        image = previous.copy()
        left, top, right, bottom = boxes[slot % 2]
        image[top:bottom, left:right] = slot
        writer.write(image, slot, previous=previous, changed=boxes[slot % 2])
        previous = image
    writer.close(41)
    assert len(made) == 3  # whole frames, and one per block size
    assert sorted(writer._block_reformatters) == [(48, 48), (48, 80), (W, H)]
    for size in range(BLOCK_SIZES_KEPT + 3):  # never more than a few kept
        writer._reformat_rows(np.zeros((16 + 16 * size, 32, 4), dtype=np.uint8))
    assert len(writer._block_reformatters) == BLOCK_SIZES_KEPT
