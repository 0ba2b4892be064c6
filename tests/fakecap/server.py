"""FakeCap: the fake Cap API + S3 front + moto, started and stopped together,
with admin helpers for tests."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from tests.fakecap.api import REST_BASE, SDK_BASE, CapApi
from tests.fakecap.faults import FaultPlan
from tests.fakecap.front import S3FaultPlan, S3Front
from tests.fakecap.httpbase import RequestRecord, ServiceServer
from tests.fakecap.s3 import S3Backend, StoredObject
from tests.fakecap.state import (
    TRANSCRIPTION_STATUSES,
    Environment,
    KeyKind,
    RateLimiter,
    Store,
    now_utc,
)


@dataclass(frozen=True)
class AppKeys:
    """An app made by :meth:`FakeCap.create_app`."""

    app_id: str
    public_key: str
    secret_key: str
    environment: Environment
    origins: tuple[str, ...]


class FakeCap:
    """A faithful fake of Cap's developer API on 127.0.0.1.

    ``FakeCap().start()`` (or ``with FakeCap() as cap:``) starts moto, the S3
    front and the API server, each on an ephemeral port unless ``port`` is
    given for the API. ``rate_limit_window`` (seconds), ``rate_limit_max`` and
    ``presign_expiry`` (seconds) can also be changed on a running server.
    """

    def __init__(
        self,
        *,
        port: int = 0,
        rate_limit_window: float = 60.0,
        rate_limit_max: int = 60,
        presign_expiry: int = 3600,
    ) -> None:
        self._defaults = (rate_limit_window, rate_limit_max, presign_expiry)
        self.store = Store()
        self.s3 = S3Backend()
        self.limiter = RateLimiter(rate_limit_window, rate_limit_max)
        self.api = CapApi(self.store, self.s3, self.limiter)
        self.api.presign_expiry = presign_expiry
        self._port = port
        self.front: S3Front | None = None
        self._api_server: ServiceServer | None = None
        self._front_server: ServiceServer | None = None

    # -- lifecycle -----------------------------------------------------------
    def start(self) -> FakeCap:
        self.s3.start()
        try:
            self.front = S3Front(self.s3)
            self._front_server = ServiceServer(self.front)
            self._front_server.start()
            self.s3.set_presign_endpoint(self._front_server.url)
            self._api_server = ServiceServer(self.api, port=self._port)
            self.api.web_url = self._api_server.url
            self._api_server.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in (self._api_server, self._front_server):
            if server is not None:
                server.stop()
        self.s3.stop()

    def __enter__(self) -> FakeCap:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses -----------------------------------------------------------
    @property
    def base_url(self) -> str:
        """The Cap base URL (``CAP_BASE_URL``), also the web URL of share links."""
        assert self._api_server is not None, "call start() first"
        return self._api_server.url

    @property
    def sdk_url(self) -> str:
        return self.base_url + SDK_BASE

    @property
    def rest_url(self) -> str:
        return self.base_url + REST_BASE

    @property
    def s3_url(self) -> str:
        """The S3 front, the host of every presigned URL."""
        assert self._front_server is not None, "call start() first"
        return self._front_server.url

    # -- faults, logs, settings ----------------------------------------------
    @property
    def api_faults(self) -> FaultPlan:
        return self.api.faults

    @property
    def s3_faults(self) -> S3FaultPlan:
        assert self.front is not None, "call start() first"
        return self.front.faults

    @property
    def api_log(self) -> list[RequestRecord]:
        return self.api.log.records()

    @property
    def s3_log(self) -> list[RequestRecord]:
        assert self.front is not None, "call start() first"
        return self.front.log.records()

    @property
    def s3_bytes_received(self) -> int:
        assert self.front is not None, "call start() first"
        return self.front.log.bytes_received()

    def max_requests_per_window(self, key: str | None = None, seconds: float = 60.0) -> int:
        """Most API requests sent with ``Bearer <key>`` (any, if None) in any
        sliding window of ``seconds``."""
        return self.api.log.max_in_window(None if key is None else f"Bearer {key}", seconds)

    @property
    def server_errors(self) -> list[str]:
        """Exceptions inside the fake and S3 failures it mapped to 500s."""
        found = list(self.api.errors)
        for server in (self._api_server, self._front_server):
            if server is not None:
                found += server.errors
        return found

    @property
    def rate_limit_window(self) -> float:
        return self.limiter.window

    @rate_limit_window.setter
    def rate_limit_window(self, seconds: float) -> None:
        self.limiter.window = seconds
        self.limiter.reset()

    @property
    def rate_limit_max(self) -> int:
        return self.limiter.max_requests

    @rate_limit_max.setter
    def rate_limit_max(self, count: int) -> None:
        self.limiter.max_requests = count
        self.limiter.reset()

    @property
    def presign_expiry(self) -> int:
        return self.api.presign_expiry

    @presign_expiry.setter
    def presign_expiry(self, seconds: int) -> None:
        self.api.presign_expiry = seconds

    def reset(self) -> None:
        """Clear faults, logs, rate-limit counters and recorded errors, and put
        the settings back to the constructor's values. Apps and videos stay."""
        self.api.faults.clear()
        self.s3_faults.clear()
        self.api.log.clear()
        if self.front is not None:
            self.front.log.clear()
            self.front.check_signatures = True
            self.front.strict_checksums = False
        self.s3.checksum_in_presign = False
        self.s3.fail_completes = 0
        self.store.metadata_as_string = False
        self.api.errors.clear()
        for server in (self._api_server, self._front_server):
            if server is not None:
                server.errors.clear()
        window, count, expiry = self._defaults
        self.limiter.window, self.limiter.max_requests = window, count
        self.limiter.reset()
        self.api.presign_expiry = expiry

    # -- admin: apps and keys ------------------------------------------------
    def create_app(
        self,
        *,
        environment: Environment = "development",
        balance: int = 100_000_000,
        origins: Iterable[str] = (),
        name: str = "Test app",
    ) -> AppKeys:
        """A new app with one public and one secret key. ``balance`` is in
        micro-credits (100,000 = $1); ``origins`` are the allowed domains."""
        app = self.store.add_app(name, environment, balance, list(origins))
        return AppKeys(
            app.id,
            self.store.add_key(app.id, "public"),
            self.store.add_key(app.id, "secret"),
            environment,
            tuple(app.origins),
        )

    def create_key(self, app_id: str, kind: KeyKind) -> str:
        """Another key (``kind`` "public" or "secret") for an app."""
        return self.store.add_key(app_id, kind)

    def revoke_key(self, key: str) -> None:
        with self.store.lock:
            self.store.keys[key].revoked_at = now_utc()

    def delete_app(self, app_id: str) -> None:
        with self.store.lock:
            self.store.app(app_id).deleted_at = now_utc()

    def set_balance(self, app_id: str, micro_credits: int) -> None:
        with self.store.lock:
            self.store.app(app_id).balance = int(micro_credits)

    def get_balance(self, app_id: str) -> int:
        with self.store.lock:
            return self.store.app(app_id).balance

    def set_origins(self, app_id: str, origins: Iterable[str]) -> None:
        with self.store.lock:
            self.store.app(app_id).origins = list(origins)

    def set_environment(self, app_id: str, environment: Environment) -> None:
        with self.store.lock:
            self.store.app(app_id).environment = environment

    # -- admin: videos -------------------------------------------------------
    def seed_videos(
        self,
        app_id: str,
        count: int,
        *,
        user_ids: Sequence[str | None] = ("user-a", "user-b", "user-c"),
        spacing: timedelta = timedelta(minutes=1),
        completed: bool = True,
    ) -> list[str]:
        """Add ``count`` videos without uploads. Video ``i`` (0-based) belongs to
        ``user_ids[i % len(user_ids)]``, is named ``"Seeded video {i}"`` and was
        created ``(count - i) * spacing`` ago, so the last one is the newest.
        ``completed`` fills duration (10 + i s), 1920x1080 and 30 fps.
        Returns the ids newest first (the order of ``GET /videos``)."""
        ids = []
        start = now_utc()
        with self.store.lock:
            self.store.app(app_id)
            for i in range(count):
                video = self.store.add_video(
                    app_id,
                    f"Seeded video {i}",
                    user_ids[i % len(user_ids)] if user_ids else None,
                    None,
                    created_at=start - (count - i) * spacing,
                )
                if completed:
                    video.duration, video.width, video.height, video.fps = 10.0 + i, 1920, 1080, 30
                ids.append(video.id)
        return ids[::-1]

    def set_transcription_status(self, video_id: str, status: str | None) -> None:
        if status is not None and status not in TRANSCRIPTION_STATUSES:
            raise ValueError(f"status must be None or one of {TRANSCRIPTION_STATUSES}")
        with self.store.lock:
            video = self.store.video(video_id)
            video.transcription_status = status
            video.updated_at = now_utc()

    def update_video(self, video_id: str, **fields: Any) -> None:
        """Set raw fields of a video record (``duration``, ``width``, ...)."""
        with self.store.lock:
            video = self.store.video(video_id)
            names = {f.name for f in dataclasses.fields(video)}
            for name, value in fields.items():
                if name not in names:
                    raise AttributeError(name)
                setattr(video, name, value)

    def video(self, video_id: str) -> dict[str, Any]:
        """The video record as the REST API shows it (deleted ones included)."""
        with self.store.lock:
            return self.store.video(video_id).to_json()

    def videos(self, app_id: str) -> list[dict[str, Any]]:
        """Every video of an app, deleted ones included, newest first."""
        with self.store.lock:
            found = [v for v in self.store.videos.values() if v.app_id == app_id]
            found.sort(key=lambda v: (v.created_at, v.seq), reverse=True)
            return [v.to_json() for v in found]

    def video_object(self, video_id: str) -> StoredObject:
        """The completed S3 object (``.data``, ``.content_type``,
        ``.cache_control``, ``.etag``); raises S3Error if there is none."""
        return self.s3.get_object(self.store.video(video_id).s3_key)

    def video_bytes(self, video_id: str) -> bytes:
        return self.video_object(video_id).data

    def multipart_uploads(self, video_id: str | None = None) -> list[dict[str, str]]:
        """In-progress multipart uploads (``{"key", "uploadId", "videoId"}``),
        of one video or of all."""
        prefix = self.store.video(video_id).s3_key if video_id else "developer/"
        uploads = self.s3.list_uploads(prefix)
        for upload in uploads:
            upload["videoId"] = upload["key"].split("/")[2] if upload["key"].count("/") >= 3 else ""
        return uploads

    def uploaded_parts(self, video_id: str, upload_id: str) -> list[dict[str, Any]]:
        """Parts S3 holds for an in-progress upload (``partNumber``, ``etag``, ``size``)."""
        return self.s3.list_parts(self.store.video(video_id).s3_key, upload_id)
