"""The audio track: mixed float samples -> AAC (48 kHz, stereo) packets in the video's fMP4.

It runs on the encoder thread, next to the video, and muxes through the same
``Fmp4Writer`` (``add_audio_stream``/``mux_audio``), so audio packets land in the same
fragments: each fragment is still written whole, fsync'd, and ``durable_bytes``
advances as before. Timestamps are the sample count (time base 1/48000): the
first sample is at 0, like the first video frame.

AAC starts with ``PRIMING`` samples of encoder delay: the first packet comes out with
a negative timestamp. Left so, the MP4 muxer shifts *every* stream (the video too)
and stretches the first video frame to cover the shift; fragmented MP4 has no edit
list to hide the delay. Instead the track drops the first ``PRIMING`` samples of the
timeline (silence before the first frame, 21 ms) and moves the packets' timestamps
up by as much: the decoded sound then lines up sample for sample with the video
(timeline sample ``i`` is decoded at ``i / 48000`` s) in every player, and nothing
starts before 0.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Protocol

import numpy as np

from capdesk.capture.audio.base import CHANNELS, SAMPLE_RATE, Samples

BITRATE = 128_000
FRAME = 1024  # samples per AAC frame
PRIMING = 1024  # FFmpeg's AAC encoder delay (its initial_padding)


class AudioMuxer(Protocol):
    def add_audio_stream(self, codec: str, rate: int, layout: str, bit_rate: int) -> Any: ...

    def mux_audio(self, packet: Any) -> None: ...


class AacTrack:
    """Encodes samples handed in any sizes; use from the encoder thread only."""

    def __init__(self, muxer: AudioMuxer) -> None:
        self._muxer = muxer
        self._stream = muxer.add_audio_stream(
            "aac", SAMPLE_RATE, "stereo" if CHANNELS == 2 else "mono", BITRATE
        )
        self._time_base = Fraction(1, SAMPLE_RATE)
        self._pending = np.zeros((0, CHANNELS), dtype=np.float32)
        self.samples = 0  # samples encoded so far (the next frame's pts)
        self.packets = 0
        self._skip = PRIMING  # timeline samples still to drop (see the module's note)
        self._shift: int | None = None  # added to every packet's timestamps
        self._closed = False

    def write(self, block: Samples) -> None:
        if self._closed or not len(block):
            return
        if self._skip:
            dropped = min(self._skip, len(block))
            self._skip -= dropped
            block = block[dropped:]
            if not len(block):
                return
        data = np.concatenate([self._pending, block]) if len(self._pending) else block
        whole = len(data) - len(data) % FRAME
        for start in range(0, whole, FRAME):
            self._encode(data[start : start + FRAME])
        self._pending = np.ascontiguousarray(data[whole:])

    def _encode(self, chunk: Samples) -> None:
        import av

        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(chunk.T), format="fltp", layout=self._stream.layout.name
        )
        frame.sample_rate = SAMPLE_RATE
        frame.pts = self.samples
        frame.time_base = self._time_base
        self.samples += len(chunk)
        self._mux(self._stream.encode(frame))

    def _mux(self, packets: Any) -> None:
        for packet in packets:
            if self._shift is None:
                self._shift = -int(packet.pts) if packet.pts is not None else 0
            if self._shift:
                packet.pts = int(packet.pts) + self._shift
                packet.dts = int(packet.dts) + self._shift
            self._muxer.mux_audio(packet)
            self.packets += 1

    def close(self) -> None:
        """Encode what is left (the last frame padded with silence) and flush the encoder."""
        if self._closed:
            return
        self._closed = True
        if len(self._pending):
            last = np.zeros((FRAME, CHANNELS), dtype=np.float32)
            last[: len(self._pending)] = self._pending
            self._pending = np.zeros((0, CHANNELS), dtype=np.float32)
            self._encode(last)
        self._mux(self._stream.encode(None))
