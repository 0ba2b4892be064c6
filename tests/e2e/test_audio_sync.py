"""A minute of the flashing test card with the synthetic beep: audio and video stay in sync."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from capdesk.capture.kinds import AudioMode, SourceKind
from capdesk.engine.options import RecordingOptions
from capdesk.engine.pipeline import LocalRecording
from tests.e2e.audio_sync import decode_audio, offsets

FRAME = 1 / 30


@pytest.mark.slow
def test_beep_and_flash_stay_within_a_frame_for_a_minute_with_a_pause(tmp_path: Path) -> None:
    config = RecordingOptions(
        output=tmp_path / "sync.mp4", source=SourceKind.SYNTHETIC, region=(0, 0, 320, 180),
        fps=30, seconds=60, audio=AudioMode.SYNTHETIC, synthetic_style="plain",
    )
    recording = LocalRecording(config)
    recording.start()
    time.sleep(20.3)
    recording.pause()
    time.sleep(1.7)
    recording.resume()
    result = recording.wait(120)
    assert result is not None and result.error is None
    assert result.audio == "synthetic beep"
    assert result.duration_secs == pytest.approx(60.0)

    pairs = offsets(result.file)
    flashes = [flash for flash, _ in pairs]
    print("audio - video offsets (ms):", [(f, round(o * 1000, 2)) for f, o in pairs])
    assert len(pairs) == 30  # 1 s, 3 s, ... 59 s: every flash has its beep
    assert flashes[0] == pytest.approx(1.0) and flashes[-1] == pytest.approx(59.0)
    for _, offset in pairs:
        assert abs(offset) < FRAME
    after_pause = [o for f, o in pairs if f > 21.0]
    assert after_pause and max(abs(o) for o in after_pause) < FRAME
    samples, _, rate = decode_audio(result.file)
    assert abs(len(samples) / rate - result.duration_secs) < 0.05
