"""An advisory lock per recording, so two processes never upload the same one."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from capdesk.engine.journal import Journal


def lock_for(journal: Journal) -> RecordingLock:
    """The lock of the recording a journal describes (beside its journal file)."""
    assert journal.path is not None
    return RecordingLock(journal.path.with_suffix(".lock"))


class RecordingLock:
    """Held by the process that records or uploads a recording; released on exit/crash."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._handle: IO[bytes] | None = None

    def acquire(self) -> bool:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+b")
        try:
            if sys.platform == "win32":
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        self._handle = handle
        return True

    def release(self) -> None:
        if self._handle is not None:
            # Closing drops the lock on every platform. The file stays: unlinking it
            # would let a second process lock a fresh inode while a third holds the old.
            self._handle.close()
            self._handle = None

    def __enter__(self) -> RecordingLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
