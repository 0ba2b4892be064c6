"""Checks a screen recording of the card window against two timing logs.

The window's redraws are not synchronised with the recorder, so a frame's counter
only says *which redraw was on screen* when the frame was grabbed. Two logs make
the check exact instead of statistical:

- the card window logs each redraw n: ``before`` (drawing starts) and ``after``
  (the X server has it); so redraw n was on screen somewhere inside
  [before(n), after(n + 1)];
- the recorder (``CAPDESK_FRAME_LOG``) logs each grabbed slot: the time just
  before and just after the grab.

A frame is right if its grab window meets its redraw's screen window. A frame
copied into the wrong slot, duplicated, or reordered fails that (grabs are at
least half a frame apart; the window redraws every few milliseconds). The slots
logged must be exactly the slots in the file (nothing lost or added between
capture and file), the missing slots exactly the reported drops, and every grab
within half a frame of its slot's time on one grid per pause-free segment.
"""

from __future__ import annotations

import itertools
import struct
from dataclasses import dataclass
from pathlib import Path

from capdesk.capture.testcard import DecodedFrame
from tests.e2e.card_window import read_log

CLOCK_EPS = 0.001  # both sides read the same monotonic clock; allow for the reads
RECORD = struct.Struct("<qdd")


def read_frame_log(path: Path) -> dict[int, tuple[float, float]]:
    data = path.read_bytes()
    usable = len(data) - len(data) % RECORD.size
    return {slot: (start, end) for slot, start, end in RECORD.iter_unpack(data[:usable])}


@dataclass
class ScreenCheck:
    slots: list[int]
    counters: list[int]
    total_slots: int
    segments: int


def check_screen_recording(
    frames: list[DecodedFrame],
    card_log: Path,
    frame_log: Path,
    fps: int,
    duration: float,
    dropped: int,
    pauses: int = 0,
) -> ScreenCheck:
    interval = 1.0 / fps
    redraws = read_log(card_log)
    before = {int(n): b for n, b, _ in redraws}
    after = {int(n): a for n, _, a in redraws}
    grabs = read_frame_log(frame_log)
    assert frames, "no frames decoded"
    unreadable = [i for i, f in enumerate(frames) if f.counter is None]
    assert not unreadable, f"card unreadable in frames {unreadable[:10]}"
    counters = [int(f.counter) for f in frames if f.counter is not None]
    slots = [round(f.time * fps) for f in frames]

    # The timeline: in order, each slot once, gaps are exactly the reported drops.
    assert slots == sorted(set(slots)), "timestamps out of order or repeated"
    total = round(duration * fps)
    assert slots[-1] < total
    assert total - len(slots) == dropped, (
        f"{total - len(slots)} slots missing in the file, {dropped} reported dropped")
    assert sorted(grabs) == slots, "the slots grabbed are not the slots in the file"

    # The content: each frame shows what was on screen while its slot was grabbed.
    for i, (slot, n) in enumerate(zip(slots, counters, strict=True)):
        start, end = grabs[slot]
        shown_from, shown_until = before[n], after.get(n + 1, float("inf"))
        assert start - CLOCK_EPS <= shown_until and end + CLOCK_EPS >= shown_from, (
            f"frame {i} (slot {slot}) shows redraw {n}, on screen "
            f"{(shown_from - start) * 1000:.1f}..{(shown_until - start) * 1000:.1f} ms from "
            f"its grab, which took {(end - start) * 1000:.1f} ms")
        if i:
            assert n >= counters[i - 1], f"frame {i} went back in time"

    # The pacing: one grid per pause-free segment, each grab within half a frame of it.
    cuts = [0]
    for i in range(1, len(slots)):
        wall = grabs[slots[i]][0] - grabs[slots[i - 1]][0]
        if wall - (slots[i] - slots[i - 1]) * interval > 0.25:
            cuts.append(i)
    assert len(cuts) - 1 == pauses, f"expected {pauses} pause(s), found {len(cuts) - 1}"
    cuts.append(len(slots))
    for first, last in itertools.pairwise(cuts):
        offsets = [grabs[s][0] - s * interval for s in slots[first:last]]
        spread = max(offsets) - min(offsets)
        assert spread <= interval + 2 * CLOCK_EPS, (
            f"grabs {first}-{last} are off their grid by {spread * 1000:.1f} ms")
    return ScreenCheck(slots, counters, total, len(cuts) - 1)
