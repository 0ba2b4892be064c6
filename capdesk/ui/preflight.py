"""Checks before the countdown: room on the disk, and (macOS) the permission to record
the screen. A refusal is a sentence the window shows as an error, with a way out."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QWidget

from capdesk.engine import DiskSpaceError, check_disk_space, free_disk_space, human_size


def disk_refusal(folder: Path,
                 free_space: Callable[[Path], int] = free_disk_space) -> str | None:
    """Why a recording cannot start for lack of room in ``folder`` (None: there is room):
    the engine's own rule (it checks again when the recording starts), in the app's words."""
    try:
        check_disk_space(folder, free_space)
    except DiskSpaceError:
        free = free_space(folder)
        return (f"Only {human_size(free)} is free in {folder}; capdesk needs more to record. "
                "Free some space, or choose another folder in Settings.")
    except OSError:
        return None  # the engine's own check says what is wrong with the folder
    return None


def screen_permission_granted(parent: QWidget | None) -> bool:
    """macOS: ask for the screen recording permission if needed (True: go on)."""
    try:
        from capdesk.ui.screen_permission import ensure_screen_permission
    except ImportError:  # the permission screen is not part of this build
        return True
    return bool(ensure_screen_permission(parent))
