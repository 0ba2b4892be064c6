"""Typed answers of Cap's APIs, parsed defensively from JSON objects."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from capdesk.cap.errors import UnexpectedResponse

TRANSCRIPTION_STATES = ("PROCESSING", "COMPLETE", "ERROR", "SKIPPED", "NO_AUDIO")


def _get(data: Mapping[str, Any], name: str, kind: type | tuple[type, ...], *,
         optional: bool = False) -> Any:
    value = data.get(name)
    if value is None and optional:
        return None
    if isinstance(value, bool) and kind in (int, float, (int, float)):
        raise UnexpectedResponse(200, f"the answer's {name!r} is not a number")
    if not isinstance(value, kind):
        raise UnexpectedResponse(200, f"the answer has no usable {name!r}")
    if isinstance(value, float) and not math.isfinite(value):  # 1e400, NaN, Infinity
        raise UnexpectedResponse(200, f"the answer's {name!r} is not a finite number")
    return value


def _number(data: Mapping[str, Any], name: str) -> float | None:
    value = _get(data, name, (int, float), optional=True)
    return float(value) if value is not None else None


def _int(data: Mapping[str, Any], name: str) -> int | None:
    value = _get(data, name, (int, float), optional=True)
    return int(value) if value is not None else None


def _decimal(data: Mapping[str, Any], name: str) -> float:
    """A number that may come as a JSON number or a decimal string ("12.50")."""
    value = _get(data, name, (int, float, str))
    try:
        if isinstance(value, bool):
            raise ValueError("a boolean")
        number = float(value)
        if not math.isfinite(number):  # "NaN", "Infinity"
            raise ValueError("not finite")
        return number
    except ValueError as exc:
        raise UnexpectedResponse(200, f"the answer's {name!r} is not a number") from exc


def _time(data: Mapping[str, Any], name: str, *, optional: bool = False) -> datetime | None:
    value = _get(data, name, str, optional=optional)
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UnexpectedResponse(200, f"the answer's {name!r} is not a date") from exc


@dataclass(frozen=True)
class CreatedVideo:
    video_id: str
    s3_key: str
    share_url: str
    embed_url: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CreatedVideo:
        return cls(
            video_id=_get(data, "videoId", str),
            s3_key=_get(data, "s3Key", str),
            share_url=_get(data, "shareUrl", str),
            embed_url=_get(data, "embedUrl", str),
        )


@dataclass(frozen=True)
class CompletedPart:
    part_number: int
    etag: str
    size: int

    def to_json(self) -> dict[str, Any]:
        return {"partNumber": self.part_number, "etag": self.etag, "size": self.size}


@dataclass(frozen=True)
class Video:
    id: str
    app_id: str
    external_user_id: str | None
    name: str | None
    duration: float | None
    width: int | None
    height: int | None
    fps: float | None
    s3_key: str | None
    transcription_status: str | None
    metadata: dict[str, Any] | None
    deleted_at: datetime | None
    created_at: datetime | None
    updated_at: datetime | None
    raw: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def ready(self) -> bool:
        """Cap's own rule: a duration and a width."""
        return self.duration is not None and self.width is not None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Video:
        return cls(
            id=_get(data, "id", str),
            app_id=_get(data, "appId", str, optional=True) or "",
            external_user_id=_get(data, "externalUserId", str, optional=True),
            name=_get(data, "name", str, optional=True),
            duration=_number(data, "duration"),
            width=_int(data, "width"),
            height=_int(data, "height"),
            fps=_number(data, "fps"),
            s3_key=_get(data, "s3Key", str, optional=True),
            transcription_status=_get(data, "transcriptionStatus", str, optional=True),
            metadata=_metadata(data.get("metadata")),
            deleted_at=_time(data, "deletedAt", optional=True),
            created_at=_time(data, "createdAt", optional=True),
            updated_at=_time(data, "updatedAt", optional=True),
            raw=dict(data),
        )


def _metadata(value: Any) -> dict[str, Any] | None:
    """Cap answers ``metadata`` as an object or, depending on its database, as a JSON
    string holding one; anything else (null, a list, bad JSON) is no metadata."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


@dataclass(frozen=True)
class VideoStatus:
    id: str
    duration: float | None
    width: int | None
    height: int | None
    transcription_status: str | None
    ready: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> VideoStatus:
        return cls(
            id=_get(data, "id", str),
            duration=_number(data, "duration"),
            width=_int(data, "width"),
            height=_int(data, "height"),
            transcription_status=_get(data, "transcriptionStatus", str, optional=True),
            ready=bool(_get(data, "ready", bool)),
        )


@dataclass(frozen=True)
class Usage:
    balance_micro_credits: int
    balance_dollars: float
    total_videos: int
    total_duration_minutes: float

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Usage:
        return cls(
            balance_micro_credits=int(_get(data, "balanceMicroCredits", (int, float))),
            balance_dollars=_decimal(data, "balanceDollars"),
            total_videos=int(_get(data, "totalVideos", (int, float))),
            total_duration_minutes=float(_get(data, "totalDurationMinutes", (int, float))),
        )


MICRO_CREDITS_PER_MINUTE = 5000
CREATE_MINIMUM_MICRO_CREDITS = 5000
MAX_BILLED_SECONDS = 4 * 3600
BYTES_PER_BILLED_SECOND = 2_500_000


def completion_cost(duration_secs: float, total_bytes: int) -> int:
    """Micro-credits Cap debits at ``complete`` (its own formula).

    Only the duration is capped at 4 h; the size term is not.
    """
    duration = min(duration_secs, MAX_BILLED_SECONDS)
    seconds = max(duration, total_bytes / BYTES_PER_BILLED_SECOND)
    return int(seconds / 60 * MICRO_CREDITS_PER_MINUTE)
