"""LocalRecording: threads, pacing, pause, stop reasons, disk rules, on the synthetic card.

The synthetic card's counter is its slot on the timestamp grid, so every check
here is exact: the frame at pts p shows counter p; the slots missing from the
file are exactly the dropped frames the engine reports.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from capdesk.capture.kinds import SourceKind
from capdesk.capture.sources import CaptureError, SyntheticSource
from capdesk.capture.testcard import read_video_counters
from capdesk.encode import fmp4
from capdesk.encode.diskspace import MIB, DiskSpaceError
from capdesk.engine.options import RecordingOptions
from capdesk.engine.pipeline import LocalRecording, RecordingResult, State

FPS = 30
SIZE = (320, 180)
PLENTY = 10_000 * MIB


def plenty(_: Path) -> int:
    return PLENTY


def config(tmp_path: Path, **kw) -> RecordingOptions:
    kw.setdefault("seconds", 1.0)
    return RecordingOptions(output=tmp_path / "rec.mp4", source=SourceKind.SYNTHETIC,
                           region=(0, 0, *SIZE), fps=FPS, encoder="software", **kw)


def check_file(result: RecordingResult) -> list[int]:
    """Exact checks on a recording of the synthetic card; returns the slots present."""
    frames = read_video_counters(result.file)
    slots = [round(f.time * FPS) for f in frames]
    assert [f.counter for f in frames] == slots  # each frame shows its own slot: no repeats
    assert slots == sorted(set(slots))  # in order
    total = round(result.duration_secs * FPS)
    assert len(slots) == result.frames
    assert total - len(slots) == result.dropped_frames  # gaps found == drops reported
    assert result.has_index and fmp4.has_mfra(result.file)
    assert result.file.stat().st_size == result.bytes
    return slots


class StallingSource(SyntheticSource):
    """The card, but some grabs take far longer than a frame."""

    def __init__(self, stalls: dict[int, float], fail_at: int | None = None) -> None:
        super().__init__(*SIZE)
        self.stalls = stalls
        self.fail_at = fail_at

    def grab(self, slot: int):
        if self.fail_at is not None and slot >= self.fail_at:
            raise CaptureError("the screen went away")
        time.sleep(self.stalls.get(slot, 0.0))
        return super().grab(slot)


def test_records_for_the_given_seconds(tmp_path: Path) -> None:
    states: list[State] = []
    durable: list[int] = []
    finished: list[RecordingResult] = []
    rec = LocalRecording(config(tmp_path), on_state=states.append, on_durable=durable.append,
                         on_finished=finished.append, free_space=plenty)
    rec.start()
    result = rec.wait(20)
    assert result is not None and finished == [result]
    assert result.stopped_reason == "seconds" and rec.state == State.STOPPED
    assert result.duration_secs == pytest.approx(1.0)
    assert (result.width, result.height, result.fps) == (*SIZE, FPS)
    assert result.encoder == "libx264"
    slots = check_file(result)
    assert len(slots) + result.dropped_frames == 30
    assert states == [State.RECORDING, State.STOPPING, State.STOPPED]
    assert durable == sorted(durable) and durable[-1] == result.bytes
    assert rec.durable_bytes == result.bytes
    assert rec.stop() is result  # stopping again just returns the result


def test_late_grabs_are_dropped_slots_not_stretched_time(tmp_path: Path) -> None:
    source = StallingSource({10: 0.15, 20: 0.09})
    rec = LocalRecording(config(tmp_path), source=source, free_space=plenty)
    rec.start()
    result = rec.wait(20)
    assert result is not None
    slots = check_file(result)
    assert result.dropped_frames >= 5  # 150 ms and 90 ms stalls at 33 ms a frame
    missing = sorted(set(range(30)) - set(slots))
    assert len(missing) == result.dropped_frames
    assert {11, 12, 13} <= set(missing)  # the slots passed during the 150 ms stall
    assert result.duration_secs == pytest.approx(1.0)


class FakeClock:
    """The engine's monotonic clock, moved on only by the test."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.001)


def record_slots(rec: LocalRecording, clock: FakeClock, until: int) -> None:
    """Run the recording on the fake clock until ``until`` slots of its timeline are taken.

    One slot at a time: once the capture thread is idle (its next slot not yet due), move
    the clock a quarter frame past that slot's due time and wait until the thread took
    it. So every slot is grabbed on time, however slow the machine; nothing here depends
    on how fast the threads run. White box: only the engine's pacer knows when the next
    slot is due."""
    pacer = rec._pacer
    wait_for(lambda: pacer.started, "the capture thread to start")

    def idle() -> bool:  # the next slot is not due yet, so nothing can change under us
        return pacer.due() > clock.now

    wait_for(idle, "the capture thread to take the slot already due")
    while pacer.next_slot < until:
        taken = pacer.next_slot
        clock.now = pacer.due() + 0.25 / FPS

        def took(taken: int = taken) -> bool:
            return pacer.next_slot > taken

        wait_for(took, f"slot {taken}")
        wait_for(idle, "the capture thread")


def test_pause_and_resume_leave_no_gap(tmp_path: Path) -> None:
    clock = FakeClock()
    rec = LocalRecording(config(tmp_path, seconds=None), clock=clock, free_space=plenty)
    rec.start()
    record_slots(rec, clock, 15)
    rec.pause()
    # One tuple: a plain assert would narrow rec.is_paused for mypy past rec.resume().
    assert (rec.state, rec.is_paused) == (State.PAUSED, True)
    frozen = rec.elapsed
    assert frozen == pytest.approx(15 / FPS)
    clock.now += 10.0  # a long pause
    assert rec.elapsed == frozen  # the clock stands still while paused
    rec.resume()
    assert not rec.is_paused
    record_slots(rec, clock, 30)
    result = rec.stop()
    assert result.stopped_reason == "user"
    slots = check_file(result)
    # Only the time spent recording is in the file, not the 10 s pause: no gap, no drops.
    assert slots == list(range(30)) and result.dropped_frames == 0
    assert result.duration_secs == pytest.approx(30 / FPS)


def test_pause_right_after_start(tmp_path: Path) -> None:
    clock = FakeClock()
    rec = LocalRecording(config(tmp_path, seconds=None), clock=clock, free_space=plenty)
    rec.start()
    rec.pause()  # before the capture thread got going (or just after its first grab)
    pacer = rec._pacer  # white box: wait until the capture thread has taken the pause in
    wait_for(lambda: pacer.started and pacer.paused, "the capture thread to pause")
    clock.now += 10.0  # a long pause
    time.sleep(0.1)  # room for a capture thread that ignores the pause to grab more
    assert rec.elapsed <= 1 / FPS and rec.frames <= 1  # at most the frame already grabbed
    rec.resume()
    record_slots(rec, clock, 10)
    result = rec.stop()
    slots = check_file(result)
    assert slots == list(range(10)) and result.dropped_frames == 0
    assert result.duration_secs == pytest.approx(10 / FPS)  # the pause is not in the file


def test_refuses_to_start_without_space(tmp_path: Path) -> None:
    rec = LocalRecording(config(tmp_path), free_space=lambda _: 50 * MIB)
    with pytest.raises(DiskSpaceError, match=r"needs more than 50\.0 MiB"):
        rec.start()
    assert not (tmp_path / "rec.mp4").exists() and rec.state == State.IDLE


def test_warns_when_space_is_short(tmp_path: Path) -> None:
    rec = LocalRecording(config(tmp_path, seconds=0.2), free_space=lambda _: 150 * MIB)
    rec.start()
    assert any("150.0 MiB free" in w for w in rec.warnings)
    assert rec.wait(20) is not None


def test_stops_cleanly_when_the_disk_gets_nearly_full(tmp_path: Path) -> None:
    calls = {"n": 0}

    def shrinking(_: Path) -> int:
        calls["n"] += 1
        return PLENTY if calls["n"] < 3 else 5 * MIB

    rec = LocalRecording(config(tmp_path, seconds=None), free_space=shrinking)
    rec.start()
    result = rec.wait(20)
    assert result is not None and result.stopped_reason == "disk-full"
    assert rec.state == State.STOPPED and not result.salvaged
    check_file(result)
    # Free space is checked at start and every 30 frames: low at the third check.
    assert 60 <= result.frames <= 60 + 16 + 1


def test_capture_error_keeps_what_was_recorded(tmp_path: Path) -> None:
    rec = LocalRecording(config(tmp_path), source=StallingSource({}, fail_at=15),
                         free_space=plenty)
    rec.start()
    result = rec.wait(20)
    assert result is not None
    assert result.stopped_reason == "error" and rec.state == State.FAILED
    assert result.error is not None and "went away" in result.error
    slots = check_file(result)
    assert slots[-1] == 14 and result.duration_secs == pytest.approx(15 / FPS)


def test_wayland_is_refused_by_mss_before_anything_starts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.delenv("CAPDESK_ALLOW_XWAYLAND", raising=False)
    cfg = config(tmp_path).with_changes(source=SourceKind.SCREEN, backend="mss")
    rec = LocalRecording(cfg, free_space=plenty)
    with pytest.raises(CaptureError, match="Wayland"):
        rec.start()
    assert cfg.output is not None and not cfg.output.exists()


def test_wayland_without_a_desktop_portal_is_a_clear_error_at_start(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The qt backend's worker asks D-Bus for the portal first: with none (here a session
    bus that does not exist) it fails at once, never records black, and leaves no file."""
    monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    cfg = config(tmp_path).with_changes(source=SourceKind.SCREEN)
    rec = LocalRecording(cfg, free_space=plenty)
    started = time.monotonic()
    with pytest.raises(CaptureError, match=r"D-Bus|desktop portal") as refused:
        rec.start()
    assert time.monotonic() - started < 8  # said at once, not after the frame timeout
    assert "no picture came" not in str(refused.value)
    assert cfg.output is not None and not cfg.output.exists()


def test_control_misuse(tmp_path: Path) -> None:
    rec = LocalRecording(config(tmp_path), free_space=plenty)
    with pytest.raises(RuntimeError):
        rec.stop()
    rec.pause()  # not recording: nothing happens
    assert (rec.state, rec.is_paused) == (State.IDLE, False)
    rec.start()
    with pytest.raises(RuntimeError):
        rec.start()
    result = rec.stop()
    rec.resume()
    assert rec.state == State.STOPPED and rec.elapsed == result.duration_secs


def test_callbacks_come_from_worker_threads(tmp_path: Path) -> None:
    threads: set[str] = set()
    rec = LocalRecording(config(tmp_path, seconds=0.3), free_space=plenty,
                         on_durable=lambda _: threads.add(threading.current_thread().name))
    rec.start()
    assert rec.wait(20) is not None
    assert threads == {"capdesk-encode"}
