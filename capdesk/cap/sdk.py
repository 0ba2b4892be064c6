"""The SDK API (public key ``cpk_``): create a video and upload it in parts."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from capdesk.cap.budget import RequestBudget
from capdesk.cap.errors import BadRequest, CapError, UnexpectedResponse
from capdesk.cap.limits import NAME_MAX, USER_ID_MAX, cut_utf16, sendable
from capdesk.cap.models import CompletedPart, CreatedVideo
from capdesk.cap.retry import RetryPolicy
from capdesk.cap.transport import ApiTransport, check_key, require

SDK_PATH = "/api/developer/sdk/v1"
CONTENT_TYPES = (
    "video/mp4",
    "video/webm",
    "video/quicktime",
    "video/x-matroska",
    "video/avi",
    "application/octet-stream",
)


class CapSdk:
    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        public_key: str | None,
        *,
        origin: str | None = None,
        retry: RetryPolicy | None = None,
        budget: RequestBudget | None = None,
    ) -> None:
        key = check_key(public_key, "cpk_", "public key")
        self.api = ApiTransport(
            http, base_url, SDK_PATH, key, origin=origin, retry=retry, budget=budget
        )

    def create_video(
        self,
        name: str | None = None,
        user_id: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        *,
        on_retry: Callable[[CapError], None] | None = None,
    ) -> CreatedVideo:
        payload: dict[str, Any] = {}
        # Cap counts UTF-16 code units: cut there, never inside an emoji's surrogate pair.
        if name:
            payload["name"] = cut_utf16(sendable(name), NAME_MAX)
        if user_id:
            payload["userId"] = cut_utf16(sendable(user_id), USER_ID_MAX)
        if metadata is not None:
            payload["metadata"] = dict(metadata)
        # A repeated create after a lost answer makes a second, empty video; it
        # costs nothing (only ``complete`` bills), so create is retried freely.
        # ``on_retry`` hears of each retried attempt: one that may have been processed
        # left an extra video (see ``capdesk.upload.extras``).
        return CreatedVideo.from_json(
            self.api.request("POST", "/videos/create", json=payload, on_retry=on_retry)
        )

    def initiate_upload(self, video_id: str, content_type: str = "video/mp4") -> str:
        if content_type not in CONTENT_TYPES:
            content_type = "video/mp4"  # what Cap would do anyway
        data = self.api.request(
            "POST",
            "/upload/multipart/initiate",
            json={"videoId": video_id, "contentType": content_type},
        )
        upload_id: str = require(data, "uploadId", str)
        return upload_id

    def presign_part(self, video_id: str, upload_id: str, part_number: int) -> str:
        if not 1 <= part_number <= 10000:
            raise BadRequest(400, f"part number {part_number} is outside 1..10000")
        data = self.api.request(
            "POST",
            "/upload/multipart/presign-part",
            json={"videoId": video_id, "uploadId": upload_id, "partNumber": part_number},
        )
        url: str = require(data, "presignedUrl", str)
        return url

    def complete_upload(
        self,
        video_id: str,
        upload_id: str,
        parts: Sequence[CompletedPart],
        *,
        duration_secs: float,
        width: int,
        height: int,
        fps: float,
    ) -> None:
        """Finish the upload. Bills the account: see the module note on retries.

        ``complete`` is sent with ``idempotent=False``: it is retried only when
        the server surely did not process it (refused connection, 429). After an
        ambiguous failure (a lost answer, a 5xx) the caller gets the error with
        ``maybe_processed`` set and must check whether the upload finished before
        calling again, because a second ``complete`` can charge twice. An answer
        that is neither a clear success (``success: true``) nor a clear refusal
        raises ``UnexpectedResponse``: just as ambiguous.
        """
        if duration_secs <= 0:
            raise BadRequest(400, "the duration must be more than 0 seconds")
        payload = {
            "videoId": video_id,
            "uploadId": upload_id,
            "parts": [p.to_json() for p in sorted(parts, key=lambda p: p.part_number)],
            "durationInSecs": duration_secs,
            "width": width,
            "height": height,
            "fps": fps,
        }
        data = self.api.request(
            "POST", "/upload/multipart/complete", json=payload, idempotent=False
        )
        if data.get("success") is not True:
            # Not a clear success (``{}``, ``{"success": false}`` with a 2xx): the caller
            # must settle whether the upload was completed before calling again.
            raise UnexpectedResponse(200, "the answer to complete did not confirm success")

    def abort_upload(self, video_id: str, upload_id: str) -> None:
        self.api.request(
            "POST", "/upload/multipart/abort", json={"videoId": video_id, "uploadId": upload_id}
        )
