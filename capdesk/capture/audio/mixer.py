"""Audio on the video's timeline: reader threads per source, one mixed track for the encoder.

Clock and sync
--------------
The video's timeline is the frame grid of ``FramePacer``: monotonic time ``t`` is
``t - t0`` seconds into the recording, and pausing cuts a piece out of it.
``AudioTimeline`` follows the same anchor (``FramePacer.anchor``) and the same
pause/resume moments, so one monotonic clock stamps both pictures and sound.

Each source's reader thread stamps every block with the monotonic time its read
returned (the end of the block). The mixer turns that stamp into a position on the
recorded timeline, in samples at 48 kHz. Within a run of the device the position
of a sample is its *sample count*: block after block follows on without gaps. The
stamps only serve to anchor the run (the first block, a resume, a device that comes
back) and to catch drift: the smallest difference between stamped and counted
position over the last blocks (stamps are only ever late, never early) is corrected
once it exceeds ``DRIFT_TOLERANCE``.

Samples before the first frame, or captured while paused, are dropped; the short
gap a resume leaves (the video resumes on its next slot) is silence. Sources are
summed (microphone muted by a gain of zero) and handed to the encoder thread in
order, never past ``now - MARGIN`` (so late blocks still find their place) nor past
the video frame being encoded; at the end the track is cut or padded to exactly the
video's duration.

A device that fails mid-recording is reported once through ``on_warning``; its
part of the track is silence while the reader tries to open it again every second.
"""

from __future__ import annotations

import collections
import logging
import threading
import time
from collections.abc import Callable, Sequence

import numpy as np

from capdesk.capture.audio.base import CHANNELS, SAMPLE_RATE, AudioSource, Samples, peak

log = logging.getLogger(__name__)

MARGIN = 0.25  # seconds the mixed track stays behind the clock, for late blocks
DRIFT_TOLERANCE = 0.015  # seconds of stamp-vs-count disagreement corrected
RETRY_EVERY = 1.0  # seconds between attempts to reopen a failed device
STALL_AFTER = 2.0  # seconds without a block before a device counts as silent
LEVEL_EVERY = 0.05  # seconds between level reports

Anchor = Callable[[], "tuple[float, float | None] | None"]


class AudioTimeline:
    """Monotonic time -> seconds of the recorded timeline, following the video's pacer."""

    def __init__(self, anchor: Anchor) -> None:
        self._anchor = anchor
        self._lock = threading.Lock()
        self._segments: list[list[float | None]] = []  # [start, end or None, t0]

    def _refresh(self) -> None:
        if self._segments:
            return
        anchor = self._anchor()
        if anchor is not None:
            t0, paused_at = anchor
            self._segments.append([t0, paused_at, t0])

    @property
    def started(self) -> bool:
        with self._lock:
            self._refresh()
            return bool(self._segments)

    def pause(self, now: float) -> None:
        with self._lock:
            self._refresh()
            if self._segments and self._segments[-1][1] is None:
                self._segments[-1][1] = now

    def resume(self, now: float) -> None:
        """Call after the pacer resumed at ``now`` (it has its new anchor then)."""
        with self._lock:
            self._refresh()
            anchor = self._anchor()
            if self._segments and self._segments[-1][1] is not None and anchor is not None:
                self._segments.append([now, None, anchor[0]])

    def at(self, t: float) -> float | None:
        with self._lock:
            self._refresh()
            for start, end, t0 in reversed(self._segments):
                assert start is not None and t0 is not None
                if t >= start and (end is None or t < end):
                    return t - t0
            return None

    def span(self, t_start: float, t_end: float) -> tuple[float, float, float] | None:
        """The part of ``[t_start, t_end)`` that is recorded, as (start, end, recorded start)."""
        with self._lock:
            self._refresh()
            for start, end, t0 in reversed(self._segments):
                assert start is not None and t0 is not None
                lo = max(t_start, start)
                hi = t_end if end is None else min(t_end, end)
                if hi > lo:
                    return lo, hi, lo - t0
            return None

    def horizon(self, now: float) -> float:
        """How much of the recorded timeline lies before monotonic time ``now``."""
        with self._lock:
            self._refresh()
            best = 0.0
            for start, end, t0 in self._segments:
                assert start is not None and t0 is not None
                t = now if end is None else min(now, end)
                if t > start:
                    best = max(best, t - t0)
            return best


class _Track:
    """One source's samples on the timeline, from the mixer's committed position on."""

    def __init__(self, source: AudioSource) -> None:
        self.source = source
        self.buffer = np.zeros((0, CHANNELS), dtype=np.float32)  # starts at the mixer's `done`
        self.pos: int | None = None  # where this source's next sample goes
        self.errors: collections.deque[int] = collections.deque(maxlen=50)
        self.blocks: collections.deque[tuple[float, Samples]] = collections.deque()
        self.lock = threading.Lock()
        self.level = 0.0
        self.last_block = 0.0
        self.lost = False
        self.stalled = False
        self.gain = 1.0

    def write(self, start: int, block: Samples, done: int) -> None:
        """Put ``block`` at timeline sample ``start`` (overwriting); nothing before ``done``."""
        if start < done:
            block = block[done - start :]
            start = done
        if not len(block):
            return
        offset = start - done
        need = offset + len(block)
        if need > len(self.buffer):
            grown = np.zeros((need, CHANNELS), dtype=np.float32)
            grown[: len(self.buffer)] = self.buffer
            self.buffer = grown
        self.buffer[offset:need] = block


class AudioCapture:
    """Runs the sources, places their samples on the timeline and mixes them. No Qt."""

    def __init__(
        self,
        sources: Sequence[AudioSource],
        timeline: AudioTimeline,
        *,
        clock: Callable[[], float] = time.monotonic,
        on_level: Callable[[float], None] | None = None,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        self.timeline = timeline
        self._clock = clock
        self._on_level = on_level
        self._on_warning = on_warning
        self._tracks = [_Track(source) for source in sources]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()  # placing and committing
        self._done = 0  # samples handed to the encoder
        self._muted = False
        self.warnings: list[str] = []

    @property
    def description(self) -> str:
        return " + ".join(track.source.name for track in self._tracks)

    @property
    def muted(self) -> bool:
        return self._muted

    def set_muted(self, muted: bool) -> None:
        """Mute the microphone(s); system sound and the synthetic source go on."""
        self._muted = muted
        for track in self._tracks:
            if track.source.kind == "mic":
                track.gain = 0.0 if muted else 1.0

    @property
    def samples(self) -> int:
        return self._done

    # -- threads ----------------------------------------------------------------------------
    def start(self) -> None:
        """Open every source (AudioError when one cannot be opened) and start the threads."""
        opened: list[AudioSource] = []
        try:
            for track in self._tracks:
                track.source.open()
                opened.append(track.source)
        except Exception:
            for source in opened:
                source.close()
            raise
        now = self._clock()
        for i, track in enumerate(self._tracks):
            track.last_block = now
            self._threads.append(
                threading.Thread(
                    target=self._read_loop, args=(track,), name=f"capdesk-audio-{i}", daemon=True
                )
            )
        self._threads.append(
            threading.Thread(target=self._level_loop, name="capdesk-audio-level", daemon=True)
        )
        for thread in self._threads:
            thread.start()

    def _warn(self, message: str) -> None:
        log.warning("%s", message)
        self.warnings.append(message)
        if self._on_warning is not None:
            try:
                self._on_warning(message)
            except Exception:
                log.exception("on_warning callback failed")

    def _read_loop(self, track: _Track) -> None:
        source = track.source
        while not self._stop.is_set():
            try:
                block = source.read()
            except Exception as exc:
                if self._stop.is_set():
                    break
                track.lost = True
                self._warn(
                    f"{source.name} stopped delivering sound ({exc}); recording silence "
                    "in its place until it comes back"
                )
                self._reopen(track)
                continue
            stamp = self._clock()
            with track.lock:
                track.blocks.append((stamp, block))
                track.last_block = stamp
                track.level = max(track.level, peak(block) * track.gain)
        try:
            source.close()
        except Exception:
            log.debug("closing %s", source.name, exc_info=True)

    def _reopen(self, track: _Track) -> None:
        source = track.source
        try:
            source.close()
        except Exception:
            log.debug("closing %s after a failure", source.name, exc_info=True)
        while not self._stop.wait(RETRY_EVERY):
            try:
                source.open()
            except Exception as exc:
                log.debug("reopening %s: %s", source.name, exc)
                continue
            with self._lock:
                track.pos = None  # a new run: anchored again by its first block
                track.errors.clear()
            track.lost = False
            self._warn(f"{source.name} is back")
            return

    def _level_loop(self) -> None:
        while not self._stop.wait(LEVEL_EVERY):
            now = self._clock()
            level = 0.0
            for track in self._tracks:
                with track.lock:
                    level = max(level, track.level)
                    track.level = 0.0
                quiet = now - track.last_block
                if not track.lost and not track.stalled and quiet > STALL_AFTER:
                    track.stalled = True
                    self._warn(
                        f"no sound from {track.source.name} for {quiet:.0f} s (disconnected?); "
                        "recording silence in its place until it comes back"
                    )
                elif track.stalled and quiet < STALL_AFTER:
                    track.stalled = False
            if self._on_level is not None:
                try:
                    self._on_level(min(1.0, level))
                except Exception:
                    log.exception("on_level callback failed")

    # -- placing ----------------------------------------------------------------------------
    def _place(self, track: _Track) -> None:
        """Move the track's new blocks onto the timeline. Call with ``self._lock`` held."""
        with track.lock:
            blocks = list(track.blocks)
            track.blocks.clear()
        keep: list[tuple[float, Samples]] = []
        for stamp, block in blocks:
            n = len(block)
            t_start = stamp - n / SAMPLE_RATE
            if not self.timeline.started:
                keep.append((stamp, block))  # before the first frame is known: wait
                continue
            span = self.timeline.span(t_start, stamp)
            if span is None:
                track.pos = None  # paused (or before the start): the run ends here
                continue
            lo, hi, recorded = span
            first = round((lo - t_start) * SAMPLE_RATE)
            last = n - round((stamp - hi) * SAMPLE_RATE)
            part = block[first:last]
            expected = round(recorded * SAMPLE_RATE)
            if track.pos is None or first > 0:
                track.pos = expected  # a new run: anchored by its stamp
                track.errors.clear()
            else:
                track.errors.append(expected - track.pos)
                error = min(track.errors)
                if len(track.errors) >= 10 and abs(error) > DRIFT_TOLERANCE * SAMPLE_RATE:
                    track.pos += error
                    track.errors.clear()
            track.write(track.pos, part, self._done)
            track.pos += len(part)
            if last < n:
                track.pos = None  # a pause cut the block
        if keep:
            horizon = self._clock() - 2.0
            with track.lock:
                track.blocks.extendleft(reversed([b for b in keep if b[0] > horizon]))

    def _commit(self, upto: int) -> Samples:
        count = max(0, upto - self._done)
        out = np.zeros((count, CHANNELS), dtype=np.float32)
        for track in self._tracks:
            have = min(count, len(track.buffer))
            if have and track.gain:
                out[:have] += track.buffer[:have] * track.gain
            track.buffer = track.buffer[count:]
        self._done += count
        np.clip(out, -1.0, 1.0, out=out)
        return out

    def take(self, until: float | None = None) -> Samples:
        """Mixed samples that are final, in order (encoder thread).

        Never past ``MARGIN`` before now, nor past ``until`` seconds of the timeline.
        """
        with self._lock:
            for track in self._tracks:
                self._place(track)
            limit = self.timeline.horizon(self._clock() - MARGIN)
            if until is not None:
                limit = min(limit, until)
            return self._commit(round(limit * SAMPLE_RATE))

    def finish(self, total_seconds: float) -> Samples:
        """Stop the sources and return the rest of the track, up to exactly ``total_seconds``.

        When more was already taken (it can only be a few ms), nothing is returned.
        """
        self.stop()
        with self._lock:
            for track in self._tracks:
                self._place(track)
            return self._commit(round(total_seconds * SAMPLE_RATE))

    def stop(self) -> None:
        self._stop.set()
        for track in self._tracks:
            stopper = getattr(track.source, "close", None)
            if stopper is not None and getattr(track.source, "kind", "") == "synthetic":
                stopper()
        for thread in self._threads:
            thread.join(timeout=1.5)
