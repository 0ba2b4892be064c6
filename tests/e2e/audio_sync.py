"""Reading a recording back: when the test card flashes, when the beep starts, tones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt

from capdesk.capture.testcard import band_height


def flash_times(path: Path) -> list[float]:
    """Presentation times of the frames whose body (below the counter band) is white."""
    import av

    times: list[float] = []
    with av.open(str(path)) as container:
        for frame in container.decode(container.streams.video[0]):
            gray = frame.to_ndarray(format="gray")
            body = gray[band_height(gray.shape[0]) :]
            if float(body.mean()) > 220:
                times.append(float(frame.time))
    return times


def decode_audio(path: Path) -> tuple[npt.NDArray[np.float32], float, int]:
    """The first channel of the audio track, the time of its first sample, its rate."""
    import av

    chunks: list[npt.NDArray[np.float32]] = []
    start: float | None = None
    rate = 48000
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        rate = stream.codec_context.sample_rate
        for frame in container.decode(stream):
            if start is None:
                start = float(frame.time) if frame.time is not None else 0.0
            chunks.append(frame.to_ndarray()[0].astype(np.float32))
    return np.concatenate(chunks), start or 0.0, rate


def beep_onsets(path: Path, threshold: float = 0.1, quiet: float = 0.5) -> list[float]:
    """Times at which the sound rises above ``threshold`` after ``quiet`` seconds of silence."""
    samples, start, rate = decode_audio(path)
    loud = np.flatnonzero(np.abs(samples) > threshold)
    onsets: list[float] = []
    last = -(10**9)
    for index in loud:
        if index - last > quiet * rate:
            onsets.append(start + index / rate)
        last = int(index)
    return onsets


def offsets(path: Path) -> list[tuple[float, float]]:
    """(flash time, beep onset minus flash time) for every flash that has a beep within 0.5 s."""
    beeps = beep_onsets(path)
    pairs: list[tuple[float, float]] = []
    for flash in flash_times(path):
        near = [b for b in beeps if abs(b - flash) < 0.5]
        if near:
            pairs.append((flash, min(near, key=lambda b: abs(b - flash)) - flash))
    return pairs


def dominant_frequency(path: Path, skip: float = 0.5) -> float:
    """The strongest frequency of the audio track, after ``skip`` seconds."""
    samples, _, rate = decode_audio(path)
    part = samples[int(skip * rate) :]
    spectrum = np.abs(np.fft.rfft(part * np.hanning(len(part))))
    return float(np.fft.rfftfreq(len(part), 1 / rate)[int(np.argmax(spectrum))])
