"""``capdesk record --audio mic`` through a real sound server (PulseAudio with a sine source)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import pulse_server
from tests.e2e.audio_sync import decode_audio, dominant_frequency
from tests.e2e.pulse_server import TONE_HZ, TONE_SOURCE, PulseServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PulseServer]:
    if not pulse_server.available():
        if os.environ.get("CI"):
            pytest.fail("CI needs PulseAudio (apt-get install pulseaudio pulseaudio-utils)")
        pytest.skip("PulseAudio is not installed (apt-get install pulseaudio pulseaudio-utils)")
    server = PulseServer(tmp_path_factory.mktemp("pulse"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def record(pulse: PulseServer, out: Path, seconds: float, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "capdesk.cli", "record", "--source", "synthetic", "--region",
         "0,0,320,180", "--seconds", str(seconds), "--no-upload", "--json", "--output",
         str(out), *extra],
        env={**pulse.env, "CAPDESK_HOME": str(out.parent / "home")}, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def test_microphone_tone_is_in_the_recording(pulse: PulseServer, tmp_path: Path) -> None:
    out = tmp_path / "mic.mp4"
    proc = record(pulse, out, 4, "--audio", "mic")
    _stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert "Sine source" in stderr or TONE_SOURCE in stderr
    assert abs(dominant_frequency(out) - TONE_HZ) < 5
    samples, _, rate = decode_audio(out)
    assert abs(len(samples) / rate - 4.0) < 0.1


def test_unplugged_microphone_keeps_the_recording_going(
    pulse: PulseServer, tmp_path: Path
) -> None:
    out = tmp_path / "unplug.mp4"
    proc = record(pulse, out, 6, "--audio", "mic")
    time.sleep(3.5)  # start-up included: ~2 s of sound before the unplug
    module = pulse.module_of(TONE_SOURCE)
    pulse.pactl("unload-module", module)
    try:
        _stdout, stderr = proc.communicate(timeout=60)
    finally:
        pulse.pactl("load-module", "module-sine-source", f"source_name={TONE_SOURCE}",
                    f"frequency={TONE_HZ}", "rate=48000")
        pulse.pactl("set-default-source", TONE_SOURCE)
    assert proc.returncode == 0, stderr
    assert "warning:" in stderr and "silence" in stderr, stderr
    samples, _, rate = decode_audio(out)
    assert abs(len(samples) / rate - 6.0) < 0.1
    assert abs(samples[: 2 * rate]).max() > 0.1  # the tone at first
    assert abs(samples[-rate // 2 :]).max() < 0.01  # silence at the end
