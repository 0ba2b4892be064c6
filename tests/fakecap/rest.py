"""REST API handlers (``/api/developer/v1``, secret key)."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import parse_qs

from tests.fakecap.common import Ctx, Route, error, json_response, text_response
from tests.fakecap.httpbase import Response
from tests.fakecap.state import Video, now_utc

DEFAULT_LIMIT = 50
MAX_LIMIT = 100
MICRO_CREDITS_PER_DOLLAR = 100_000  # Cap's constant; balanceDollars is a string


def js_to_number(text: str | None, default: float) -> float:
    """JavaScript ``Number(text ?? default)``; NaN when it does not parse."""
    if text is None:
        return default
    s = text.strip()
    if not s:
        return 0.0
    if s.lower().startswith(("0x", "0o", "0b")):
        try:
            return float(int(s, 0))
        except ValueError:
            return math.nan
    if s in ("Infinity", "+Infinity", "-Infinity"):
        return math.inf if s[0] != "-" else -math.inf
    if "_" in s or any(c.isalpha() and c not in "eE" for c in s):
        return math.nan
    try:
        return float(s)
    except ValueError:
        return math.nan


def _or(value: float, fallback: float) -> float:
    """JavaScript ``value || fallback`` for numbers."""
    return fallback if value == 0 or math.isnan(value) else value


def to_fixed_2(value: float) -> str:
    """JavaScript ``Number.prototype.toFixed(2)``."""
    return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _live_video(ctx: Ctx) -> Video | Response:
    with ctx.store.lock:
        video = ctx.store.videos.get(ctx.params["id"])
        if video is None or video.app_id != ctx.app.id or video.deleted_at is not None:
            return error(404, "Video not found")
        return video


def list_videos(ctx: Ctx) -> Response:
    query = {k: v[0] for k, v in parse_qs(ctx.request.query, keep_blank_values=True).items()}
    limit = min(_or(js_to_number(query.get("limit"), DEFAULT_LIMIT), DEFAULT_LIMIT), MAX_LIMIT)
    offset = max(0.0, _or(js_to_number(query.get("offset"), 0), 0))
    if limit < 0 or not float(limit).is_integer() or not float(offset).is_integer():
        # the database refuses such a LIMIT/OFFSET and Hono answers a bare 500
        return text_response(500, "Internal Server Error")
    videos = ctx.store.live_videos(ctx.app.id, query.get("userId") or None)
    page = videos[int(offset) : int(offset) + int(limit)]
    as_text = ctx.store.metadata_as_string
    return json_response(200, {"data": [v.to_json(metadata_as_string=as_text) for v in page]})


def get_video(ctx: Ctx) -> Response:
    video = _live_video(ctx)
    if isinstance(video, Response):
        return video
    as_text = ctx.store.metadata_as_string
    return json_response(200, {"data": video.to_json(metadata_as_string=as_text)})


def video_status(ctx: Ctx) -> Response:
    video = _live_video(ctx)
    if isinstance(video, Response):
        return video
    return json_response(200, {"data": {
        "id": video.id,
        "duration": video.duration,
        "width": video.width,
        "height": video.height,
        "transcriptionStatus": video.transcription_status,
        "ready": video.duration is not None and video.width is not None,
    }})


def delete_video(ctx: Ctx) -> Response:
    video = _live_video(ctx)
    if isinstance(video, Response):
        return video
    with ctx.store.lock:
        video.deleted_at = video.updated_at = now_utc()
    return json_response(200, {"success": True})


def usage(ctx: Ctx) -> Response:
    with ctx.store.lock:
        balance = ctx.app.balance
        videos = ctx.store.live_videos(ctx.app.id)
    seconds = sum(v.duration for v in videos if v.duration is not None)
    return json_response(200, {"data": {
        "balanceMicroCredits": balance,
        "balanceDollars": to_fixed_2(balance / MICRO_CREDITS_PER_DOLLAR),
        "totalVideos": len(videos),
        "totalDurationMinutes": seconds / 60,
    }})


ROUTES: list[Route] = [
    ("GET", "/videos", list_videos),
    ("GET", "/videos/:id", get_video),
    ("GET", "/videos/:id/status", video_status),
    ("DELETE", "/videos/:id", delete_video),
    ("GET", "/usage", usage),
]
PREFIXES = ("/videos", "/usage")
