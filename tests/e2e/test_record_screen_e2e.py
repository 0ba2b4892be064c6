"""Screen recording end to end on Xvfb: a window shows the test card, capdesk records it.

The window and the recorder share nothing but the monotonic clock: see
``screen_check`` for how each decoded frame is checked against when its content
was on screen and when it was grabbed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from capdesk.capture.testcard import read_video_counters
from capdesk.encode import fmp4
from tests.e2e.screen_check import check_screen_recording

ROOT = Path(__file__).resolve().parents[2]
FPS = 30
CardWindow = Callable[..., Path]
CARD = (40, 40, 480, 270)  # clear of the pointer, which Xvfb puts in the middle


def record_cli(display: str, tmp_path: Path, *args: str) -> tuple[dict, Path, str]:  # type: ignore[type-arg]
    out = tmp_path / "screen.mp4"
    frame_log = tmp_path / "frames.log"
    env = {**os.environ, "DISPLAY": display, "CAPDESK_HOME": str(tmp_path / "home"),
           "CAPDESK_FRAME_LOG": str(frame_log)}
    for name in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "CAP_PUBLIC_KEY", "CAP_SECRET_KEY"):
        env.pop(name, None)
    proc = subprocess.run(
        [sys.executable, "-m", "capdesk.cli", "record", "--source", "screen", "--no-upload",
         "--json", "--output", str(out), *args],
        env=env, capture_output=True, text=True, timeout=60, cwd=ROOT, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout), frame_log, proc.stderr


def test_whole_monitor_scaled_down(x_display: str, card_window: CardWindow,
                                   tmp_path: Path) -> None:
    card_log = card_window(CARD)
    result, frame_log, _ = record_cli(x_display, tmp_path, "--seconds", "3",
                                      "--max-height", "360")
    assert (result["width"], result["height"]) == (640, 360)  # 1280x720 halved
    assert abs(result["durationSecs"] - 3.0) <= 1 / FPS
    x, y, w, h = (v // 2 for v in CARD)
    frames = read_video_counters(result["file"], box=(x, y, w, h))
    check = check_screen_recording(frames, card_log, frame_log, FPS, result["durationSecs"],
                                   result["droppedFrames"])
    assert len(check.slots) == result["frames"]
    assert fmp4.has_mfra(result["file"])


def test_region(x_display: str, card_window: CardWindow, tmp_path: Path) -> None:
    card_log = card_window(CARD)
    region = ",".join(map(str, CARD))
    result, frame_log, stderr = record_cli(x_display, tmp_path, "--seconds", "3",
                                           "--region", region)
    assert (result["width"], result["height"]) == (480, 270)
    assert abs(result["durationSecs"] - 3.0) <= 1 / FPS
    frames = read_video_counters(result["file"])
    check_screen_recording(frames, card_log, frame_log, FPS, result["durationSecs"],
                           result["droppedFrames"])
    assert "region 480x270" in stderr


def test_pause_then_resume(x_display: str, card_window: CardWindow, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    from capdesk.engine.options import RecordingOptions
    from capdesk.engine.pipeline import LocalRecording

    monkeypatch.setenv("DISPLAY", x_display)
    for name in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(name, raising=False)
    card_log = card_window(CARD)
    frame_log = tmp_path / "frames.log"
    rec = LocalRecording(RecordingOptions(output=tmp_path / "paused.mp4", region=CARD, fps=FPS,
                                         encoder="software", frame_log=frame_log))
    rec.start()
    started = time.monotonic()
    time.sleep(1.2)
    rec.pause()
    paused = time.monotonic()
    time.sleep(1.0)
    resumed = time.monotonic()
    rec.resume()
    time.sleep(1.2)
    result = rec.stop()
    wall = time.monotonic() - started
    # Only the time spent recording is in the file: the second of pause is not (the
    # wall time since start only grows on a loaded machine, so this cannot flake).
    assert result.duration_secs < wall - (resumed - paused) + 0.2
    frames = read_video_counters(result.file)
    check = check_screen_recording(frames, card_log, frame_log, FPS, result.duration_secs,
                                   result.dropped_frames, pauses=1)
    assert check.segments == 2
    assert result.has_index


def test_cursor_is_drawn(x_display: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from capdesk.capture.screen import ScreenSource

    monkeypatch.setenv("DISPLAY", x_display)
    around_pointer = (600, 320, 80, 80)  # Xvfb starts the pointer at the centre (640, 360)
    images = []
    for cursor in (True, False):
        source = ScreenSource(None, around_pointer, cursor=cursor)
        source.open()
        images.append(source.grab(0)[..., :3].copy())
        source.close()
    differ = np.any(images[0] != images[1], axis=2)
    ys, xs = np.nonzero(differ)
    assert differ.sum() > 20, "no cursor in the picture"
    assert 25 <= xs.mean() <= 55 and 25 <= ys.mean() <= 55  # where the pointer is
