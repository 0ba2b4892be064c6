"""What an audio source looks like to the mixer."""

from __future__ import annotations

from typing import Protocol

import numpy as np
import numpy.typing as npt

from capdesk.errors import CapdeskError

SAMPLE_RATE = 48_000  # the track's rate: AAC at 48 kHz
CHANNELS = 2  # the track is stereo; mono sources are copied to both channels
BLOCK = 480  # samples per read: 10 ms

Samples = npt.NDArray[np.float32]  # (n, CHANNELS) float32 in [-1, 1]



class AudioError(CapdeskError, RuntimeError):
    """An audio device cannot be used (none there, no sound server, no permission, ...)."""


class AudioSource(Protocol):
    """A device that delivers samples in real time.

    ``open``/``read``/``close`` run on the source's reader thread. ``read`` blocks until
    about ``BLOCK`` samples are there and returns them as ``(n, CHANNELS)`` float32 at
    ``SAMPLE_RATE``; it raises (any exception) when the device is gone.
    """

    name: str
    kind: str  # "mic", "system" or "synthetic"

    def open(self) -> None: ...

    def read(self) -> Samples: ...

    def close(self) -> None: ...


def to_track(data: npt.NDArray[np.float32]) -> Samples:
    """Any ``(n,)`` or ``(n, c)`` float array as ``(n, CHANNELS)`` float32."""
    block = np.asarray(data, dtype=np.float32)
    if block.ndim == 1:
        block = block[:, None]
    if block.shape[1] == CHANNELS:
        return np.ascontiguousarray(block)
    if block.shape[1] == 1:
        return np.repeat(block, CHANNELS, axis=1)
    return np.ascontiguousarray(block[:, :CHANNELS])


def peak(block: Samples) -> float:
    return float(np.abs(block).max()) if block.size else 0.0
