"""The choices a recording is made of, each defined once: what to capture and which
sound. The command line, the app and the wording all take their lists from here.

Light on purpose (no backend is imported): the command line imports it to build its
argument choices.
"""

from __future__ import annotations

from enum import StrEnum


class SourceKind(StrEnum):
    """What a recording captures."""

    SCREEN = "screen"  # a monitor, the whole desktop, or a region of it
    WINDOW = "window"  # one window, following it
    CAMERA = "camera"  # the camera, full frame
    SYNTHETIC = "synthetic"  # a moving test card with a frame counter (tests, demos)


class AudioMode(StrEnum):
    """Which sound goes into the recording."""

    NONE = "none"
    MIC = "mic"
    SYSTEM = "system"  # what the computer plays
    MIC_SYSTEM = "mic+system"  # both, mixed into one track
    SYNTHETIC = "synthetic"  # a beep each time the test card flashes

    @property
    def has_microphone(self) -> bool:
        return self in (AudioMode.MIC, AudioMode.MIC_SYSTEM)


# The kinds a capture backend exists for (the command line's --source choices), in
# SourceKind's order.
RECORDABLE_SOURCES = (SourceKind.SCREEN, SourceKind.WINDOW, SourceKind.CAMERA,
                      SourceKind.SYNTHETIC)
