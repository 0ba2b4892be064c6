"""Unchanged frames are not encoded again, keyframes still come every two seconds, and
the file's timeline stays exact."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import pytest

from capdesk.capture.kinds import SourceKind
from capdesk.capture.transforms.crop import CropTransform
from capdesk.encode.diskspace import MIB
from capdesk.encode.stillness import StillFrames, same_pixels
from capdesk.engine.options import RecordingOptions
from capdesk.engine.pipeline import LocalRecording, RecordingResult

FPS = 30
SIZE = (320, 180)


def test_same_pixels() -> None:
    rng = np.random.default_rng(3)
    a = rng.integers(0, 255, (180, 320, 4), dtype=np.uint8)
    assert same_pixels(a, a.copy())
    for y, x in ((0, 0), (179, 319), (90, 160)):
        b = a.copy()
        b[y, x, 2] ^= 1
        assert not same_pixels(a, b)
    assert not same_pixels(a, a[:, :318])
    assert same_pixels(a[10:100, 20:200], a.copy()[10:100, 20:200])  # views: numpy path
    view = a.copy()[10:100, 20:200]
    view[0, 0, 0] ^= 1
    assert not same_pixels(a[10:100, 20:200], view)


def test_kept_frame_goes_back_to_the_pool_only_when_replaced() -> None:
    released: list[int] = []
    frames = [np.full((2, 2, 4), i, dtype=np.uint8) for i in range(3)]
    still = StillFrames(lambda image: released.append(int(image[0, 0, 0])))
    still.keep(frames[0])
    assert still.holds(frames[0]) and released == []
    assert still.repeats(frames[0].copy()) and not still.repeats(frames[1])
    still.keep(frames[1])
    assert released == [0]
    still.close()
    assert released == [0, 1]


class StillThenChange:
    """A screen that stays still, changes at ``change_at``, then stays still again."""

    description = "still test screen"

    def __init__(self, change_at: int) -> None:
        self.notes: list[str] = []
        self.width, self.height = SIZE
        self.change_at = change_at
        self.grabs = 0

    def open(self) -> None:
        pass

    def grab(self, slot: int) -> Any:
        self.grabs += 1
        value = 40 if slot < self.change_at else 200
        return np.full((self.height, self.width, 4), value, dtype=np.uint8)

    def release(self, image: Any) -> None:
        pass

    def close(self) -> None:
        pass


class Marker:
    """A transform that is not pure (it draws into the frame): skipping must stay off."""

    name = "marker"

    def output_size(self, width: int, height: int) -> tuple[int, int]:
        return width, height

    def apply(self, image: Any, slot: int) -> Any:
        image[0, 0] = (slot % 256, 0, 0, 255)
        return image

    def close(self) -> None:
        pass


def record(tmp_path: Path, seconds: float, **kw: Any) -> tuple[RecordingResult, StillThenChange]:
    transforms = kw.pop("transforms", None)
    source = StillThenChange(change_at=kw.pop("change_at", 45))
    options = RecordingOptions(output=tmp_path / "still.mp4", source=SourceKind.SYNTHETIC,
                               fps=FPS, seconds=seconds, encoder="software", **kw)
    rec = LocalRecording(options, source=source, free_space=lambda _: 10_000 * MIB,
                         transforms=transforms)
    rec.start()
    result = rec.wait(60)
    assert result is not None
    return result, source


def decoded(path: Path) -> list[tuple[int, bool, int]]:
    """(pts in frame slots, keyframe, mean pixel value) of every frame in the file."""
    out = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            assert frame.pts is not None and frame.time_base is not None
            slot = round(Fraction(frame.pts) * frame.time_base * FPS)
            out.append((slot, bool(frame.key_frame), int(frame.to_ndarray(format="gray").mean())))
    return out


def test_a_still_screen_is_not_encoded_again_but_keyframes_keep_their_pace(
        tmp_path: Path) -> None:
    result, source = record(tmp_path, 5.0)
    frames = decoded(result.file)
    slots = [slot for slot, _, _ in frames]
    # Written: the first frame, the change at 45 and a keyframe every 2 s (60, 120).
    assert slots == [0, 45, 60, 120], frames
    assert [key for _, key, _ in frames] == [True, False, True, True]
    assert result.frames == 4
    assert result.repeated_frames + result.frames + result.dropped_frames == 150 == source.grabs \
        + result.dropped_frames
    assert result.duration_secs == pytest.approx(5.0)
    # The picture is right at every moment: dark until 45, light after.
    assert [value < 128 for _, _, value in frames] == [True, False, False, False]
    with av.open(str(result.file)) as container:
        assert float(container.duration or 0) / 1e6 == pytest.approx(5.0, abs=0.05)


def test_skipping_can_be_turned_off_and_is_off_with_an_impure_transform(
        tmp_path: Path) -> None:
    every, _ = record(tmp_path / "a", 2.0, skip_unchanged=False)
    assert every.repeated_frames == 0 and every.frames + every.dropped_frames == 60
    marked, _ = record(tmp_path / "b", 2.0, transforms=[Marker()])
    assert marked.repeated_frames == 0 and marked.frames + marked.dropped_frames == 60
    cropped, _ = record(tmp_path / "c", 2.0, transforms=[CropTransform(0, 0, 160, 90)])
    assert cropped.repeated_frames > 50 and (cropped.width, cropped.height) == (160, 90)
