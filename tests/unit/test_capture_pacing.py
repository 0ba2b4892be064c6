"""Frame pacing on a fixed grid: late frames are dropped slots, pauses leave no gap."""

from __future__ import annotations

import pytest

from capdesk.capture.pacing import FramePacer


def test_on_time_frames_fill_consecutive_slots() -> None:
    pacer = FramePacer(30)
    pacer.start(100.0)
    for n in range(10):
        assert pacer.due() == pytest.approx(100.0 + n / 30)
        slot, skipped = pacer.claim(100.0 + n / 30 + (0.002 if n else 0.0))
        assert (slot, skipped) == (n, 0)
    assert pacer.dropped == 0


def test_late_by_less_than_half_a_frame_is_not_a_drop() -> None:
    pacer = FramePacer(30)
    pacer.start(0.0)
    assert pacer.claim(0.0) == (0, 0)
    assert pacer.claim(1 / 30 + 0.016) == (1, 0)  # 16 ms late, under 16.7 ms


def test_late_frame_counts_dropped_slots_and_keeps_real_time() -> None:
    pacer = FramePacer(30)
    pacer.start(0.0)
    assert pacer.claim(0.0) == (0, 0)
    # Slot 1 was due at 33 ms; we only get to grab at 110 ms: nearest slot is 3.
    slot, skipped = pacer.claim(0.110)
    assert (slot, skipped) == (3, 2)
    assert pacer.dropped == 2
    assert pacer.next_slot == 4
    assert pacer.due() == pytest.approx(4 / 30)


def test_the_first_frame_is_slot_zero_however_late() -> None:
    pacer = FramePacer(30)
    pacer.start(0.0)
    assert pacer.claim(0.2) == (0, 0)  # the capture thread was slow to get going
    assert pacer.due() == pytest.approx(0.2 + 1 / 30)  # the grid starts at the first grab
    assert pacer.claim(0.2 + 1 / 30) == (1, 0)
    assert pacer.dropped == 0


def test_never_reuses_a_slot() -> None:
    pacer = FramePacer(10)
    pacer.start(0.0)
    assert pacer.claim(0.0)[0] == 0
    assert pacer.claim(0.0)[0] == 1  # an early call still gets the next slot


def test_pause_resume_leaves_no_gap() -> None:
    pacer = FramePacer(30)
    pacer.start(0.0)
    for n in range(30):
        pacer.claim(n / 30)
    pacer.pause(1.01)
    assert pacer.elapsed(5.0) == pytest.approx(1.0)  # paused: time stands still
    with pytest.raises(RuntimeError):
        pacer.claim(2.0)
    pacer.resume(10.0)
    assert pacer.due() == pytest.approx(10.0)
    assert pacer.claim(10.001) == (30, 0)
    assert pacer.claim(10.0 + 1 / 30) == (31, 0)
    assert pacer.dropped == 0
    assert pacer.elapsed(10.5) == pytest.approx(1.5)


def test_skip_to_counts_dropped() -> None:
    pacer = FramePacer(30)
    pacer.start(0.0)
    pacer.claim(0.0)
    assert pacer.skip_to(5) == 4
    assert pacer.dropped == 4
    assert pacer.next_slot == 5


def test_nearest_and_validation() -> None:
    pacer = FramePacer(30)
    with pytest.raises(RuntimeError):
        pacer.due()
    pacer.start(0.0)
    assert pacer.nearest(0.5) == 0  # no frame yet: the next one is slot 0
    pacer.claim(0.0)
    assert pacer.nearest(0.5) == 15
    with pytest.raises(ValueError):
        FramePacer(0)
