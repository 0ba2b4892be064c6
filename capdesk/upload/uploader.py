"""The streaming uploader: parts go up while the recording runs.

Threads: one coordinator thread owns every decision (create, initiate, cutting
parts, retries, complete); a small pool runs presign+PUT for up to
``max_in_flight`` parts at once. The recording never waits for it: the encoder
only calls ``notify_durable``, which records a number and wakes the coordinator.
``on_progress`` is called from these worker threads (a UI must marshal it).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from capdesk.cap.errors import (
    CapError,
    CapNetworkError,
    KeyRefused,
    NoCredits,
    OriginRefused,
    RateLimited,
    ServerError,
    UnexpectedResponse,
)
from capdesk.cap.models import completion_cost
from capdesk.cap.rest import CapRest
from capdesk.cap.retry import RetryPolicy
from capdesk.cap.sdk import CapSdk
from capdesk.engine.journal import Journal, Part, State
from capdesk.upload.extras import remove_empty_extras, with_recording_id
from capdesk.upload.finish import complete_once
from capdesk.upload.planner import MAX_PARTS, PartPlanner
from capdesk.upload.s3put import PartUploadError, put_part

log = logging.getLogger(__name__)

TRANSIENT = (CapNetworkError, ServerError, RateLimited)


@dataclass(frozen=True)
class UploadProgress:
    state: State
    video_id: str | None
    share_url: str | None
    durable_bytes: int
    confirmed_bytes: int
    parts_confirmed: int
    parts_planned: int
    retrying: bool  # the last attempt failed and is being retried
    offline: bool  # nothing has got through for a while
    message: str | None


class StreamingUploader:
    def __init__(
        self,
        sdk: CapSdk,
        http: httpx.Client,
        journal: Journal,
        *,
        rest: CapRest | None = None,
        on_progress: Callable[[UploadProgress], None] | None = None,
        max_in_flight: int = 3,
        give_up_after: float = 90.0,
        offline_after: float = 10.0,
    ) -> None:
        self.sdk = sdk
        self.rest = rest
        self.http = http
        self.journal = journal
        self.on_progress = on_progress
        self.max_in_flight = max_in_flight
        self.give_up_after = give_up_after
        self.offline_after = offline_after
        self.planner = PartPlanner()
        self.bytes_sent = 0
        self.complete_secs: float | None = None  # how long the successful complete took
        self._cond = threading.Condition()
        self._durable = journal.planned_end()
        self._finishing = journal.final_size is not None
        self._aborted = False
        self._in_flight: dict[int, Future[str]] = {}
        self._retry_at: dict[int, float] = {}
        self._attempts: dict[int, int] = {}
        self._session_retry_at = 0.0
        self._session_attempts = 0
        self._last_success = time.monotonic()
        self._retrying = False
        self._message: str | None = None
        self._pool = ThreadPoolExecutor(max_in_flight, thread_name_prefix="capdesk-put")
        self._thread = threading.Thread(target=self._run, name="capdesk-upload", daemon=True)
        self._done = threading.Event()
        self._maybe_extra_videos = False  # a create that may have gone through was retried
        self._created = threading.Event()
        if journal.video_id:
            self._created.set()

    # -- API for the recorder ------------------------------------------------
    def start(self) -> None:
        self._thread.start()

    def wait_created(self, timeout: float) -> bool:
        """Wait until the video exists on Cap (the share URL is known)."""
        return self._created.wait(timeout)

    def notify_durable(self, durable_bytes: int) -> None:
        """Called by the encoder after each fragment reaches the disk."""
        with self._cond:
            if durable_bytes > self._durable:
                self._durable = durable_bytes
                self._cond.notify_all()

    def finish(self, final_size: int, duration_secs: float, width: int, height: int,
               fps: float, timeout: float | None = None) -> Journal:
        """The file is final: upload the rest, complete, and return the journal."""
        self.journal.update(final_size=final_size, duration_secs=duration_secs, width=width,
                            height=height, fps=fps,
                            state=self._state_after_stop())
        with self._cond:
            self._durable = max(self._durable, final_size)
            self._finishing = True
            self._last_success = max(self._last_success, time.monotonic() - self.offline_after)
            self._cond.notify_all()
        self._done.wait(timeout)
        return self.journal

    def wait(self, timeout: float | None = None) -> Journal:
        self._done.wait(timeout)
        return self.journal

    def abort(self) -> None:
        """The user discarded the recording: stop, and abort the multipart upload."""
        with self._cond:
            self._aborted = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        if self.journal.video_id and self.journal.upload_id:
            try:
                self.sdk.abort_upload(self.journal.video_id, self.journal.upload_id)
            except CapError as exc:
                log.warning("could not abort the upload: %s", exc.title)
        self.journal.update(state=State.DISCARDED)

    def _state_after_stop(self) -> str:
        if self.journal.state in (State.RECORDING, State.UPLOADING, State.WAITING_NETWORK):
            return State.UPLOADING
        return self.journal.state

    # -- coordinator -----------------------------------------------------------
    def _run(self) -> None:
        try:
            self._loop()
        except Exception as exc:  # never let a bug lose the recording: say what happened
            log.exception("upload stopped by an unexpected error")
            self._fail(State.FAILED, f"unexpected error: {exc}")
        finally:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._report()
            self._done.set()

    def _loop(self) -> None:
        while True:
            with self._cond:
                if self._aborted:
                    return
            if not self._ensure_session():
                if self._stopped_for_good():
                    return
            else:
                self._collect()
                if self._stopped_for_good():
                    return
                self._plan()
                self._submit()
                if self._ready_to_complete():
                    self._complete()
                    return
            if self._finishing and time.monotonic() - self._last_success > self.give_up_after:
                self._fail(State.WAITING_NETWORK,
                           self._message or "the network or server kept failing")
                return
            self._report()
            with self._cond:
                if not self._aborted:
                    self._cond.wait(self._next_wakeup())

    def _stopped_for_good(self) -> bool:
        return self.journal.state in (State.NEEDS_CREDITS, State.KEY_REFUSED,
                                      State.ORIGIN_REFUSED, State.FAILED)

    def _next_wakeup(self) -> float:
        now = time.monotonic()
        due = [t - now for t in self._retry_at.values()]
        if self._session_retry_at:
            due.append(self._session_retry_at - now)
        return max(0.05, min([1.0, *due]))

    def _ensure_session(self) -> bool:
        journal = self.journal
        if journal.video_id and journal.upload_id:
            return True
        if self._stopped_for_good() or time.monotonic() < self._session_retry_at:
            return False
        try:
            if not journal.video_id:
                created = self.sdk.create_video(
                    journal.name, journal.user_id,
                    with_recording_id(journal.metadata, journal.id),
                    on_retry=self._create_retried,
                )
                journal.update(video_id=created.video_id, share_url=created.share_url,
                               embed_url=created.embed_url, s3_key=created.s3_key)
                self._created.set()
                if self._maybe_extra_videos:
                    self._remove_extra_videos()
            if not journal.upload_id:
                upload_id = self.sdk.initiate_upload(journal.video_id or "", journal.content_type)
                journal.update(upload_id=upload_id)
        except CapError as exc:
            if not journal.video_id:
                self._create_retried(exc)
            self._handle_api_error(exc, during="create")
            self._session_attempts += 1
            self._session_retry_at = time.monotonic() + _backoff(self._session_attempts)
            return False
        self._succeeded()
        return True

    def _create_retried(self, error: CapError) -> None:
        """A ``create`` failed in a way that may have made a video after all."""
        if isinstance(error, ServerError | UnexpectedResponse) or (
                isinstance(error, CapNetworkError) and error.maybe_processed):
            self._maybe_extra_videos = True

    def _remove_extra_videos(self) -> None:
        self._maybe_extra_videos = False
        journal = self.journal
        if self.rest is None or not journal.video_id:
            log.info("a retried create may have left an empty video on Cap; a secret key "
                     "would let capdesk find and delete it")
            return
        removed = remove_empty_extras(self.rest, journal.id, journal.video_id, journal.user_id)
        if removed:
            log.info("deleted %d empty video(s) left on Cap by a retried create", removed)
            journal.update(extra_videos_removed=journal.extra_videos_removed + removed)

    def _handle_api_error(self, exc: CapError, *, during: str) -> None:
        self._message = exc.describe()
        if isinstance(exc, TRANSIENT):
            self._retrying = True
            log.info("%s: %s (will retry)", during, exc.title)
            return
        if isinstance(exc, NoCredits):
            needed = None
            if during == "complete" and self.journal.duration_secs and self.journal.final_size:
                needed = completion_cost(self.journal.duration_secs, self.journal.final_size)
            self._fail(State.NEEDS_CREDITS, exc.describe(), needed=needed)
        elif isinstance(exc, KeyRefused):
            self._fail(State.KEY_REFUSED, exc.describe())
        elif isinstance(exc, OriginRefused):
            self._fail(State.ORIGIN_REFUSED, exc.describe())
        else:
            self._fail(State.FAILED, exc.describe())

    def _fail(self, state: State, message: str, needed: int | None = None) -> None:
        log.warning("upload stopped (%s): %s", state, message)
        self._message = message
        self.journal.update(state=state, error=message, needed_micro_credits=needed)
        with self._cond:
            self._cond.notify_all()

    def _succeeded(self) -> None:
        self._last_success = time.monotonic()
        self._retrying = False
        self._session_attempts = 0
        self._session_retry_at = 0.0

    # -- parts -----------------------------------------------------------------
    def _plan(self) -> None:
        with self._cond:
            durable, finishing = self._durable, self._finishing
        journal = self.journal
        if finishing and journal.final_size is not None:
            if journal.planned_end() < journal.final_size:
                for offset, size in PartPlanner.tail_cuts(
                    journal.planned_end(), journal.final_size, self.planner.part_size
                ):
                    journal.plan_part(offset, size)
            return
        self.planner.observe(durable)
        while len(journal.parts) < MAX_PARTS - 1:
            cut = self.planner.next_cut(journal.planned_end(), durable)
            if cut is None:
                break
            journal.plan_part(journal.planned_end(), cut)

    def _submit(self) -> None:
        now = time.monotonic()
        for part in self.journal.unconfirmed():
            if len(self._in_flight) >= self.max_in_flight:
                return
            if part.number in self._in_flight or self._retry_at.get(part.number, 0) > now:
                continue
            self._retry_at.pop(part.number, None)
            future = self._pool.submit(self._upload_part, part)
            future.add_done_callback(self._wake)
            self._in_flight[part.number] = future

    def _wake(self, _future: Future[str]) -> None:
        with self._cond:
            self._cond.notify_all()

    def _upload_part(self, part: Part) -> str:
        video_id, upload_id = self.journal.video_id or "", self.journal.upload_id or ""
        path = Path(self.journal.spool_path)
        for presign_try in range(3):
            url = self.sdk.presign_part(video_id, upload_id, part.number)
            try:
                etag = put_part(self.http, url, path, part.offset, part.size)
            except PartUploadError as exc:
                if exc.expired and presign_try < 2:
                    log.info("part %d: presigned URL refused (%s); presigning again",
                             part.number, exc)
                    continue
                raise
            with self._cond:
                self.bytes_sent += part.size
            self.journal.confirm(part, etag)
            return etag
        raise AssertionError("unreachable")

    def _collect(self) -> None:
        for number, future in list(self._in_flight.items()):
            if not future.done():
                continue
            del self._in_flight[number]
            error = future.exception()
            if error is None:
                self._attempts.pop(number, None)
                self._succeeded()
                continue
            attempts = self._attempts.get(number, 0) + 1
            self._attempts[number] = attempts
            if isinstance(error, PartUploadError):
                self._message = f"part {number}: {error}"
                if not error.transient:
                    self._fail(State.FAILED, self._message)
                    return
                self._retrying = True
            elif isinstance(error, CapError):
                self._handle_api_error(error, during="presign")
                if self._stopped_for_good():
                    return
            else:
                self._fail(State.FAILED, f"part {number}: {error}")
                return
            self._retry_at[number] = time.monotonic() + _backoff(attempts)

    def _ready_to_complete(self) -> bool:
        journal = self.journal
        return (
            self._finishing
            and journal.final_size is not None
            and not self._in_flight
            and journal.planned_end() >= journal.final_size
            and all(p.etag for p in journal.parts)
        )

    def _complete(self) -> None:
        started = time.monotonic()
        deadline = started + self.give_up_after
        try:
            complete_once(self.sdk, self.rest, self.http, self.journal, deadline=deadline)
        except CapError as exc:
            self._handle_api_error(exc, during="complete")
            if not self._stopped_for_good():
                self._fail(State.WAITING_NETWORK, exc.describe())
            return
        self.complete_secs = time.monotonic() - started
        self.journal.update(state=State.COMPLETE, error=None, completed_at=time.time(),
                            complete_call_secs=round(self.complete_secs, 3),
                            complete_sent=False)
        self._message = None

    def progress(self) -> UploadProgress:
        journal = self.journal
        with self._cond:
            durable = self._durable
        return UploadProgress(
            state=journal.state,
            video_id=journal.video_id,
            share_url=journal.share_url,
            durable_bytes=durable,
            confirmed_bytes=journal.confirmed_bytes(),
            parts_confirmed=sum(1 for p in journal.parts if p.etag),
            parts_planned=len(journal.parts),
            retrying=self._retrying,
            offline=time.monotonic() - self._last_success > self.offline_after
            and self._retrying,
            message=self._message,
        )

    def _report(self) -> None:
        if self.on_progress is not None:
            try:
                self.on_progress(self.progress())
            except Exception:
                log.exception("progress callback failed")


# Waits between retries of a part or of create/initiate: the client's own policy shape
# (capped exponential backoff with jitter), capped at 30 s while the network is away.
UPLOAD_BACKOFF = RetryPolicy(base=1.0, cap=30.0)


def _backoff(attempt: int) -> float:
    return UPLOAD_BACKOFF.delay(attempt)
