"""``complete`` without paying twice.

Cap debits the account inside ``complete``. If the answer to a ``complete`` is
lost (a read timeout, a reset connection, a 5xx from a proxy), the call may or
may not have gone through, and blindly calling it again can charge twice. So:

1. ``CapSdk.complete_upload`` retries by itself only when the request surely was
   not processed (connection refused, 429).
2. After an ambiguous failure we ask whether the upload is already finished:
   with a secret key, ``status`` shows a duration once ``complete`` went through;
   without one, we PUT an empty part 10000 (never used for real data) to the
   upload: S3 answers 404 NoSuchUpload once it is completed. Only if the upload
   is surely still open do we call ``complete`` again.
3. If we cannot tell (the network is down), we wait and ask again, and never
   call ``complete`` again until we know.
4. An answer that is neither a clear success nor a clear refusal (an HTML page
   or an empty body with a 2xx, ``{}``, an odd status) is as ambiguous as a lost
   one. What is unsettled is kept in the journal (``complete_sent``), so a
   ``resume`` after a crash or a give-up asks first too.
5. Cap debits before it asks S3 to finish: after "500 Failed to complete
   upload" the debit stays. If the upload is then still open, the only way on
   is a second ``complete``, which debits again: the journal says so
   (``maybe_charged_twice``) and the result and the Library tell the user.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx

from capdesk.cap.errors import CapError, CapNetworkError, ServerError, UnexpectedResponse
from capdesk.cap.models import CompletedPart
from capdesk.cap.rest import CapRest
from capdesk.cap.retry import RetryPolicy
from capdesk.cap.sdk import CapSdk
from capdesk.engine.journal import Journal
from capdesk.upload.s3put import PartUploadError, put_empty

log = logging.getLogger(__name__)

PROBE_PART = 10000
COMPLETE_BACKOFF = RetryPolicy(base=1.0, cap=20.0)


def upload_finished(
    sdk: CapSdk, rest: CapRest | None, http: httpx.Client, journal: Journal
) -> bool | None:
    """True if ``complete`` already went through, False if not, None if unknown."""
    assert journal.video_id and journal.upload_id
    try:
        if rest is not None:
            return rest.video_status(journal.video_id).duration is not None
        url = sdk.presign_part(journal.video_id, journal.upload_id, PROBE_PART)
    except CapError as exc:
        log.info("cannot check whether complete went through: %s", exc.title)
        return None
    try:
        put_empty(http, url)
    except PartUploadError as exc:
        if exc.status == 404:
            return True
        return None
    return False


def complete_once(
    sdk: CapSdk,
    rest: CapRest | None,
    http: httpx.Client,
    journal: Journal,
    *,
    deadline: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> None:
    """Complete the upload, charging at most once. Raises the last error on giving up.

    The journal keeps what must survive a crash or a later ``resume``:
    ``complete_sent`` (a call went out whose outcome is not settled: ask before
    calling again), ``complete_server_error`` (Cap answered a 5xx, and it debits
    before S3 finishes) and ``maybe_charged_twice`` (a call followed such a 5xx).
    """
    assert journal.video_id and journal.upload_id
    assert journal.duration_secs and journal.width and journal.height and journal.fps
    parts = [CompletedPart(p.number, p.etag, p.size) for p in journal.parts if p.etag]
    may_call = not journal.complete_sent
    attempt = 0
    while True:
        attempt += 1
        try:
            if may_call:
                _send_complete(sdk, journal, parts)
                return
            finished = upload_finished(sdk, rest, http, journal)
            if finished:
                return
            if finished is False:
                journal.update(complete_sent=False)  # settled: that call did not finish it
                may_call = True
                continue
            error: CapError = CapNetworkError("cannot tell whether the upload was completed",
                                              maybe_processed=True)
        except (CapNetworkError, ServerError, UnexpectedResponse) as exc:
            error = exc
            if isinstance(exc, ServerError) and may_call:
                journal.update(complete_server_error=True)
            if not isinstance(exc, CapNetworkError) or exc.maybe_processed:
                may_call = False  # ambiguous: settle before any retry
            elif may_call:
                journal.update(complete_sent=False)  # surely never reached the server
        except CapError:
            if may_call:  # a clear refusal (400, 401, 402, 403, 404): nothing was done
                journal.update(complete_sent=False)
            raise
        delay = COMPLETE_BACKOFF.delay(attempt)
        if clock() + delay > deadline:
            raise error
        log.info("complete: %s; checking again in %.1fs", error.title, delay)
        sleep(delay)


def _send_complete(sdk: CapSdk, journal: Journal, parts: list[CompletedPart]) -> None:
    assert journal.video_id and journal.upload_id and journal.duration_secs
    assert journal.width and journal.height and journal.fps
    if journal.complete_server_error:
        # Cap kept the debit of the call that failed; this one debits again.
        log.warning("calling complete again after Cap's server failed: Cap may charge twice "
                    "for video %s", journal.video_id)
        journal.update(maybe_charged_twice=True)
    journal.update(complete_sent=True)
    sdk.complete_upload(
        journal.video_id, journal.upload_id, parts,
        duration_secs=journal.duration_secs, width=journal.width,
        height=journal.height, fps=journal.fps,
    )
