"""Free disk space rules for the spool file.

Refuse to start with ``REFUSE_BYTES`` or less free, warn under ``WARN_BYTES``, and
while recording stop cleanly (the muxer still writes its index) once free space
drops under ``RESERVE_BYTES``, before the disk is completely full.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from capdesk.errors import DiskError

MIB = 1024 * 1024
REFUSE_BYTES = 50 * MIB
WARN_BYTES = 200 * MIB
RESERVE_BYTES = 16 * MIB

FreeSpace = Callable[[Path], int]


class DiskSpaceError(DiskError, RuntimeError):
    """Too little free space to start recording."""


def free_bytes(path: Path) -> int:
    """Free space for an unprivileged writer on the filesystem holding ``path``."""
    probe = path
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    return shutil.disk_usage(probe).free


def human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def check_before_start(folder: Path, free_space: FreeSpace = free_bytes) -> str | None:
    """Raise DiskSpaceError if recording must not start; return a warning if space is short."""
    free = free_space(folder)
    if free <= REFUSE_BYTES:
        raise DiskSpaceError(
            f"only {human(free)} free where the recording would go ({folder}); "
            f"capdesk needs more than {human(REFUSE_BYTES)}: free some space or choose "
            "another --output"
        )
    if free < WARN_BYTES:
        return (
            f"only {human(free)} free in {folder}: the recording will stop by itself "
            "when the disk is nearly full"
        )
    return None
