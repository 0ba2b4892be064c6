"""What the next recording will be (the recorder's choice) and how recordings are named.

No widgets: the recorder window builds a :class:`Choice`; the start flow turns it into
the engine's ``RecordingOptions``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

FPS_CHOICES = (15, 24, 30, 60)
COUNTDOWNS = ((0, "Off"), (3, "3 seconds"), (5, "5 seconds"), (10, "10 seconds"))
QUALITIES = (("standard", "Standard · up to 1080p"), ("high", "High · up to 4K"))
MAX_HEIGHT = {"standard": 1080, "high": 2160}
MODES = ("screen", "window", "area", "desktop")  # desktop: every screen together


@dataclass(frozen=True)
class Choice:
    mode: str  # one of MODES
    screen_name: str | None
    fps: int
    quality: str
    countdown: int
    audio: str = "none"  # the engine's audio mode: none, mic, system, mic+system
    audio_device: str | None = None  # a microphone's id; None: the system default
    window_id: str | None = None  # with mode "window": the window to record
    window_title: str = ""  # ... and its title (the recording's name)

    @property
    def max_height(self) -> int:
        return MAX_HEIGHT.get(self.quality, 1080)


def recording_name(choice: Choice, taken: Iterable[str], now: datetime | None = None) -> str:
    """The recording's name: the window's title when a window is recorded, else the
    date and time; never one already in ``taken`` (a number is added)."""
    base = " ".join(choice.window_title.split())[:80] if choice.mode == "window" else ""
    if not base:
        base = f"Recording {(now or datetime.now()):%Y-%m-%d %H:%M}"
    names = set(taken)
    if base not in names:
        return base
    number = 2
    while f"{base} ({number})" in names:
        number += 1
    return f"{base} ({number})"
