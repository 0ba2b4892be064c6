"""Finish interrupted uploads from their journals (``capdesk resume``, the app at start)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import httpx

from capdesk.cap.rest import CapRest
from capdesk.cap.sdk import CapSdk
from capdesk.engine import journal as journals
from capdesk.engine.journal import FINAL_STATES, UNFINISHED_STATES, Journal, State
from capdesk.media_probe import ProbeError, probe
from capdesk.upload.lock import lock_for
from capdesk.upload.uploader import StreamingUploader, UploadProgress

log = logging.getLogger(__name__)


def unfinished() -> list[Journal]:
    """Journals whose upload did not complete, oldest first."""
    pending = [j for j in journals.all_journals() if j.state in UNFINISHED_STATES]
    return sorted(pending, key=lambda j: j.created_at)


def prepare(journal: Journal) -> str | None:
    """Make a journal ready to resume; return why it cannot be, or None."""
    path = Path(journal.spool_path)
    if not path.exists():
        journal.update(state=State.FAILED, error=f"the file {path} is gone")
        return journal.error
    size = path.stat().st_size
    if journal.final_size is not None and journal.final_size != size:
        journal.update(state=State.FAILED,
                       error=f"{path} changed size since it was recorded; upload it again "
                             "with `capdesk upload`")
        return journal.error
    if journal.planned_end() > size:
        journal.update(state=State.FAILED, error=f"{path} is shorter than what was uploaded")
        return journal.error
    if journal.final_size is None or not journal.duration_secs or not journal.width:
        # The recording was cut off (a crash): the file plays up to its last fragment.
        try:
            info = probe(path, scan=True)
        except ProbeError as exc:
            journal.update(state=State.FAILED, error=str(exc))
            return journal.error
        journal.update(final_size=size, duration_secs=info.duration_secs, width=info.width,
                       height=info.height, fps=journal.fps or info.fps)
    journal.update(state=State.UPLOADING, error=None, needed_micro_credits=None)
    return None


def resume_one(
    journal: Journal,
    sdk: CapSdk,
    http: httpx.Client,
    *,
    rest: CapRest | None = None,
    on_progress: Callable[[UploadProgress], None] | None = None,
    give_up_after: float = 90.0,
) -> Journal | None:
    """Finish one upload. None if another process holds it (recording or uploading it).

    ``journal`` only names the recording: it may have been read before another
    process finished or discarded it. Under the recording's lock the journal is
    read again, and one in a final state (complete, discarded) is left alone.
    """
    lock = lock_for(journal)
    if not lock.acquire():
        return None
    try:
        assert journal.path is not None
        journal = journals.load(journal.path)
        if journal.state in FINAL_STATES:
            log.info("%s is %s already; nothing to resume", journal.id, journal.state)
            return journal
        problem = prepare(journal)
        if problem:
            log.warning("cannot resume %s: %s", journal.id, problem)
            return journal
        uploader = StreamingUploader(sdk, http, journal, rest=rest, on_progress=on_progress,
                                     give_up_after=give_up_after)
        uploader.start()
        assert journal.final_size is not None and journal.duration_secs and journal.width
        return uploader.finish(journal.final_size, journal.duration_secs, journal.width,
                               journal.height or 0, journal.fps or 0.0)
    finally:
        lock.release()
