"""SDK API handlers (``/api/developer/sdk/v1``, public key)."""

from __future__ import annotations

import math

from tests.fakecap.common import Ctx, Route, error, json_response
from tests.fakecap.httpbase import Response
from tests.fakecap.s3 import S3Error
from tests.fakecap.state import Video, now_utc
from tests.fakecap.zod import Arr, Num, Obj, Opt, Record, Str

MIN_BALANCE = 5_000  # micro-credits needed to create a video
MICRO_CREDITS_PER_MINUTE = 5_000
BYTES_PER_BILLED_SECOND = 2_500_000
MAX_DURATION = 14_400  # 4 hours
CONTENT_TYPES = (
    "video/mp4", "video/webm", "video/quicktime", "video/x-matroska", "video/avi",
    "application/octet-stream",
)

CREATE = Obj({
    "name": Opt(Str(max=255)),
    "userId": Opt(Str(max=255)),
    "metadata": Opt(Record(max_json_length=8192, refine_message="Metadata must be under 8KB")),
})
INITIATE = Obj({"videoId": Str(), "contentType": Opt(Str())})
PART_NUMBER = Num((("int",), ("ge", 1), ("le", 10_000)))
PRESIGN = Obj({"videoId": Str(), "uploadId": Str(), "partNumber": PART_NUMBER})
COMPLETE = Obj({
    "videoId": Str(),
    "uploadId": Str(),
    "parts": Arr(Obj({"partNumber": PART_NUMBER, "etag": Str(), "size": Num((("ge", 0),))})),
    "durationInSecs": Num((("gt", 0), ("le", MAX_DURATION))),
    "width": Opt(Num()),
    "height": Opt(Num()),
    "fps": Opt(Num()),
})
ABORT = Obj({"videoId": Str(), "uploadId": Str()})


def debit_for(duration: float, total_bytes: float) -> int:
    """Micro-credits ``complete`` debits: the longer of the duration (capped at
    4 h) and one second per 2.5 MB uploaded, at 5,000 per minute, floored."""
    billed = max(min(duration, MAX_DURATION), total_bytes / BYTES_PER_BILLED_SECOND)
    return math.floor(billed / 60 * MICRO_CREDITS_PER_MINUTE)


def _video(ctx: Ctx, video_id: str) -> Video | Response:
    # Like Cap's SDK routes: any video of the app, deleted or not.
    with ctx.store.lock:
        video = ctx.store.videos.get(video_id)
        if video is None or video.app_id != ctx.app.id:
            return error(404, "Video not found")
        return video


def create(ctx: Ctx) -> Response:
    data, problem = ctx.body(CREATE)
    if problem is not None:
        return problem
    with ctx.store.lock:
        if ctx.app.balance < MIN_BALANCE:
            return error(402, "Insufficient credits")
        video = ctx.store.add_video(
            ctx.app.id, data.get("name", "Untitled"), data.get("userId"), data.get("metadata")
        )
    return json_response(200, {
        "videoId": video.id,
        "s3Key": video.s3_key,
        "shareUrl": f"{ctx.web_url}/dev/{video.id}",
        "embedUrl": f"{ctx.web_url}/embed/{video.id}?sdk=1",
    })


def initiate(ctx: Ctx) -> Response:
    data, problem = ctx.body(INITIATE)
    if problem is not None:
        return problem
    video = _video(ctx, data["videoId"])
    if isinstance(video, Response):
        return video
    content_type = data.get("contentType")
    if content_type not in CONTENT_TYPES:
        content_type = "video/mp4"
    try:
        upload_id = ctx.s3.create_multipart(video.s3_key, content_type)
    except S3Error as failure:
        ctx.errors.append(f"initiate: {failure}")
        return error(500, "Failed to initiate upload")
    return json_response(200, {"uploadId": upload_id})


def presign_part(ctx: Ctx) -> Response:
    data, problem = ctx.body(PRESIGN)
    if problem is not None:
        return problem
    video = _video(ctx, data["videoId"])
    if isinstance(video, Response):
        return video
    url = ctx.s3.presign_part(
        video.s3_key, data["uploadId"], data["partNumber"], ctx.presign_expiry
    )
    return json_response(200, {"presignedUrl": url})


def complete(ctx: Ctx) -> Response:
    data, problem = ctx.body(COMPLETE)
    if problem is not None:
        return problem
    video = _video(ctx, data["videoId"])
    if isinstance(video, Response):
        return video
    parts = sorted(data["parts"], key=lambda p: p["partNumber"])
    debit = debit_for(data["durationInSecs"], sum(p["size"] for p in parts))
    with ctx.store.lock:
        if debit > 0:
            if ctx.app.balance < debit:
                return error(402, "Insufficient credits")
            ctx.app.balance -= debit  # taken before S3 completes, kept if S3 fails
    try:
        pairs = [(p["partNumber"], p["etag"]) for p in parts]
        ctx.s3.complete(video.s3_key, data["uploadId"], pairs)
    except S3Error as failure:
        ctx.errors.append(f"complete: {failure}")
        return error(500, "Failed to complete upload")
    with ctx.store.lock:
        video.duration = data["durationInSecs"]
        for field in ("width", "height", "fps"):
            if field in data:
                setattr(video, field, data[field])
        video.updated_at = now_utc()
    return json_response(200, {"success": True})


def abort(ctx: Ctx) -> Response:
    data, problem = ctx.body(ABORT)
    if problem is not None:
        return problem
    video = _video(ctx, data["videoId"])
    if isinstance(video, Response):
        return video
    try:
        ctx.s3.abort(video.s3_key, data["uploadId"])
    except S3Error as failure:
        ctx.errors.append(f"abort: {failure}")
        return error(500, "Failed to abort upload")
    return json_response(200, {"success": True})


ROUTES: list[Route] = [
    ("POST", "/videos/create", create),
    ("POST", "/upload/multipart/initiate", initiate),
    ("POST", "/upload/multipart/presign-part", presign_part),
    ("POST", "/upload/multipart/complete", complete),
    ("POST", "/upload/multipart/abort", abort),
]
# Sub-apps: every path under these runs the key (and Origin) check first.
PREFIXES = ("/videos", "/upload/multipart")
