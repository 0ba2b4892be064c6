"""Everything a recording needs, in one frozen, typed value.

The command line and the app build a :class:`RecordingOptions`; the session
(``session.Recorder``) claims the output file and hands the same value, with
``output`` set to that file, to the capture-and-encode pipeline. The lists of
choices (source kinds, audio modes) are the enums of ``capdesk.capture.kinds``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from capdesk.capture.kinds import AudioMode, SourceKind

if TYPE_CHECKING:  # numpy loads with the bubble, not with the options
    from capdesk.capture.transforms.bubble import BubblePlacement

Region = tuple[int, int, int, int]  # x, y, width, height in physical pixels


@dataclass(frozen=True)
class RecordingOptions:
    # -- what to capture -------------------------------------------------------------------
    source: SourceKind = SourceKind.SCREEN
    monitor: int | None = None  # 1-based; None: the primary monitor; 0: the whole desktop
    region: Region | None = None  # physical pixels; for the synthetic card: its size
    cursor: bool = True
    synthetic_style: str = "noise"  # the test card's content (see capture.testcard)
    allow_xwayland: bool | None = None  # None: from the CAPDESK_ALLOW_XWAYLAND variable
    # With source WINDOW: the window, by id (``capdesk windows``) or by title (exact, else
    # the only title containing it, case-insensitively).
    window: str | None = None
    # The capture backend ("mss", "qt", ...); None: the best one here for the source.
    backend: str | None = None
    # -- the camera --------------------------------------------------------------------------
    # "default", a camera's name or id, or a video file (played as if it were a camera).
    # With source CAMERA: the camera recorded full frame (None: the default camera); with
    # any other source: the camera bubble drawn into the frames (None: no bubble).
    camera: str | None = None
    bubble: BubblePlacement | None = None  # where the bubble goes; None: bottom-right, medium
    # -- how ---------------------------------------------------------------------------------
    fps: int = 30
    max_height: int = 1080  # taller captures are scaled down, aspect kept
    encoder: str = "auto"  # "auto", "software" or an FFmpeg encoder name
    # A grab identical to the last frame is not converted and encoded again (a keyframe
    # is still written every 2 s); off only to measure what that saves.
    skip_unchanged: bool = True
    seconds: float | None = None  # stop by itself after this much recording
    # -- sound -------------------------------------------------------------------------------
    audio: AudioMode = AudioMode.NONE
    audio_device: str | None = None  # a microphone's id; None: the system default
    audio_muted: bool = False  # the microphone starts muted
    # -- where the file goes -----------------------------------------------------------------
    output: Path | None = None  # exactly this file (it must not exist yet)
    folder: Path | None = None  # else a new name in here (None: the settings' folder)
    # -- Cap ---------------------------------------------------------------------------------
    upload: bool = True
    name: str | None = None
    user_id: str | None = None
    metadata: dict[str, Any] | None = field(default=None, hash=False)
    # -- tuning and diagnostics --------------------------------------------------------------
    queue_frames: int | None = None  # None: as many as fit in the queue's memory budget
    # The encoder thread (and the encoder's own threads, which inherit it) runs this much
    # nicer than the capture thread, so grabs stay on time when the CPU is busy.
    encoder_nice: int = 5
    # A binary log of when each frame was grabbed (capture.loop.FRAME_LOG_RECORD);
    # None: from the CAPDESK_FRAME_LOG environment variable, if set.
    frame_log: Path | None = None

    def __post_init__(self) -> None:
        # Strings from a command line or a settings file become the enums (ValueError for
        # a value that is not a choice).
        object.__setattr__(self, "source", SourceKind(self.source))
        object.__setattr__(self, "audio", AudioMode(self.audio))
        if not 1 <= self.fps <= 240:
            raise ValueError(f"fps must be 1-240, not {self.fps}")
        if self.source == SourceKind.WINDOW and not (self.window or "").strip():
            raise ValueError("a window recording needs a window: its title or id")
        if self.seconds is not None and not self.seconds > 0:
            raise ValueError(f"seconds must be more than 0, not {self.seconds}")

    def with_changes(self, **changes: Any) -> RecordingOptions:
        return replace(self, **changes)
