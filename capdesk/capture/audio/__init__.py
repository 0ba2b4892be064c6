"""Audio capture: microphone, system sound and a synthetic beep, on the video's timeline.

``sources`` has the devices (through the ``soundcard`` package: PulseAudio/PipeWire
on Linux, WASAPI on Windows including loopback of the speakers, CoreAudio on macOS)
and the synthetic beep; ``mixer`` places their samples on the recording's timeline,
mixes them into one track and hands it to the encoder thread. No Qt here.
"""

from capdesk.capture.audio.base import (
    CHANNELS,
    SAMPLE_RATE,
    AudioError,
    AudioSource,
)

__all__ = ["CHANNELS", "SAMPLE_RATE", "AudioError", "AudioSource"]
