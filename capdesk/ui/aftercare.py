"""After a recording: follow it on Cap until ready, retry failed uploads, finish
uploads left over from a previous run, list recent recordings. No widgets.

Network calls run in workers (``run_in_worker``); results come back as signals.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

from capdesk import connect
from capdesk.cap.errors import CapError
from capdesk.cap.models import VideoStatus
from capdesk.cap.rest import MIN_POLL_INTERVAL
from capdesk.engine import (
    Journal,
    UploadProgress,
    all_journals,
    load_journal,
    resume_one,
    unfinished,
)
from capdesk.engine import JournalState as State
from capdesk.ui import wording
from capdesk.ui.share import Share, share_from_journal
from capdesk.ui.signals import emit
from capdesk.ui.threads import Relay, run_in_worker

log = logging.getLogger(__name__)

POLL_FOR_SECONDS = 15 * 60.0  # give up following a video after this long
SLOWEST_POLL_MS = 15_000  # once ready, wait for the transcript ever more patiently
FINAL_TRANSCRIPTION = frozenset({"COMPLETE", "ERROR", "SKIPPED", "NO_AUDIO"})


@dataclass(frozen=True)
class Recent:
    name: str
    link: str
    created_at: float


def recent_recordings(limit: int = 8) -> list[Recent]:
    """Uploaded recordings, newest first (read from the journals)."""
    found = []
    for journal in all_journals():
        if journal.state == State.COMPLETE and journal.share_url:
            found.append(Recent(journal.name or journal.id, journal.share_url,
                                journal.created_at))
        if len(found) >= limit:
            break
    return found


class Aftercare(QObject):
    share_changed = Signal(object)  # Share
    link_ready = Signal(str)  # a retried or resumed upload completed
    resumed = Signal(int, int)  # finished, still unfinished (start-up resume)
    health_changed = Signal(str, str)

    def __init__(self, connection: Callable[[], connect.Connection] = connect.current,
                 poll_interval: float = MIN_POLL_INTERVAL,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._connection = connection
        self._base_ms = int(max(poll_interval, MIN_POLL_INTERVAL) * 1000)
        self._interval_ms = self._base_ms
        self._share: Share | None = None
        self._poll_started = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._poll)
        self._relay = Relay(self)
        self._relay.progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._busy_retry = False

    # -- following a completed video ---------------------------------------------
    @Slot(object)
    def follow(self, share: Share) -> None:
        """Start polling ``status`` for a completed upload (only with a secret key)."""
        self._timer.stop()
        self._share = share
        if share.state != State.COMPLETE or not share.journal.video_id:
            return
        self._poll_started = time.monotonic()
        self._interval_ms = self._base_ms
        self._poll()

    def stop_following(self) -> None:
        self._timer.stop()
        self._share = None

    @Slot()
    def _poll(self) -> None:
        share = self._share
        if share is None or not share.journal.video_id:
            return
        video_id = share.journal.video_id
        connection = self._connection

        def fetch() -> VideoStatus | None:
            conn = connection()
            if not conn.secret_key:
                return None
            with connect.http_client() as http:
                return connect.rest(http, conn).video_status(video_id)

        run_in_worker(fetch, lambda r, e: self._polled(share, r, e))

    def _polled(self, share: Share, status: VideoStatus | None,
                error: BaseException | None) -> None:
        if share is not self._share:
            return
        if error is not None:
            log.info("status poll failed: %s", error)
            if isinstance(error, CapError):
                share.status_line = f"Uploaded · could not check processing: {error.title}"
            emit(self.share_changed, share)
            self._again()
            return
        if status is None:  # no secret key: nothing more to learn
            share.status_line = "Uploaded"
            emit(self.share_changed, share)
            return
        share.status_line = wording.processing_line(status.ready, status.transcription_status)
        emit(self.share_changed, share)
        if status.ready and status.transcription_status in FINAL_TRANSCRIPTION:
            return
        if status.ready:  # the video plays; the transcript may take a while, or never come
            self._interval_ms = min(SLOWEST_POLL_MS, int(self._interval_ms * 1.5))
        self._again()

    def _again(self) -> None:
        if time.monotonic() - self._poll_started < POLL_FOR_SECONDS:
            self._timer.start(self._interval_ms)

    # -- retry ---------------------------------------------------------------------
    @Slot(object)
    def retry(self, share: Share) -> None:
        if self._busy_retry or share.journal.path is None:
            return
        self._busy_retry = True
        share.headline = "Uploading…"
        share.detail, share.hint, share.can_retry = "", "", False
        emit(self.share_changed, share)
        path = share.journal.path
        connection = self._connection
        progress = partial(emit, self._relay.progress)

        def run() -> Journal:
            journal = load_journal(path)
            return _resume(journal, connection, progress) or journal

        run_in_worker(run, self._retried)

    def _retried(self, journal: Journal | None, error: BaseException | None) -> None:
        self._busy_retry = False
        if journal is None:
            return
        share = share_from_journal(journal)
        if error is not None:
            share.detail = wording.for_people(
                str(error) if not isinstance(error, CapError) else error.describe())
        if journal.state == State.COMPLETE and journal.share_url:
            emit(self.link_ready, journal.share_url)
        emit(self.share_changed, share)
        if journal.state == State.COMPLETE:
            self.follow(share)

    def upload_all(self, shares: list[Share], uploaded: Callable[[str], None]) -> None:
        """Upload recordings made while uploads were off, one after the other (in one
        worker); ``uploaded(journal_id)`` after each that completed."""
        connection = self._connection
        paths = [s.journal.path for s in shares if s.journal.path is not None]

        def run() -> list[Journal]:
            done = []
            for path in paths:
                journal = load_journal(path)
                done.append(_resume(journal, connection, None) or journal)
            return done

        def finished(journals: list[Journal] | None, error: BaseException | None) -> None:
            if error is not None:
                log.warning("uploading the waiting recordings failed: %s", error)
            for journal in journals or []:
                if journal.state == State.COMPLETE and journal.share_url:
                    emit(self.link_ready, journal.share_url)
                    uploaded(journal.id)
            if journals:
                emit(self.share_changed, share_from_journal(journals[-1]))

        run_in_worker(run, finished)

    @Slot(object)
    def _on_progress(self, progress: UploadProgress) -> None:
        emit(self.health_changed, *wording.upload_health(progress, None))

    # -- start-up: finish what the last run left -------------------------------------
    def resume_unfinished(self) -> None:
        connection = self._connection

        def run() -> tuple[int, int]:
            pending = unfinished()
            done = 0
            for journal in pending:
                if journal.state in (State.KEY_REFUSED, State.ORIGIN_REFUSED,
                                     State.NEEDS_CREDITS):
                    continue  # needs the user first: Retry in the app does it
                result = _resume(journal, connection, None)
                if result is not None and result.state == State.COMPLETE:
                    done += 1
            return done, len(pending) - done

        def finished(counts: tuple[int, int] | None, error: BaseException | None) -> None:
            if error is not None or counts is None:
                log.warning("resuming old uploads failed: %s", error)
                return
            emit(self.resumed, *counts)

        run_in_worker(run, finished)


def _resume(journal: Journal, connection: Callable[[], connect.Connection],
            on_progress: Callable[[UploadProgress], None] | None) -> Journal | None:
    conn = connection()
    with connect.http_client() as http:
        sdk = connect.sdk(http, conn)
        rest = connect.rest(http, conn) if conn.secret_key else None
        return resume_one(journal, sdk, http, rest=rest, on_progress=on_progress,
                                 give_up_after=60.0)
