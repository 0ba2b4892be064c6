"""``capdesk record`` as a real process: signals, kill -9, a full disk, duration and seeking."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import pytest

from capdesk.capture.testcard import read_video_counters
from capdesk.encode import fmp4
from tests.e2e.screen_check import read_frame_log

ROOT = Path(__file__).resolve().parents[2]
FPS = 30


def start(tmp_path: Path, out: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "CAPDESK_HOME": str(tmp_path / "home"),
           "CAPDESK_FRAME_LOG": str(tmp_path / "frames.log")}
    for name in ("CAP_PUBLIC_KEY", "CAP_SECRET_KEY"):
        env.pop(name, None)
    return subprocess.Popen(
        [sys.executable, "-m", "capdesk.cli", "record", "--source", "synthetic",
         "--region", "0,0,320,180", "--no-upload", "--json", "--output", str(out), *args],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
    )


def wait_for_fragments(path: Path, count: int, proc: subprocess.Popen[str],
                       timeout: float = 30) -> None:
    """Wait until ``count`` complete fragments are in the file."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1]
        if path.exists() and len(fmp4.read_fragments(path, path.stat().st_size)) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"no {count} fragments in {path} after {timeout} s")


def exact_slots(path: Path) -> list[int]:
    """Every frame of the synthetic card shows its own slot: check, and return the slots."""
    frames = read_video_counters(path)
    slots = [round(f.time * FPS) for f in frames]
    bad = [(i, s, f.counter) for i, (s, f) in enumerate(zip(slots, frames, strict=True))
           if f.counter != s]
    assert not bad, (bad[:10], len(frames))
    assert slots == sorted(set(slots))
    return slots


def ffprobe_duration(path: Path) -> float | None:
    if shutil.which("ffprobe") is None:
        return None
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout
    return float(json.loads(out)["format"]["duration"])


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_cleanly_with_a_complete_file(tmp_path: Path, signum: int) -> None:
    out = tmp_path / "sig.mp4"
    proc = start(tmp_path, out)
    wait_for_fragments(out, 1, proc)
    time.sleep(0.7)
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    result = json.loads(stdout)
    assert result["file"] == str(out) and out.stat().st_size == result["bytes"]
    assert fmp4.has_mfra(out)
    assert not out.with_name(f".{out.name}.reserve").exists()
    slots = exact_slots(out)
    total = round(result["durationSecs"] * FPS)
    assert total - len(slots) == result["droppedFrames"]
    assert result["durationSecs"] >= 2.0
    probed = ffprobe_duration(out)
    if probed is not None:
        assert abs(probed - result["durationSecs"]) <= 1 / FPS
    # It seeks: to 2.5 s lands on the keyframe at 2.0 s (slot 60, or the first frame after
    # it if slot 60 was dropped), decoding on from there.
    keyframe = min(s for s in slots if s >= 2 * FPS)
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        assert container.duration is not None and stream.time_base is not None
        assert container.duration / 1e6 == pytest.approx(result["durationSecs"], abs=1 / FPS)
        container.seek(int(2.5 / stream.time_base), stream=stream)
        frame = next(container.decode(stream))
        assert round(frame.time * FPS) == keyframe


def test_kill_9_leaves_a_file_that_plays_to_its_last_fragment(tmp_path: Path) -> None:
    out = tmp_path / "killed.mp4"
    proc = start(tmp_path, out)
    wait_for_fragments(out, 2, proc)
    proc.kill()
    proc.communicate(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    assert not fmp4.has_mfra(out)  # no trailer: it never got to stop
    fragments = fmp4.read_fragments(out, out.stat().st_size)
    assert len(fragments) >= 2
    slots = exact_slots(out)
    # Every frame grabbed up to the end of the last whole fragment is there, in order.
    grabbed = sorted(read_frame_log(tmp_path / "frames.log"))
    assert slots == grabbed[: len(slots)]
    assert slots[-1] >= 2 * 2 * FPS - 10  # two whole 2 s fragments at least
    probed = ffprobe_duration(out)
    if probed is not None:
        assert probed >= 3.9


def can_mount_tmpfs(target: Path) -> str | None:
    if shutil.which("mount") is None:
        return "no mount command"
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=60m", "tmpfs", str(target)],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        return f"cannot mount a tmpfs here ({proc.stderr.strip() or proc.returncode})"
    return None


def test_full_disk_stops_cleanly_with_a_playable_file(tmp_path: Path) -> None:
    disk = tmp_path / "small"
    disk.mkdir()
    why = can_mount_tmpfs(disk)
    if why:
        pytest.skip(f"{why}: the disk-full path is covered by the writer's unit test")
    try:
        out = disk / "full.mp4"
        proc = start(tmp_path, out, "--region", "0,0,640,360")
        wait_for_fragments(out, 1, proc)
        # Fill the disk completely while it records.
        with open(disk / "filler", "wb") as filler:
            chunk = b"\0" * (1 << 20)
            try:
                while True:
                    filler.write(chunk)
                    filler.flush()
            except OSError:
                pass
        stdout, stderr = proc.communicate(timeout=60)
        assert proc.returncode == 1, stderr
        assert "disk full" in stderr
        result = json.loads(stdout)
        assert out.stat().st_size == result["bytes"]
        assert fmp4.has_mfra(out)  # the reserve made room for the index
        slots = exact_slots(out)
        assert len(slots) == result["frames"] >= 2 * FPS - 10
        probed = ffprobe_duration(out)
        if probed is not None:
            assert abs(probed - result["durationSecs"]) <= 1 / FPS
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
