"""``record --output FILE``: never over an existing file unless ``--overwrite``, and
never over one whose upload is unfinished or that another capdesk is using."""

from __future__ import annotations

import stat
from pathlib import Path

from capdesk.errors import InputError


class OutputRefused(InputError):
    """Why the file cannot be recorded over: a sentence for people, with the fix."""


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
    from capdesk.engine import journal_needing

    needed = journal_needing(path)
    if needed is not None:
        journal, reason = needed
        why = (f"its upload is unfinished ({journal.state})" if reason == "unfinished"
               else "another capdesk is using it")
        raise OutputRefused(
            f"--output {path} is not replaced, even with --overwrite: {why}; finish it "
            "with `capdesk resume` (see `capdesk library`) or choose another path"
        )
    path.unlink()
