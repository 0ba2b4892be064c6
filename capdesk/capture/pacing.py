"""Frame pacing on a fixed timestamp grid.

Slot ``n`` of the recording is due at ``t0 + n / fps`` on a monotonic clock. A
frame grabbed at time ``now`` belongs to the slot nearest to ``now`` (never an
earlier slot than the next free one): so a frame's timestamp is always within half
a frame of when it was really grabbed. Slots passed over are *dropped*: counted,
and left as gaps in the output's timestamps, never hidden by stretching time.

The grid starts with the first grab: slot 0 is always the first frame, however
late the capture thread got going (a file's timeline must start with a frame).

Pausing stops the grid; resuming re-anchors it so that the next slot is due at
once, so the recorded timeline has no gap.

The class holds no thread and no clock of its own (``now`` is passed in), so it is
tested without sleeping.
"""

from __future__ import annotations

import threading


class FramePacer:
    def __init__(self, fps: int) -> None:
        if fps < 1 or fps > 240:
            raise ValueError("fps must be between 1 and 240")
        self.fps = fps
        self.interval = 1.0 / fps
        self._lock = threading.Lock()
        self._t0: float | None = None
        self._next = 0  # the next slot that can still be filled
        self._dropped = 0
        self._paused_at: float | None = None

    def start(self, now: float) -> None:
        with self._lock:
            self._t0 = now
            self._next = 0
            self._dropped = 0
            self._paused_at = None

    @property
    def started(self) -> bool:
        return self._t0 is not None

    @property
    def next_slot(self) -> int:
        return self._next

    @property
    def dropped(self) -> int:
        return self._dropped

    @property
    def paused(self) -> bool:
        return self._paused_at is not None

    def due(self) -> float:
        """Monotonic time at which the next slot is due."""
        with self._lock:
            return self._require_t0() + self._next * self.interval

    def nearest(self, now: float) -> int:
        """The slot a frame grabbed at ``now`` would get."""
        with self._lock:
            t0 = self._require_t0()
            if self._next == 0:
                return 0  # the first frame starts the grid
            return max(self._next, int((now - t0) * self.fps + 0.5))

    def claim(self, now: float) -> tuple[int, int]:
        """The slot for a frame grabbed at ``now``, and how many slots were dropped before it."""
        with self._lock:
            t0 = self._require_t0()
            if self._paused_at is not None:
                raise RuntimeError("cannot claim a slot while paused")
            if self._next == 0:
                self._t0 = now  # the first frame starts the grid
                self._next = 1
                return 0, 0
            nearest = int((now - t0) * self.fps + 0.5)
            slot = max(self._next, nearest)
            skipped = slot - self._next
            self._dropped += skipped
            self._next = slot + 1
            return slot, skipped

    def skip_to(self, slot: int) -> int:
        """Give up every slot before ``slot`` (counted as dropped); returns how many."""
        with self._lock:
            skipped = max(0, slot - self._next)
            self._dropped += skipped
            self._next = max(self._next, slot)
            return skipped

    def pause(self, now: float) -> None:
        with self._lock:
            self._require_t0()
            if self._paused_at is None:
                self._paused_at = now

    def resume(self, now: float) -> None:
        with self._lock:
            self._require_t0()
            if self._paused_at is None:
                return
            self._paused_at = None
            # The next slot is due right now: the recorded timeline goes on without a gap.
            self._t0 = now - self._next * self.interval

    def anchor(self) -> tuple[float, float | None] | None:
        """``(t0, paused_at)``: monotonic time ``t`` is ``t - t0`` seconds into the recorded
        timeline (until ``paused_at``, while paused). None until the first frame.

        Other timelines (the audio) follow the video's grid with it."""
        with self._lock:
            if self._t0 is None or self._next == 0:
                return None
            return self._t0, self._paused_at

    def elapsed(self, now: float) -> float:
        """Recorded time so far, pauses excluded."""
        with self._lock:
            if self._t0 is None:
                return 0.0
            if self._paused_at is not None:
                return self._next * self.interval
            return max(self._next * self.interval, now - self._t0)

    def _require_t0(self) -> float:
        if self._t0 is None:
            raise RuntimeError("pacer not started")
        return self._t0
