"""How one run of the app is put together (tests change these)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path

from capdesk.engine import free_disk_space
from capdesk.ui.audio import AudioOffer, probe_audio
from capdesk.ui.camera import CameraOffer, probe_cameras
from capdesk.ui.source_picker import WindowLike


def list_windows() -> Sequence[WindowLike]:
    """The windows that can be recorded (a helper process: about a second; run it in a
    worker). Raises the engine's CaptureError, with a sentence, where it is impossible."""
    from capdesk.engine import list_windows as engine_list_windows

    return engine_list_windows()


@dataclasses.dataclass
class Options:
    source: str = "screen"  # "synthetic": the moving test card instead of the screen
    synthetic_size: tuple[int, int] = (640, 360)
    use_tray: bool = True
    use_hotkeys: bool = True
    resume_at_start: bool = True
    first_run: bool = True
    # Looks up microphones and system sound (blocking; run in a worker).
    audio_probe: Callable[[], AudioOffer] = probe_audio
    audio: str | None = None  # forces the audio mode (tests: "synthetic"); None: the window's
    # Looks up the cameras (a child process, about a second; run in a worker).
    camera_probe: Callable[[], CameraOffer] = probe_cameras
    # Lists the windows that can be recorded (blocking; run in a worker).
    window_lister: Callable[[], Sequence[WindowLike]] = list_windows
    # Free bytes where the recording would go (the disk space check before the countdown).
    free_space: Callable[[Path], int] = free_disk_space
