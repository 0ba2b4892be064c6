"""Audio sources: a microphone, the system sound (a loopback/monitor) and a synthetic beep.

Devices come through ``soundcard`` (no compiled extension: it calls the OS sound API
through cffi): PulseAudio or PipeWire's Pulse server on Linux, WASAPI on Windows
(speaker loopback included), CoreAudio on macOS. It was chosen over PyAV's
``alsa``/``pulse`` inputs (Linux only, and the wheels' FFmpeg has no ``pulse``) and
over ``sounddevice`` (PortAudio: no monitor sources on Linux, no WASAPI loopback).

macOS offers no system sound capture of its own: a loopback device (BlackHole,
Loopback, ...) must be installed, the output routed through it, and it is then
recorded as a microphone. ``system`` says so instead of recording silence.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from capdesk.capture.audio.base import (
    BLOCK,
    CHANNELS,
    SAMPLE_RATE,
    AudioError,
    AudioSource,
    Samples,
    to_track,
)
from capdesk.capture.registry import open_audio

MAC_LOOPBACK_HELP = (
    "macOS cannot record the system sound by itself: install a loopback device "
    "(such as BlackHole), send the sound output to it, and choose it as the microphone"
)


@dataclass(frozen=True)
class AudioDevice:
    id: str
    name: str
    is_default: bool = False


# The cffi declarations soundcard reads from its package folder when it is imported, one
# per platform backend. A bundle built without them (PyInstaller's soundcard hook is
# lost when the build machine has no sound server: see packaging/README.md) imports
# nothing but fails with "No such file or directory".
SOUNDCARD_HEADERS = {"linux": "pulseaudio.py.h", "darwin": "coreaudio.py.h",
                     "win32": "mediafoundation.py.h"}


class SoundcardBroken(AudioError):
    """The soundcard package is incomplete (a data file is missing): a packaging fault,
    not a missing device or sound server."""

    def __init__(self, missing: str) -> None:
        super().__init__(f"the soundcard package is broken: a file is missing ({missing}); "
                         "reinstall capdesk (a packaged app was built without it)")
        self.missing_file = missing


def _soundcard_header() -> Path | None:
    """The platform's soundcard header when it is missing, found without importing
    soundcard (which connects to the sound server); None when present or not needed."""
    import importlib.util

    name = next((h for p, h in SOUNDCARD_HEADERS.items() if sys.platform.startswith(p)), None)
    spec = importlib.util.find_spec("soundcard")
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    if name is None or not folders:
        return None  # not installed: the import says so
    paths = [Path(folder) / name for folder in folders]
    return None if any(path.is_file() for path in paths) else paths[0]


def _soundcard() -> Any:
    """The ``soundcard`` module, or AudioError with the reason it cannot be used
    (SoundcardBroken when the package itself is incomplete)."""
    missing = _soundcard_header()
    if missing is not None:
        raise SoundcardBroken(str(missing)) from FileNotFoundError(
            errno.ENOENT, os.strerror(errno.ENOENT), str(missing))
    try:
        import soundcard
    except ImportError as exc:
        raise AudioError(f"audio needs the soundcard package ({exc})") from exc
    except FileNotFoundError as exc:  # another of its files is missing
        raise SoundcardBroken(str(exc.filename or exc)) from exc
    except Exception as exc:  # Linux: it connects to the sound server on import
        # soundcard fails a bare assert when nothing answers: no words to pass on then
        why = str(exc).strip()
        raise AudioError("no sound server (PulseAudio or PipeWire) is reachable"
                         + (f" ({why})" if why else "")) from exc
    return soundcard


def list_microphones() -> list[AudioDevice]:
    """Microphones (not loopbacks), the system default first. AudioError without a sound server."""
    sc = _soundcard()
    try:
        default = sc.default_microphone()
        default_id = str(default.id) if default is not None else None
    except Exception:
        default_id = None
    devices = [
        AudioDevice(str(m.id), str(m.name), str(m.id) == default_id)
        for m in sc.all_microphones(include_loopback=False)
    ]
    devices.sort(key=lambda d: not d.is_default)
    return devices


def _find_microphone(device: str | None) -> Any:
    sc = _soundcard()
    try:
        if device:
            return sc.get_microphone(device, include_loopback=False)
        mic = sc.default_microphone()
    except Exception as exc:
        raise AudioError(f"no microphone {device or ''} found: {exc}".replace("  ", " ")) from exc
    if mic is None:
        raise AudioError("no microphone found: connect one or choose another device")
    return mic


def _find_loopback() -> Any:
    if sys.platform == "darwin":
        raise AudioError(MAC_LOOPBACK_HELP)
    sc = _soundcard()
    try:
        speaker = sc.default_speaker()
        return sc.get_microphone(str(speaker.name), include_loopback=True)
    except Exception:
        pass
    loops = [m for m in sc.all_microphones(include_loopback=True) if m.isloopback]
    if not loops:
        raise AudioError("no system sound to record: the sound server has no monitor source")
    return loops[0]


class DeviceSource:
    """A microphone or the system sound through ``soundcard``."""

    def __init__(self, kind: str, device: str | None = None) -> None:
        self.kind = kind
        self._device = device
        self._mic: Any = self._find()
        self.name = str(self._mic.name)
        self._recorder: Any = None

    def open(self) -> None:
        if self._recorder is None:
            if self._mic is None:  # reopening after a failure: look the device up again
                self._mic = self._find()
                self.name = str(self._mic.name)
            recorder = self._mic.recorder(samplerate=SAMPLE_RATE, blocksize=BLOCK)
            recorder.__enter__()
            self._recorder = recorder

    def _find(self) -> Any:
        return _find_loopback() if self.kind == "system" else _find_microphone(self._device)

    def read(self) -> Samples:
        if self._recorder is None:
            raise AudioError("the device is not open")
        try:
            return to_track(self._recorder.record(BLOCK))
        except Exception:
            self._mic = None  # gone: the next open looks for it again
            raise

    def close(self) -> None:
        recorder, self._recorder = self._recorder, None
        if recorder is not None:
            with contextlib.suppress(Exception):
                recorder.__exit__(None, None, None)


Timeline = Callable[[float], float | None]

BEEP_EVERY = 2.0  # seconds (the first at half of it); the test card flashes at the same moments
BEEP_LENGTH = 0.1
BEEP_HZ = 1000.0


class SyntheticBeep:
    """A sound card made of the clock: silence with a beep every ``BEEP_EVERY`` seconds of
    the recorded timeline, exactly when the synthetic test card flashes.

    Like a real device it delivers a block every 10 ms of the monotonic clock, stamped
    by the mixer when ``read`` returns; ``timeline`` maps a monotonic time to the
    recorded timeline (None before the first frame or while paused).
    """

    kind = "synthetic"

    def __init__(
        self, timeline: Timeline, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.name = "synthetic beep"
        self._timeline = timeline
        self._clock = clock
        self._next: float | None = None  # monotonic time the next block ends
        self._stop = threading.Event()
        self.gone = False  # set by tests to simulate an unplugged device

    def open(self) -> None:
        self._next = self._clock() + BLOCK / SAMPLE_RATE

    def read(self) -> Samples:
        if self.gone:
            raise AudioError("synthetic device unplugged")
        assert self._next is not None
        end = self._next
        delay = end - self._clock()
        if delay > 0:
            self._stop.wait(delay)
        if self._clock() - end > 0.5:  # far behind (a stalled machine): skip ahead
            end = self._clock()
        self._next = end + BLOCK / SAMPLE_RATE
        times = end - (BLOCK - np.arange(BLOCK, dtype=np.float64)) / SAMPLE_RATE
        out = np.zeros((BLOCK, CHANNELS), dtype=np.float32)
        first = self._timeline(float(times[0]))
        last = self._timeline(float(times[-1]))
        if first is None and last is None:
            return out
        # Within 10 ms the timeline is linear (a pause only cuts it): map by the known end.
        base = last if last is not None else first
        assert base is not None
        ref = float(times[-1]) if last is not None else float(times[0])
        recorded = base + (times - ref)
        phase = np.mod(recorded - BEEP_EVERY / 2, BEEP_EVERY)
        on = (recorded >= BEEP_EVERY / 2) & (phase < BEEP_LENGTH)
        if on.any():
            tone = 0.5 * np.sin(2 * math.pi * BEEP_HZ * phase)
            out[on] = tone[on, None].astype(np.float32)
        return out

    def close(self) -> None:
        self._stop.set()


def make_sources(
    mode: str,
    timeline: Timeline,
    *,
    device: str | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> list[AudioSource]:
    """The sources for ``--audio MODE`` (an ``AudioMode``), from the capture registry.

    AudioError with a sentence for people when a device is missing.
    """
    return open_audio(mode, timeline, device=device, clock=clock)
