"""Grabs straight into shared memory on a real X server (Xvfb): the same pixels mss copies
out, and a segment is written again only when no frame of it is held."""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import mss
import numpy as np
import pytest

from capdesk.capture import xshm
from capdesk.capture.kinds import SourceKind
from capdesk.capture.screen import ScreenSource
from capdesk.capture.testcard import read_video_counters
from capdesk.capture.xshm import ShmFrames, blend_straight
from capdesk.engine.options import RecordingOptions
from capdesk.engine.pipeline import LocalRecording
from tests.e2e.x11_paint import Painter, same_memory

AREA = (40, 30, 320, 200)  # left, top, width, height


@pytest.fixture
def frames(on_display: str) -> Iterator[ShmFrames]:
    sct = mss.MSS(with_cursor=True)
    opened = ShmFrames.open(sct, *AREA)
    assert opened is not None, "Xvfb has MIT-SHM: the shared-memory grabs must be used"
    yield opened
    opened.close()
    sct.close()


def mss_copy(with_cursor: bool = False) -> np.ndarray:
    left, top, width, height = AREA
    with mss.MSS(with_cursor=with_cursor) as sct:
        shot = sct.grab({"left": left, "top": top, "width": width, "height": height})
    return np.frombuffer(shot.raw, dtype=np.uint8).reshape(height, width, 4)


def test_a_grab_has_the_pixels_mss_copies_out(frames: ShmFrames) -> None:
    painter = Painter()
    try:
        painter.fill(0x3366CC, 60, 50)
        image = frames.grab()
        assert image is not None and image.shape == (200, 320, 4)
        assert np.array_equal(image[..., :3], mss_copy()[..., :3])
        assert tuple(int(v) for v in image[30, 30, :3]) == (0xCC, 0x66, 0x33)  # BGR
    finally:
        painter.close()


def test_a_held_frame_is_never_written_over(frames: ShmFrames) -> None:
    painter = Painter()
    try:
        painter.fill(0x0000FF, 60, 50)
        held = frames.grab()
        assert held is not None
        painter.fill(0x00FF00, 60, 50)
        newer = frames.grab()
        assert newer is not None and not same_memory(newer, held)
        assert tuple(int(v) for v in held[30, 30, :3]) == (255, 0, 0)  # still blue
        assert tuple(int(v) for v in newer[30, 30, :3]) == (0, 255, 0)
        frames.release(newer)
        reused = frames.grab()  # the released segment is written again, not a third one
        assert reused is not None and same_memory(reused, newer) and frames.segments == 2
        assert tuple(int(v) for v in held[30, 30, :3]) == (255, 0, 0)
        assert not frames.release(np.zeros((2, 2, 4), dtype=np.uint8))  # not one of them
    finally:
        painter.close()


def test_a_frame_handed_out_again_is_counted_like_a_grab(frames: ShmFrames) -> None:
    first = frames.grab(again_later=True)
    again = frames.again()
    assert first is not None and again is not None
    assert again is not first and same_memory(again, first)  # a new view of the same pixels
    frames.release(first)
    frames.release(again)
    second = frames.grab()  # the first is still the last (it may come again): not reused
    assert second is not None and not same_memory(second, first)
    frames.release(second)
    third = frames.grab()  # the last is now the second grab, released: either may be used
    assert third is not None and frames.segments == 2


def test_with_every_segment_held_the_grab_falls_back(
        on_display: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xshm, "MAX_SEGMENTS", 3)
    with mss.MSS() as sct:
        frames = ShmFrames.open(sct, *AREA)
        assert frames is not None
        held = [frames.grab() for _ in range(3)]
        assert all(image is not None for image in held)
        assert frames.grab() is None and frames.copies == 1
        frames.release(held[0])  # type: ignore[arg-type]
        assert frames.grab() is not None
        frames.close()


def test_when_no_more_shared_memory_can_be_had_the_grab_falls_back(
        frames: ShmFrames, monkeypatch: pytest.MonkeyPatch) -> None:
    held = frames.grab()  # the one segment, held

    def refused(*args: object) -> int:
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(os, "memfd_create", refused)
    assert frames.grab() is None and frames.copies == 1  # no error: mss copies this one
    assert frames.grab() is None and frames.copies == 2  # and tries no new segment
    assert held is not None
    frames.release(held)
    assert frames.grab() is not None  # the one it has is used again


def test_the_pointer_is_drawn_in_as_mss_draws_it(frames: ShmFrames, on_display: str) -> None:
    subprocess.run(["xdotool", "mousemove", "150", "120"], check=True)
    with_pointer = frames.grab(cursor=True)
    assert with_pointer is not None
    plain = mss_copy()
    drawn = np.abs(with_pointer[..., :3].astype(int) - plain[..., :3].astype(int)).max(axis=2)
    assert (drawn > 0).sum() > 20, "no pointer drawn"
    ys, xs = np.nonzero(drawn)
    assert abs(xs.min() + AREA[0] - 150) < 32 and abs(ys.min() + AREA[1] - 120) < 32
    # mss blends the same image in floating point: at most one level apart
    assert np.abs(with_pointer[..., :3].astype(int)
                  - mss_copy(with_cursor=True)[..., :3].astype(int)).max() <= 1


def test_the_screen_source_grabs_without_a_copy_on_x11(on_display: str) -> None:
    source = ScreenSource(None, AREA, cursor=False)
    source.open()
    try:
        assert source.zero_copy is not None
        image = source.grab(0)
        assert np.array_equal(image[..., :3], mss_copy()[..., :3])
        source.release(image)
        assert same_memory(source.grab(1), image)  # its segment is used again
    finally:
        source.close()


def test_blending_a_pointer_with_straight_alpha_clips_at_the_edges() -> None:
    image = np.full((4, 4, 4), 100, dtype=np.uint8)
    pointer = np.zeros((3, 3, 4), dtype=np.uint8)
    pointer[..., :3], pointer[..., 3] = 200, 255
    pointer[0, 0, 3] = 0  # transparent
    pointer[1, 1, 3] = 128  # half
    blend_straight(image, pointer, 2, 2)  # only its top-left 2x2 lands on the image
    assert image[2, 2, 0] == 100 and image[3, 3, 0] == round((200 * 128 + 100 * 127) / 255)
    assert image[2, 3, 0] == image[3, 2, 0] == 200 and image[0, 0, 0] == 100
    blend_straight(image, pointer, -3, -3)  # entirely outside: nothing
    assert image[0, 0, 0] == 100


def test_a_recording_reuses_a_few_segments_and_keeps_every_frame(
        x_display: str, card_window: Callable[..., Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """The engine gives back every frame (after encoding it, or when the frame it kept to
    compare with is replaced): a 3 s recording of a moving card needs a handful of
    segments, never a copy, and the file shows the card's counter in order."""
    monkeypatch.setenv("DISPLAY", x_display)
    card_window((40, 40, 480, 270))
    caplog.set_level(logging.DEBUG, logger="capdesk.capture.xshm")
    options = RecordingOptions(source=SourceKind.SCREEN, region=(40, 40, 480, 270), fps=30,
                               seconds=3.0, upload=False, encoder="software",
                               output=tmp_path / "screen.mp4")
    recording = LocalRecording(options)
    recording.start()
    result = recording.wait(60)
    assert result is not None and result.error is None
    (said,) = [r.getMessage() for r in caplog.records if "shared-memory grabs" in r.message]
    made, copied = (int(word) for word in said.split() if word.isdigit())
    assert 1 <= made <= 8 and copied == 0, said
    frames = read_video_counters(result.file)
    counters = [f.counter for f in frames]
    assert len(frames) == result.frames and None not in counters
    assert counters == sorted(counters)  # type: ignore[type-var]
