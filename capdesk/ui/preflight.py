"""Checks before the countdown: room on the disk, and (macOS) the permission to record
the screen. A refusal is a sentence the window shows as an error, with a way out."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from capdesk.engine import human_size

# The engine refuses to start a recording with this much free or less (its own check,
# in Recorder.prepare, stays the last word); checked here first so the refusal comes
# before the countdown, with the app's words.
REFUSE_BYTES = 50 * 1024 * 1024


def free_bytes(folder: Path) -> int:
    probe = folder
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return shutil.disk_usage(probe).free


def disk_refusal(folder: Path, free_space: Callable[[Path], int] = free_bytes) -> str | None:
    """Why a recording cannot start for lack of room in ``folder`` (None: there is room)."""
    try:
        free = free_space(folder)
    except OSError:
        return None  # the engine's own check says what is wrong with the folder
    if free > REFUSE_BYTES:
        return None
    return (f"Only {human_size(free)} is free in {folder}; capdesk needs more than "
            f"{human_size(REFUSE_BYTES)} to record. Free some space, or choose another "
            "folder in Settings.")


def screen_permission_granted(parent: QWidget | None) -> bool:
    """macOS: ask for the screen recording permission if needed (True: go on)."""
    try:
        from capdesk.ui.screen_permission import ensure_screen_permission
    except ImportError:  # the permission screen is not part of this build
        return True
    return bool(ensure_screen_permission(parent))
