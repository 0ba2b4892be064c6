"""Plain-httpx helpers for tests that need an upload done on the fake server
without the capdesk client (e.g. to seed a real S3 object)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.fakecap.fixtures import CapApp

MiB = 1024 * 1024


def sdk_client(app: CapApp, origin: str | None = None) -> httpx.Client:
    return httpx.Client(base_url=app.sdk_url, headers=app.sdk_headers(origin), timeout=30)


def rest_client(app: CapApp) -> httpx.Client:
    return httpx.Client(base_url=app.rest_url, headers=app.rest_headers(), timeout=30)


def put_part(url: str, data: bytes, **headers: str) -> httpx.Response:
    """PUT bytes to a presigned URL, without any Authorization header."""
    with httpx.Client(timeout=30) as client:
        return client.put(url, content=data, headers=headers)


def upload_parts(
    sdk: httpx.Client, video_id: str, upload_id: str, data: bytes, part_size: int = 5 * MiB
) -> list[dict[str, Any]]:
    """Presign and PUT ``data`` in parts; returns the ``parts`` list for complete."""
    parts = []
    for index, offset in enumerate(range(0, len(data), part_size), start=1):
        chunk = data[offset : offset + part_size]
        answer = sdk.post(
            "/upload/multipart/presign-part",
            json={"videoId": video_id, "uploadId": upload_id, "partNumber": index},
        )
        answer.raise_for_status()
        put = put_part(answer.json()["presignedUrl"], chunk)
        put.raise_for_status()
        parts.append({"partNumber": index, "etag": put.headers["etag"], "size": len(chunk)})
    return parts


def upload_video(
    app: CapApp,
    data: bytes,
    *,
    duration: float = 10.0,
    width: int | None = 1920,
    height: int | None = 1080,
    fps: float | None = 30,
    name: str = "Uploaded video",
    user_id: str | None = None,
    part_size: int = 5 * MiB,
) -> str:
    """create -> initiate -> presign/PUT every part -> complete; returns the video id."""
    with sdk_client(app) as sdk:
        body: dict[str, Any] = {"name": name}
        if user_id is not None:
            body["userId"] = user_id
        created = sdk.post("/videos/create", json=body)
        created.raise_for_status()
        video_id = str(created.json()["videoId"])
        initiated = sdk.post("/upload/multipart/initiate", json={"videoId": video_id})
        initiated.raise_for_status()
        upload_id = initiated.json()["uploadId"]
        parts = upload_parts(sdk, video_id, upload_id, data, part_size)
        done: dict[str, Any] = {
            "videoId": video_id, "uploadId": upload_id, "parts": parts, "durationInSecs": duration,
        }
        for key, value in (("width", width), ("height", height), ("fps", fps)):
            if value is not None:
                done[key] = value
        sdk.post("/upload/multipart/complete", json=done).raise_for_status()
    return video_id
