"""The capture thread's loop: grab on the timestamp grid, hand frames to the encoder.

It sleeps until the next slot is due, claims the slot nearest to the moment it
grabs (so a late grab drops slots instead of stretching time), grabs, and puts
``(slot, image, changed)`` on the bounded queue (``changed``: the source's
``changed_box`` when it has one, the box outside which the frame equals the one before,
else None). The put blocks while the encoder is
behind, which keeps memory flat; the time lost shows up as dropped slots.

Pause and stop come from other threads through ``CaptureControl``: its condition
variable wakes the loop at once.
"""

from __future__ import annotations

import logging
import os
import queue
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from capdesk.capture.damage import Box
from capdesk.capture.pacing import FramePacer
from capdesk.capture.sources import FrameSource, Image

log = logging.getLogger(__name__)

FRAME_LOG_ENV = "CAPDESK_FRAME_LOG"
# Diagnostics, one record per grabbed frame: slot, monotonic time before the grab and after.
FRAME_LOG_RECORD = struct.Struct("<qdd")


@dataclass
class CaptureControl:
    """Shared between the engine's threads; read and changed under ``cond``."""

    cond: threading.Condition
    paused: bool = False
    stopping: bool = False


@dataclass
class CaptureEnd:
    """What the capture thread puts on the queue last."""

    total_slots: int  # the recorded timeline, in slots
    reached_limit: bool = False
    error: BaseException | None = None


Changed = Box | None  # where the frame can differ from the one before; None: not known
FrameQueue = queue.Queue[tuple[int, Image, Changed] | CaptureEnd]


def open_frame_log(path: Path | None) -> BinaryIO | None:
    """The frame timing log from ``path`` or the CAPDESK_FRAME_LOG variable, if either is set."""
    target = path or os.environ.get(FRAME_LOG_ENV)
    if not target:
        return None
    try:
        return open(target, "wb", buffering=0)  # unbuffered: complete even after kill -9
    except OSError as exc:
        log.warning("cannot write the frame log %s: %s", target, exc)
        return None


def run_capture(
    source: FrameSource,
    pacer: FramePacer,
    frames: FrameQueue,
    control: CaptureControl,
    clock: Callable[[], float],
    *,
    limit: int | None = None,
    frame_log: Path | None = None,
    before_grab: Callable[[int], None] | None = None,
) -> CaptureEnd:
    """Capture until stopped, until ``limit`` slots are recorded, or until the source fails.

    Always ends by putting a ``CaptureEnd`` on ``frames`` (and returning it).
    """
    end_slot: int | None = None  # where the timeline ends if a grab fails
    reached_limit = False
    error: BaseException | None = None
    log_file = open_frame_log(frame_log)
    try:
        source.open()
        with control.cond:
            pacer.start(clock())
            if control.paused:  # paused before the first frame
                pacer.pause(clock())
        while True:
            with control.cond:
                if control.stopping:
                    break
                if control.paused:
                    control.cond.wait()
                    continue
                if limit is not None and pacer.next_slot >= limit:
                    reached_limit = True
                    break
                delay = pacer.due() - clock()
                if delay > 0:
                    control.cond.wait(delay)
                    continue
                now = clock()
                if limit is not None and pacer.nearest(now) >= limit:
                    pacer.skip_to(limit)  # too late for the last slots: dropped
                    reached_limit = True
                    break
                slot, _ = pacer.claim(now)
            end_slot = slot
            if before_grab is not None:
                before_grab(slot)
            image = source.grab(slot)
            changed: Changed = getattr(source, "changed_box", None)
            end_slot = None
            if log_file is not None:
                log_file.write(FRAME_LOG_RECORD.pack(slot, now, clock()))
            frames.put((slot, image, changed))
    except BaseException as exc:  # reported; the file is still finished properly
        error = exc
        log.error("capture stopped: %s", exc)
    finally:
        if log_file is not None:
            log_file.close()
        try:
            source.close()
        except Exception:
            log.debug("closing the source", exc_info=True)
    end = CaptureEnd(pacer.next_slot if end_slot is None else end_slot, reached_limit, error)
    frames.put(end)
    return end


def lower_thread_priority(nice: int) -> None:
    """Lower the calling thread's CPU priority by ``nice`` (Linux: nice is per thread).

    Threads it starts later (an encoder's workers) inherit it.
    """
    if nice <= 0 or not hasattr(os, "setpriority") or not hasattr(threading, "get_native_id"):
        return
    try:
        tid = threading.get_native_id()
        current = os.getpriority(os.PRIO_PROCESS, tid)
        os.setpriority(os.PRIO_PROCESS, tid, min(19, current + nice))
    except OSError as exc:
        log.debug("could not lower the encoder thread's priority: %s", exc)
