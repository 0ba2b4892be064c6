"""``record --output FILE``: never over an existing file unless ``--overwrite``, and
never over one whose upload is unfinished or that another capdesk is using."""

from __future__ import annotations

import contextlib
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from capdesk.errors import InputError

if TYPE_CHECKING:  # the engine's journal loads when a file is claimed, not at start-up
    from capdesk.engine import Journal


class OutputRefused(InputError):
    """Why the file cannot be recorded over: a sentence for people, with the fix."""


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    with contextlib.suppress(OSError):
        return a.samefile(b)
    return False


def _in_use(journal: Journal) -> bool:
    """Another process holds the journal's lock (recording or uploading it now)."""
    from capdesk.engine import lock_for

    if journal.path is None:
        return False
    lock = lock_for(journal)
    if not lock.acquire():
        return True
    lock.release()
    return False


def holder(path: Path) -> Journal | None:
    """The journal that still needs ``path``: its upload is unfinished, or in use."""
    from capdesk.engine import UNFINISHED_STATES, all_journals

    for journal in all_journals():
        if not _same_file(Path(journal.spool_path), path):
            continue
        if journal.state in UNFINISHED_STATES or _in_use(journal):
            return journal
    return None


def claim(path: Path, *, overwrite: bool) -> None:
    """Make ``path`` free for a new recording, removing an old file if ``overwrite``.

    Raises OutputRefused (a usage error) or OSError (the old file cannot be removed).
    """

    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    if not overwrite:
        raise OutputRefused(
            f"--output {path} already exists; pass --overwrite to replace it, "
            "or choose another path"
        )
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)):
        raise OutputRefused(f"--output {path} is not a regular file; choose another path")
    journal = holder(path)
    if journal is not None:
        why = ("another capdesk is using it" if journal.state not in _unfinished()
               else f"its upload is unfinished ({journal.state})")
        raise OutputRefused(
            f"--output {path} is not replaced, even with --overwrite: {why}; finish it "
            "with `capdesk resume` (see `capdesk library`) or choose another path"
        )
    path.unlink()


def _unfinished() -> frozenset[str]:
    from capdesk.engine import UNFINISHED_STATES

    return UNFINISHED_STATES
