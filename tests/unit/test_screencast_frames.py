"""The capture worker's frame handling without Qt: crop, fixed size, resized windows,
and which window a --window names."""

from __future__ import annotations

import numpy as np
import pytest

from capdesk.capture.screencast.frames import (
    FrameFitter,
    crop_for,
    even_fit,
    fit_box,
    scale_into,
)
from capdesk.capture.screencast.windows import WindowInfo, find_window
from capdesk.capture.sources import CaptureError


def bgrx(width: int, height: int, stride_pad: int = 0, seed: int = 1) -> np.ndarray:
    """A BGRX frame as a mapped plane: rows of bytes, maybe padded past the width."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, 256, (height, width * 4 + stride_pad), dtype=np.uint8)
    return rows


def test_a_frame_at_the_output_size_is_published_as_a_view_of_its_rows() -> None:
    plane = bgrx(64, 36, stride_pad=32)
    fitter = FrameFitter()
    out = fitter.convert("BGRX8888", 64, 36, [plane])
    assert out.shape == (36, 64, 4) and fitter.output_size == (64, 36)
    assert np.shares_memory(out, plane)  # no copy: the shared block's write is the copy
    assert np.array_equal(out.reshape(36, 256), plane[:, :256])
    assert fitter.scaled == 0


def test_a_region_is_cut_from_the_picture() -> None:
    plane = bgrx(100, 80)
    fitter = FrameFitter((10, 20, 30, 16))
    out = fitter.convert("BGRA8888", 100, 80, [plane])
    assert out.shape == (16, 30, 4)
    assert np.array_equal(out, plane[20:36, 40:160].reshape(16, 30, 4))
    with pytest.raises(ValueError, match="not inside the captured picture"):
        FrameFitter((90, 0, 20, 10)).convert("BGRX8888", 100, 80, [plane])


def test_odd_sizes_become_even() -> None:
    assert crop_for(None, 641, 361) == (0, 0, 640, 360)
    assert crop_for((1, 1, 31, 17), 100, 100) == (1, 1, 30, 16)
    out = FrameFitter().convert("BGRX8888", 641, 361, [bgrx(641, 361)])
    assert out.shape == (360, 640, 4)


def test_a_resized_window_is_scaled_into_the_first_size_aspect_kept() -> None:
    fitter = FrameFitter()
    first = np.full((90, 160 * 4), 200, dtype=np.uint8)
    assert fitter.convert("BGRX8888", 160, 90, [first]).shape == (90, 160, 4)
    # the window became square and twice as tall: scaled down, centred on black
    square = np.full((180, 180 * 4), 200, dtype=np.uint8)
    out = fitter.convert("BGRX8888", 180, 180, [square])
    assert out.shape == (90, 160, 4) and fitter.scaled == 1
    assert (out[:, 34:124, :3] > 190).all()  # the picture, 90x90, in the middle (even x)
    assert (out[:, :34, :3] == 0).all() and (out[:, 124:, :3] == 0).all()  # black bars
    # a smaller window is scaled up: 80x45 is cut to 80x44 (even), scaled 2x to 160x88
    small = np.full((45, 80 * 4), 100, dtype=np.uint8)
    out = fitter.convert("BGRX8888", 80, 45, [small])
    assert out.shape == (90, 160, 4) and (np.abs(out[:88, :, :3].astype(int) - 100) <= 1).all()
    assert (out[88:, :, :3] == 0).all()
    # fit_box says where each landed (the window pointer is placed with it)
    assert fit_box(160, 90, 160, 90) == (0, 0, 160, 90)
    assert fit_box(180, 180, 160, 90) == (34, 0, 90, 90)
    assert fit_box(80, 44, 160, 90) == (0, 0, 160, 88)


def test_pictures_larger_than_the_limit_are_scaled_down() -> None:
    fitter = FrameFitter(max_size=(64, 64))
    out = fitter.convert("BGRX8888", 128, 72, [bgrx(128, 72)])
    assert out.shape == (36, 64, 4) and fitter.output_size == (64, 36)
    assert even_fit(7680, 4320, 3840, 2160) == (3840, 2160)
    assert scale_into(100, 50, 40, 40) == (40, 20)


def test_find_window_by_id_title_or_part_of_a_title() -> None:
    windows = [WindowInfo("0x400001", "Editor — notes.txt", "Gedit", 800, 600),
               WindowInfo("0x600003", "Terminal", "XTerm", 640, 400),
               WindowInfo("0x600009", "Terminal 2", "XTerm", 640, 400)]
    assert find_window("0x400001", windows).title.startswith("Editor")
    assert find_window(str(0x600003), windows).title == "Terminal"  # decimal, as xdotool
    assert find_window("Terminal", windows).id == "0x600003"  # exact beats containing
    assert find_window("notes", windows).id == "0x400001"  # the one title containing it
    with pytest.raises(CaptureError, match="2 windows match 'term'"):
        find_window("term", windows)
    with pytest.raises(CaptureError, match=r"there is no window 'Browser'.*'Terminal'"):
        find_window("Browser", windows)
    with pytest.raises(CaptureError, match="no window given"):
        find_window("  ", windows)
