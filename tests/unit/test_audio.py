"""Audio: the timeline, the sources' factory, mute, and a device lost mid-recording."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from capdesk.capture.audio import AudioError
from capdesk.capture.audio import sources as audio_sources
from capdesk.capture.audio.base import CHANNELS, AudioSource, to_track
from capdesk.capture.audio.mixer import AudioTimeline
from capdesk.capture.audio.sources import SyntheticBeep, make_sources
from capdesk.capture.kinds import AudioMode, SourceKind
from capdesk.engine.options import RecordingOptions
from capdesk.engine.pipeline import LocalRecording
from tests.e2e.audio_sync import decode_audio, offsets


class FakeAnchor:
    def __init__(self) -> None:
        self.value: tuple[float, float | None] | None = None

    def __call__(self) -> tuple[float, float | None] | None:
        return self.value


def test_timeline_follows_the_video_anchor_through_a_pause() -> None:
    anchor = FakeAnchor()
    timeline = AudioTimeline(anchor)
    assert timeline.at(5.0) is None and not timeline.started
    anchor.value = (10.0, None)
    assert timeline.at(12.5) == pytest.approx(2.5)
    assert timeline.at(9.0) is None
    timeline.pause(14.0)
    assert timeline.at(15.0) is None
    assert timeline.horizon(20.0) == pytest.approx(4.0)
    anchor.value = (16.1, None)  # the pacer resumed at 20.1 on slot 120 (4.0 s)
    timeline.resume(20.1)
    assert timeline.at(20.1) == pytest.approx(4.0)
    assert timeline.at(13.0) == pytest.approx(3.0)  # late blocks still find their place
    assert timeline.span(19.9, 20.3) == pytest.approx((20.1, 20.3, 4.0))


def test_to_track_makes_stereo_float32() -> None:
    mono = np.linspace(-1, 1, 10, dtype=np.float64)
    track = to_track(mono)  # type: ignore[arg-type]
    assert track.shape == (10, CHANNELS) and track.dtype == np.float32


def test_unknown_mode_and_no_sound_server_give_clear_messages(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(AudioError, match="unknown audio mode"):
        make_sources("loud", lambda t: None)

    def no_server() -> None:
        raise AudioError("no sound server (PulseAudio or PipeWire) is reachable: refused")

    monkeypatch.setattr(audio_sources, "_soundcard", no_server)
    with pytest.raises(AudioError, match="no sound server"):
        make_sources("mic", lambda t: None)
    monkeypatch.setattr(sys, "platform", "darwin")
    with pytest.raises(AudioError, match="loopback device"):
        make_sources("system", lambda t: None)


def record_synthetic(tmp_path: Path, **config: Any) -> tuple[LocalRecording, SyntheticBeep]:
    cfg = RecordingOptions(
        output=tmp_path / "out.mp4", source=SourceKind.SYNTHETIC, region=(0, 0, 320, 180),
        fps=30, audio=AudioMode.SYNTHETIC, synthetic_style="plain", **config,
    )
    holder: list[SyntheticBeep] = []
    recording = LocalRecording(cfg)
    # The engine makes its synthetic source itself; keep a handle on it to "unplug" it.
    original = audio_sources.make_sources

    def capture(*args: Any, **kwargs: Any) -> list[AudioSource]:
        made = original(*args, **kwargs)
        holder.extend(s for s in made if isinstance(s, SyntheticBeep))
        return made

    import capdesk.engine.pipeline as engine

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine, "make_sources", capture)
        recording.start()
    return recording, holder[0]


def test_short_recording_with_pause_is_in_sync(tmp_path: Path) -> None:
    recording, _ = record_synthetic(tmp_path, seconds=4.5)
    time.sleep(1.6)
    recording.pause()
    time.sleep(0.6)
    recording.resume()
    result = recording.wait(30)
    assert result is not None and result.error is None
    pairs = offsets(result.file)
    assert [round(f) for f, _ in pairs] == [1, 3]
    assert all(abs(o) < 1 / 30 for _, o in pairs)


def test_lost_device_keeps_recording_with_silence_and_a_warning(tmp_path: Path) -> None:
    warnings: list[str] = []
    recording, beep = record_synthetic(tmp_path, seconds=4.0)
    recording._on_warning = warnings.append
    time.sleep(1.5)
    beep.gone = True
    result = recording.wait(30)
    assert result is not None and result.error is None
    assert result.duration_secs == pytest.approx(4.0)
    assert warnings and "silence" in warnings[0]
    assert any("silence" in note for note in result.notes)
    samples, _, rate = decode_audio(result.file)
    assert abs(len(samples) / rate - 4.0) < 0.05
    assert np.abs(samples[int(0.95 * rate) : int(1.15 * rate)]).max() > 0.1  # the beep at 1 s
    assert np.abs(samples[int(2.9 * rate) : int(3.2 * rate)]).max() < 0.01  # none at 3 s


def test_muted_microphone_records_silence(tmp_path: Path) -> None:
    class Mic(SyntheticBeep):
        kind = "mic"

    cfg = RecordingOptions(
        output=tmp_path / "muted.mp4", source=SourceKind.SYNTHETIC, region=(0, 0, 320, 180),
        fps=30, seconds=1.6, audio=AudioMode.SYNTHETIC, synthetic_style="plain",
        audio_muted=True,
    )
    levels: list[float] = []
    # A "microphone" whose timeline always says 1.0 s: it beeps all the time, loudly.
    recording = LocalRecording(
        cfg, on_audio_level=levels.append, audio_sources=[Mic(lambda t: 1.0)]
    )
    recording.start()
    result = recording.wait(30)
    assert result is not None
    samples, _, _ = decode_audio(result.file)
    assert np.abs(samples).max() < 0.01
    assert levels and max(levels) == 0.0


def test_a_sound_server_that_does_not_answer_is_said_without_python_words(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """soundcard fails a bare ``assert`` when no sound server answers its connection: the
    message says what is wrong, not "(AssertionError)"."""
    import importlib.abc
    import importlib.machinery

    from capdesk.capture.audio.sources import _soundcard

    class Refusing(importlib.abc.Loader):
        def create_module(self, spec: Any) -> None:
            return None

        def exec_module(self, module: Any) -> None:
            raise AssertionError

    class Finder(importlib.abc.MetaPathFinder):
        def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
            if name == "soundcard":
                return importlib.machinery.ModuleSpec(name, Refusing())
            return None

    monkeypatch.delitem(sys.modules, "soundcard", raising=False)
    monkeypatch.setattr(sys, "meta_path", [Finder(), *sys.meta_path])
    with pytest.raises(AudioError) as raised:
        _soundcard()
    assert str(raised.value) == "no sound server (PulseAudio or PipeWire) is reachable"
    assert isinstance(raised.value.__cause__, AssertionError)
