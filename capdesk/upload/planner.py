"""Where to cut parts of a growing file, and how big they should be.

S3 wants every part but the last to be at least 5 MiB. Every part costs one
``presign-part`` call against Cap's 60-requests-a-minute budget, so the part
size grows with the measured bitrate: at most ``TARGET_PARTS_PER_MINUTE`` parts
a minute leaves room for create, initiate, complete and status polls inside the
~30 requests a minute the whole recording may use.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

MIB = 1024 * 1024
MIN_PART = 5 * MIB
MAX_PART = 512 * MIB
MAX_PARTS = 10000
TARGET_PARTS_PER_MINUTE = 20


class PartPlanner:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._start: float | None = None
        self._start_bytes = 0
        self.part_size = MIN_PART

    def observe(self, durable_bytes: int) -> None:
        """Record how far the file has grown; adjusts the part size to the bitrate."""
        now = self._clock()
        if self._start is None:
            self._start, self._start_bytes = now, durable_bytes
            return
        elapsed = now - self._start
        if elapsed < 5.0:
            return
        rate = (durable_bytes - self._start_bytes) / elapsed  # bytes per second
        wanted = rate * 60 / TARGET_PARTS_PER_MINUTE
        size = max(MIN_PART, min(MAX_PART, math.ceil(wanted / MIB) * MIB))
        self.part_size = max(self.part_size, size)  # only grow: fewer, larger parts

    def next_cut(self, planned_end: int, durable_bytes: int) -> int | None:
        """Size of the next full part starting at ``planned_end``, if it is durable yet."""
        if durable_bytes - planned_end >= self.part_size:
            return self.part_size
        return None

    @staticmethod
    def tail_cuts(planned_end: int, final_size: int, part_size: int) -> list[tuple[int, int]]:
        """The last parts once the file is final: full parts, then the rest as the last.

        A remainder under 5 MiB is merged into the part before it, which stays
        under ``2 * part_size``; so no part except the last is ever under 5 MiB.
        """
        cuts: list[tuple[int, int]] = []
        offset = planned_end
        while final_size - offset >= 2 * part_size:
            cuts.append((offset, part_size))
            offset += part_size
        if final_size > offset:
            cuts.append((offset, final_size - offset))
        return cuts
