"""The REST API (secret key ``csk_``): list, check and delete videos; credit balance."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from urllib.parse import quote

import httpx

from capdesk.cap.budget import RequestBudget
from capdesk.cap.errors import BadRequest, UnexpectedResponse
from capdesk.cap.models import Usage, Video, VideoStatus
from capdesk.cap.retry import RetryPolicy
from capdesk.cap.transport import ApiTransport, check_key, require

REST_PATH = "/api/developer/v1"
DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MIN_POLL_INTERVAL = 2.0


class CapRest:
    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        secret_key: str | None,
        *,
        retry: RetryPolicy | None = None,
        budget: RequestBudget | None = None,
    ) -> None:
        key = check_key(secret_key, "csk_", "secret key")
        # The REST API is not origin-checked; no Origin is sent.
        self.api = ApiTransport(http, base_url, REST_PATH, key, retry=retry, budget=budget)

    def list_videos(
        self, *, user_id: str | None = None, limit: int = DEFAULT_LIMIT, offset: int = 0
    ) -> list[Video]:
        if not 1 <= limit <= MAX_LIMIT:
            raise BadRequest(400, f"limit must be between 1 and {MAX_LIMIT}")
        if offset < 0:
            raise BadRequest(400, "offset must not be negative")
        params: dict[str, str | int] = {"limit": limit, "offset": offset}
        if user_id:
            params["userId"] = user_id
        data = self.api.request("GET", "/videos", params=params)
        items = require(data, "data", list)
        if not all(isinstance(item, dict) for item in items):
            raise UnexpectedResponse(200, "a video in the list is not an object")
        return [Video.from_json(item) for item in items]

    def iter_videos(
        self, *, user_id: str | None = None, page_size: int = MAX_LIMIT, offset: int = 0
    ) -> Iterator[Video]:
        """Every video, page by page; the end is the first page shorter than the limit.

        A video created while paging shifts the newest-first list by one, so the
        next page repeats the last one; each id is yielded only once.
        """
        seen: set[str] = set()
        while True:
            page = self.list_videos(user_id=user_id, limit=page_size, offset=offset)
            for video in page:
                if video.id not in seen:
                    seen.add(video.id)
                    yield video
            if len(page) < page_size:
                return
            offset += len(page)

    def get_video(self, video_id: str) -> Video:
        data = self.api.request("GET", f"/videos/{_segment(video_id)}")
        return Video.from_json(require(data, "data", dict))

    def video_status(self, video_id: str) -> VideoStatus:
        data = self.api.request("GET", f"/videos/{_segment(video_id)}/status")
        return VideoStatus.from_json(require(data, "data", dict))

    def wait_until_ready(
        self,
        video_id: str,
        *,
        timeout: float = 120.0,
        interval: float = MIN_POLL_INTERVAL,
        on_status: Callable[[VideoStatus], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> VideoStatus:
        """Poll ``status`` (never faster than every 2 s) until ready or the timeout."""
        interval = max(interval, MIN_POLL_INTERVAL)
        deadline = time.monotonic() + timeout
        while True:
            status = self.video_status(video_id)
            if on_status:
                on_status(status)
            if status.ready or time.monotonic() + interval > deadline:
                return status
            sleep(interval)

    def delete_video(self, video_id: str) -> None:
        self.api.request("DELETE", f"/videos/{_segment(video_id)}")

    def usage(self) -> Usage:
        data = self.api.request("GET", "/usage")
        return Usage.from_json(require(data, "data", dict))


def _segment(video_id: str) -> str:
    if not video_id or "/" in video_id or video_id in (".", ".."):
        raise BadRequest(400, f"not a video id: {video_id!r}")
    return quote(video_id, safe="")
