"""Is a recording's file still needed: an unfinished upload, or a capdesk using it?

Light on purpose (no HTTP stack): ``record --output FILE --overwrite`` asks before it
starts recording.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from capdesk.engine import journal as journals
from capdesk.engine.journal import UNFINISHED_STATES, Journal
from capdesk.upload.lock import lock_for


def is_locked(journal: Journal) -> bool:
    """Another capdesk (or this one) holds the recording's lock right now."""
    if journal.path is None:
        return False
    lock = lock_for(journal)
    if not lock.acquire():
        return True
    lock.release()
    return False


def journal_needing(path: Path) -> tuple[Journal, str] | None:
    """The journal that still needs the file at ``path``, and why ("unfinished" or
    "in use"), or None: then the file may be replaced (``record --output --overwrite``)."""
    for journal in journals.all_journals():
        if not _same_file(Path(journal.spool_path), path):
            continue
        if journal.state in UNFINISHED_STATES:
            return journal, "unfinished"
        if is_locked(journal):
            return journal, "in use"
    return None


def _same_file(a: Path, b: Path) -> bool:
    if a.resolve() == b.resolve():
        return True
    with contextlib.suppress(OSError):
        return a.samefile(b)
    return False
