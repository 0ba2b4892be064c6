"""In-memory records of the fake Cap server: apps, keys, videos, rate limits."""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

Environment = Literal["development", "production"]
KeyKind = Literal["public", "secret"]
KEY_PREFIX: dict[KeyKind, str] = {"public": "cpk_", "secret": "csk_"}
TRANSCRIPTION_STATUSES = ("PROCESSING", "COMPLETE", "ERROR", "SKIPPED", "NO_AUDIO")
_ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"


def new_id(length: int = 15) -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def now_utc() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime | None) -> str | None:
    """JavaScript's ``Date.toISOString()``: milliseconds and a ``Z``."""
    if moment is None:
        return None
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class App:
    id: str
    name: str
    environment: Environment
    balance: int  # micro-credits
    origins: list[str]
    deleted_at: datetime | None = None


@dataclass
class ApiKey:
    value: str
    kind: KeyKind
    app_id: str
    revoked_at: datetime | None = None


@dataclass
class Video:
    id: str
    app_id: str
    external_user_id: str | None
    name: str
    s3_key: str
    metadata: dict[str, Any] | None
    created_at: datetime
    updated_at: datetime
    seq: int
    duration: float | None = None
    width: float | None = None
    height: float | None = None
    fps: float | None = None
    transcription_status: str | None = None
    deleted_at: datetime | None = None

    def to_json(self, *, metadata_as_string: bool = False) -> dict[str, Any]:
        metadata: Any = self.metadata
        if metadata_as_string and metadata is not None:
            metadata = json.dumps(metadata)
        return {
            "id": self.id,
            "appId": self.app_id,
            "externalUserId": self.external_user_id,
            "name": self.name,
            "duration": self.duration,
            "width": self.width,
            "height": self.height,
            "fps": self.fps,
            "s3Key": self.s3_key,
            "transcriptionStatus": self.transcription_status,
            "metadata": metadata,
            "deletedAt": iso(self.deleted_at),
            "createdAt": iso(self.created_at),
            "updatedAt": iso(self.updated_at),
        }


class RateLimiter:
    """Cap's limiter: a fixed window per key, opened by the key's first request
    once the previous window has passed; request number ``max_requests + 1``
    onwards inside a window is refused (refused requests count too).

    ``clock`` (seconds, monotonic) tells the time; a test can swap in a fake one
    (``limiter.clock = fake``) to move past a window without sleeping."""

    def __init__(self, window: float = 60.0, max_requests: int = 60,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.max_requests = max_requests
        self.clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, float]] = {}

    def allow(self, key: str) -> bool:
        now = self.clock()
        with self._lock:
            count, reset_at = self._entries.get(key, (0, 0.0))
            if count == 0 or now > reset_at:
                self._entries[key] = (1, now + self.window)
                return True
            self._entries[key] = (count + 1, reset_at)
            return count + 1 <= self.max_requests

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()


@dataclass
class Store:
    """Every record, guarded by one lock (``store.lock``)."""

    apps: dict[str, App] = field(default_factory=dict)
    keys: dict[str, ApiKey] = field(default_factory=dict)
    videos: dict[str, Video] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    # Cap's REST API may answer ``metadata`` as a JSON string (depending on its database).
    metadata_as_string: bool = False
    _seq: int = 0

    def add_app(
        self, name: str, environment: Environment, balance: int, origins: list[str]
    ) -> App:
        if environment not in ("development", "production"):
            raise ValueError(f"unknown environment {environment!r}")
        with self.lock:
            app = App(new_id(), name, environment, int(balance), list(origins))
            self.apps[app.id] = app
            return app

    def add_key(self, app_id: str, kind: KeyKind) -> str:
        with self.lock:
            self.app(app_id)
            value = KEY_PREFIX[kind] + secrets.token_hex(20)
            self.keys[value] = ApiKey(value, kind, app_id)
            return value

    def app(self, app_id: str) -> App:
        with self.lock:
            try:
                return self.apps[app_id]
            except KeyError:
                raise KeyError(f"no app {app_id!r}") from None

    def app_for_key(self, value: str, kind: KeyKind) -> App | None:
        """The live app of a live key of this kind, or None."""
        with self.lock:
            key = self.keys.get(value)
            if key is None or key.kind != kind or key.revoked_at is not None:
                return None
            app = self.apps.get(key.app_id)
            if app is None or app.deleted_at is not None:
                return None
            return app

    def add_video(
        self,
        app_id: str,
        name: str,
        user_id: str | None,
        metadata: dict[str, Any] | None,
        created_at: datetime | None = None,
    ) -> Video:
        with self.lock:
            self._seq += 1
            video_id = new_id()
            moment = created_at or now_utc()
            video = Video(
                id=video_id,
                app_id=app_id,
                external_user_id=user_id,
                name=name,
                s3_key=f"developer/{app_id}/{video_id}/video",
                metadata=metadata,
                created_at=moment,
                updated_at=moment,
                seq=self._seq,
            )
            self.videos[video_id] = video
            return video

    def video(self, video_id: str) -> Video:
        with self.lock:
            try:
                return self.videos[video_id]
            except KeyError:
                raise KeyError(f"no video {video_id!r}") from None

    def live_videos(self, app_id: str, user_id: str | None = None) -> list[Video]:
        """Not-deleted videos of an app, newest first."""
        with self.lock:
            found = [
                v
                for v in self.videos.values()
                if v.app_id == app_id
                and v.deleted_at is None
                and (not user_id or v.external_user_id == user_id)
            ]
        return sorted(found, key=lambda v: (v.created_at, v.seq), reverse=True)
