"""The test card's counter reads back exactly, also after H.264 and scaling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from capdesk.capture.testcard import (
    COUNTER_BITS,
    TestCard,
    read_counter,
    read_video_counters,
)
from capdesk.encode.writer import Fmp4Writer


@pytest.mark.parametrize("value", [0, 1, 2, 255, 1000, 123456, (1 << COUNTER_BITS) - 1])
def test_round_trip_raw(value: int) -> None:
    card = TestCard(320, 180)
    assert read_counter(card.draw(value)) == value


def test_counter_wraps_at_its_width() -> None:
    card = TestCard(320, 180)
    assert read_counter(card.draw(1 << COUNTER_BITS)) == 0


def test_frames_differ_and_noise_moves() -> None:
    card = TestCard(320, 180)
    a, b = card.draw(10).copy(), card.draw(11).copy()
    body = slice(40, None)
    assert np.mean(a[body] != b[body]) > 0.5  # most of the picture changes every frame


def test_card_found_inside_a_bigger_picture() -> None:
    card = TestCard(240, 136, style="plain")
    screen = np.zeros((400, 600, 4), dtype=np.uint8)
    screen[50:186, 100:340] = card.draw(4242)
    assert read_counter(screen, (100, 50, 240, 136)) == 4242
    assert read_counter(screen) is None  # not at the given place: rejected, not misread


def test_unreadable_pictures_are_rejected() -> None:
    assert read_counter(np.zeros((180, 320), dtype=np.uint8)) is None
    assert read_counter(np.full((180, 320, 3), 128, dtype=np.uint8)) is None
    noise = np.random.default_rng(1).integers(0, 256, (180, 320, 3), dtype=np.uint8)
    assert read_counter(noise) is None
    # The complement row makes a mirrored/cut card unreadable rather than wrong.
    card = TestCard(320, 180).draw(77)
    assert read_counter(card[:, ::-1]) is None


def test_too_small() -> None:
    with pytest.raises(ValueError):
        TestCard(40, 40)


@pytest.mark.parametrize(
    ("size", "max_height"), [((640, 360), 1080), ((1280, 720), 360), ((333, 201), 1080)]
)
def test_counters_survive_h264_and_scaling(
    tmp_path: Path, size: tuple[int, int], max_height: int
) -> None:
    card = TestCard(*size)
    path = tmp_path / "card.mp4"
    writer = Fmp4Writer(path, src_width=size[0], src_height=size[1], fps=30,
                        max_height=max_height, encoder="software")
    buffer = card.new_buffer()
    for slot in range(45):
        writer.write(card.draw(slot, buffer), slot)
    writer.close(45)
    frames = read_video_counters(path)
    assert [f.counter for f in frames] == list(range(45))
