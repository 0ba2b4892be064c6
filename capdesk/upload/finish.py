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
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import httpx

from capdesk.cap.errors import CapError, CapNetworkError, ServerError
from capdesk.cap.models import CompletedPart
from capdesk.cap.rest import CapRest
from capdesk.cap.retry import RetryPolicy
from capdesk.cap.sdk import CapSdk
from capdesk.upload.journal import Journal
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
) -> None:
    """Complete the upload, charging at most once. Raises the last error on giving up."""
    assert journal.video_id and journal.upload_id
    assert journal.duration_secs and journal.width and journal.height and journal.fps
    parts = [CompletedPart(p.number, p.etag, p.size) for p in journal.parts if p.etag]
    may_call = True
    attempt = 0
    while True:
        attempt += 1
        try:
            if may_call:
                sdk.complete_upload(
                    journal.video_id, journal.upload_id, parts,
                    duration_secs=journal.duration_secs, width=journal.width,
                    height=journal.height, fps=journal.fps,
                )
                return
            finished = upload_finished(sdk, rest, http, journal)
            if finished:
                return
            may_call = finished is False
            if may_call:
                continue
            error: CapError = CapNetworkError("cannot tell whether the upload was completed",
                                              maybe_processed=True)
        except (CapNetworkError, ServerError) as exc:
            error = exc
            ambiguous = isinstance(exc, ServerError) or exc.maybe_processed
            if ambiguous:
                may_call = False
        delay = COMPLETE_BACKOFF.delay(attempt)
        if time.monotonic() + delay > deadline:
            raise error
        log.info("complete: %s; checking again in %.1fs", error.title, delay)
        sleep(delay)
