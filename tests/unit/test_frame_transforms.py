"""The frame-transform stage: the crop, the chain's order and failures, and the engine
running it between capture and encoder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from capdesk.capture.kinds import SourceKind
from capdesk.capture.sources import CaptureError
from capdesk.capture.testcard import read_video_counters
from capdesk.capture.transforms import CropTransform, TransformChain, TransformFailed
from capdesk.capture.transforms.chain import Size
from capdesk.encode.diskspace import MIB
from capdesk.engine.options import RecordingOptions
from capdesk.engine.pipeline import LocalRecording

Image = npt.NDArray[np.uint8]
FPS = 30


def frame(width: int = 8, height: int = 6) -> Image:
    """A BGRA frame whose every byte says where it is: B = x, G = y, R = x + 10 * y, A = 255."""
    image = np.empty((height, width, 4), dtype=np.uint8)
    ys, xs = np.mgrid[0:height, 0:width]
    image[..., 0], image[..., 1], image[..., 2], image[..., 3] = xs, ys, xs + 10 * ys, 255
    return image


class Arithmetic:
    """Keeps the size: B <- B * mul + add on every pixel (order matters: 2x+1 != 2(x+1))."""

    def __init__(self, name: str, mul: int = 1, add: int = 0, fail_at: int | None = None) -> None:
        self.name, self.mul, self.add, self.fail_at = name, mul, add, fail_at
        self.calls: list[int] = []
        self.closed = 0

    def output_size(self, width: int, height: int) -> Size:
        return width, height

    def apply(self, image: Image, slot: int) -> Image:
        self.calls.append(slot)
        if slot == self.fail_at:
            image[0, 0, 0] = 99  # half-done in place, then fails
            raise RuntimeError("camera unplugged")
        image[..., 0] = image[..., 0] * self.mul + self.add
        return image

    def close(self) -> None:
        self.closed += 1


class BrokenCrop(CropTransform):
    fail_from = 1

    def apply(self, image: Image, slot: int) -> Image:
        if slot >= self.fail_from:
            raise RuntimeError("stream gone")
        return super().apply(image, slot)


# -- the crop --------------------------------------------------------------------------------
def test_crop_keeps_exactly_the_rectangle_without_copying() -> None:
    image = frame(8, 6)
    crop = CropTransform(3, 2, 4, 3)
    assert crop.output_size(8, 6) == (4, 3)
    out = crop.apply(image, 0)
    assert out.shape == (3, 4, 4)
    assert out[0, 0].tolist() == [3, 2, 23, 255]  # the source pixel at x=3, y=2
    assert out[2, 3].tolist() == [6, 4, 46, 255]  # the source pixel at x=6, y=4
    assert (out[..., 0] == np.arange(3, 7)[None, :]).all()
    assert (out[..., 1] == np.arange(2, 5)[:, None]).all()
    assert np.shares_memory(out, image)
    assert crop.name == "crop 4x3 at 3,2"


def test_crop_must_fit_inside_the_picture() -> None:
    assert CropTransform(4, 3, 4, 3).output_size(8, 6) == (4, 3)  # flush with the corner
    with pytest.raises(CaptureError, match=r"crop 4x3 at 5,3 is not inside the 8x6 picture"):
        CropTransform(5, 3, 4, 3).output_size(8, 6)
    with pytest.raises(CaptureError, match="not inside"):
        CropTransform(0, 4, 4, 3).output_size(8, 6)
    for bad in ((-1, 0, 4, 4), (0, 0, 1, 4), (0, 0, 4, 0)):
        with pytest.raises(ValueError, match="bad crop"):
            CropTransform(*bad)


# -- the chain -------------------------------------------------------------------------------
def test_an_empty_chain_hands_the_frame_through() -> None:
    image = frame()
    chain = TransformChain()
    assert chain.output_size(8, 6) == (8, 6)
    assert chain.apply(image, 0) is image


def test_transforms_run_in_order() -> None:
    double, plus_one = Arithmetic("double", mul=2), Arithmetic("plus one", add=1)
    forward = TransformChain([double, plus_one]).apply(frame(), 0)
    assert forward[0, :4, 0].tolist() == [1, 3, 5, 7]  # 2x + 1
    backward = TransformChain([plus_one, double]).apply(frame(), 0)
    assert backward[0, :4, 0].tolist() == [2, 4, 6, 8]  # 2(x + 1)
    # A crop first: the next transform sees the cropped frame, in its own coordinates.
    chain = TransformChain([CropTransform(2, 1, 4, 4), double])
    assert chain.output_size(8, 6) == (4, 4)
    assert chain.apply(frame(), 0)[0, :, 0].tolist() == [4, 6, 8, 10]
    assert chain.names == ["crop 4x4 at 2,1", "double"]


def test_output_size_goes_through_every_transform() -> None:
    chain = TransformChain([CropTransform(0, 0, 6, 5), CropTransform(1, 1, 4, 3)])
    assert chain.output_size(8, 6) == (4, 3)
    with pytest.raises(CaptureError, match=r"crop 4x3 at 1,1 is not inside the 4x4 picture"):
        TransformChain([CropTransform(0, 0, 4, 4), CropTransform(1, 1, 4, 3)]).output_size(8, 6)


def test_a_failing_overlay_is_removed_with_one_warning_and_the_frame_goes_on() -> None:
    warnings: list[str] = []
    double, flaky = Arithmetic("double", mul=2), Arithmetic("bubble", add=100, fail_at=1)
    plus_one = Arithmetic("plus one", add=1)
    chain = TransformChain([double, flaky, plus_one], on_warning=warnings.append)
    assert chain.apply(frame(), 0)[0, 1, 0] == 2 * 1 + 100 + 1
    second = chain.apply(frame(), 1)
    # The failing one's work is not there (but for what it did in place before failing);
    # the transforms around it still ran.
    assert second[0, 1:4, 0].tolist() == [3, 5, 7]
    assert second[0, 0, 0] == 99 + 1
    assert chain.apply(frame(), 2)[0, 1, 0] == 3
    assert flaky.calls == [0, 1] and plus_one.calls == [0, 1, 2]
    assert flaky.closed == 1 and chain.removed == ["bubble"]
    assert chain.names == ["double", "plus one"]
    assert warnings == [
        "bubble stopped working (camera unplugged): the recording goes on without it"]


def test_a_transform_returning_the_wrong_size_counts_as_failing() -> None:
    class Shrinks(Arithmetic):
        def apply(self, image: Image, slot: int) -> Image:
            return image[:2]

    warnings: list[str] = []
    chain = TransformChain([Shrinks("shrinks")], on_warning=warnings.append)
    chain.output_size(8, 6)
    assert chain.apply(frame(), 0).shape == (6, 8, 4)
    assert chain.removed == ["shrinks"] and "instead of 6x8x4" in warnings[0]


def test_a_failing_crop_cannot_be_dropped_and_stops() -> None:
    warnings: list[str] = []
    chain = TransformChain([BrokenCrop(0, 0, 4, 4)], on_warning=warnings.append)
    chain.output_size(8, 6)
    assert chain.apply(frame(), 0).shape == (4, 4, 4)
    with pytest.raises(TransformFailed, match=r"crop 4x4 at 0,0 failed on frame 1: stream gone"):
        chain.apply(frame(), 1)
    assert chain.names == ["crop 4x4 at 0,0"] and not warnings


def test_close_closes_every_transform_even_after_one_fails_to() -> None:
    class BadClose(Arithmetic):
        def close(self) -> None:
            super().close()
            raise OSError("device busy")

    first, second = BadClose("first"), Arithmetic("second")
    chain = TransformChain([first, second])
    chain.close()
    assert (first.closed, second.closed) == (1, 1)
    chain.close()  # once only
    assert (first.closed, second.closed) == (1, 1)


# -- in the engine ---------------------------------------------------------------------------
def options(tmp_path: Path, **kw: Any) -> RecordingOptions:
    return RecordingOptions(output=tmp_path / "rec.mp4", source=SourceKind.SYNTHETIC,
                            region=(0, 0, 320, 180), fps=FPS, encoder="software",
                            synthetic_style="plain", **kw)


def plenty(_: Path) -> int:
    return 10_000 * MIB


class Quadrants:
    """A 320x180 source of four flat grey quadrants (levels 40, 100 / 160, 220)."""

    LEVELS = ((40, 100), (160, 220))  # [top, bottom][left, right]

    def __init__(self) -> None:
        self.width, self.height = 320, 180
        self.description = "quadrants"
        self.notes: list[str] = []
        self.picture = np.full((180, 320, 4), 255, dtype=np.uint8)
        for row, levels in enumerate(self.LEVELS):
            for column, level in enumerate(levels):
                top, left = row * 90, column * 160
                self.picture[top : top + 90, left : left + 160, :3] = level

    def open(self) -> None:
        pass

    def grab(self, slot: int) -> Image:
        return self.picture.copy()

    def release(self, image: Image) -> None:
        pass

    def close(self) -> None:
        pass


def test_the_engine_encodes_the_cropped_frames(tmp_path: Path) -> None:
    import av

    # The middle of the picture: each quadrant shows as an 80x45 corner of the output.
    rec = LocalRecording(options(tmp_path, seconds=0.5), free_space=plenty, source=Quadrants(),
                         transforms=[CropTransform(80, 45, 160, 90)])
    rec.start()
    result = rec.wait(30)
    assert result is not None and result.error is None
    assert (result.width, result.height) == (160, 90)
    with av.open(str(result.file)) as container:
        decoded = [f.to_ndarray(format="gray") for f in container.decode(video=0)]
    assert len(decoded) == result.frames > 0
    for gray in decoded:
        assert gray.shape == (90, 160)
        for row, levels in enumerate(Quadrants.LEVELS):
            for column, level in enumerate(levels):
                # Away from the edges, where blocks blur: the quadrant's grey (H.264 is
                # lossy, so within 2 levels).
                inner = gray[row * 45 + 8 : row * 45 + 37, column * 80 + 8 : column * 80 + 72]
                assert abs(int(np.median(inner)) - level) <= 2


def test_a_crop_outside_the_source_is_refused_before_anything_starts(tmp_path: Path) -> None:
    rec = LocalRecording(options(tmp_path), free_space=plenty,
                         transforms=[CropTransform(200, 0, 160, 120)])
    with pytest.raises(CaptureError, match=r"not inside the 320x180 picture"):
        rec.preflight()
    assert not (tmp_path / "rec.mp4").exists()


def test_the_recording_survives_a_failing_overlay(tmp_path: Path) -> None:
    warnings: list[str] = []
    overlay = Arithmetic("bubble", fail_at=10)  # B * 1 + 0: changes no pixel until it fails
    healthy = Arithmetic("healthy")
    rec = LocalRecording(options(tmp_path, seconds=1.0), free_space=plenty,
                         on_warning=warnings.append, transforms=[overlay, healthy])
    rec.start()
    result = rec.wait(30)
    assert result is not None and result.error is None and result.stopped_reason == "seconds"
    frames = read_video_counters(result.file)
    assert len(frames) == result.frames and result.frames + result.dropped_frames == 30
    assert all(f.counter == round(f.time * FPS) for f in frames)  # every frame is written
    assert warnings == ["bubble stopped working (camera unplugged): the recording goes on "
                        "without it"]
    assert warnings[0] in rec.warnings
    assert overlay.closed == 1 and max(overlay.calls) == 10
    assert healthy.calls == [round(f.time * FPS) for f in frames]  # it saw every frame
    assert healthy.closed == 1  # and was closed when the recording ended


def test_a_failing_crop_stops_the_recording_and_keeps_the_file(tmp_path: Path) -> None:
    import av

    crop = BrokenCrop(0, 0, 160, 120)
    crop.fail_from = 70  # after the first fragment (a keyframe every 2 s: slots 0-59)
    rec = LocalRecording(options(tmp_path, seconds=None), free_space=plenty, transforms=[crop])
    rec.start()
    result = rec.wait(30)
    assert result is not None and result.stopped_reason == "error"
    assert result.error is not None and "crop 160x120 at 0,0 failed on frame" in result.error
    assert (result.width, result.height) == (160, 120)
    assert result.salvaged and result.frames > 0  # kept up to its last fragment
    with av.open(str(result.file)) as container:
        assert sum(1 for _ in container.decode(video=0)) == result.frames
