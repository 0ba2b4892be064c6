"""The fake Cap server's upload path: SDK calls, presigned PUTs, S3's rules."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from tests.fakecap import FakeCap, debit_for
from tests.fakecap.fixtures import CapApp
from tests.fakecap.helpers import MiB, put_part, rest_client, sdk_client, upload_parts


def _start(sdk: httpx.Client, content_type: str | None = None) -> tuple[str, str]:
    video_id = sdk.post("/videos/create", json={"name": "Demo"}).json()["videoId"]
    body = {"videoId": video_id} | ({"contentType": content_type} if content_type else {})
    upload_id = sdk.post("/upload/multipart/initiate", json=body).json()["uploadId"]
    return video_id, upload_id


def _presign(sdk: httpx.Client, video_id: str, upload_id: str, part: int) -> str:
    answer = sdk.post(
        "/upload/multipart/presign-part",
        json={"videoId": video_id, "uploadId": upload_id, "partNumber": part},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["presignedUrl"])


def _complete(sdk: httpx.Client, video_id: str, upload_id: str, parts: list[Any], **extra: Any
              ) -> httpx.Response:
    body = {"videoId": video_id, "uploadId": upload_id, "parts": parts, "durationInSecs": 12}
    return sdk.post("/upload/multipart/complete", json=body | extra)


def test_round_trip_5mib_plus_tail(cap_app: CapApp, fake_cap: FakeCap) -> None:
    data = os.urandom(5 * MiB + 777_777)
    with sdk_client(cap_app) as sdk, rest_client(cap_app) as rest:
        created = sdk.post("/videos/create", json={"name": "Round trip", "userId": "u-1"})
        assert created.status_code == 200
        video_id = created.json()["videoId"]
        assert created.json() == {
            "videoId": video_id,
            "s3Key": f"developer/{cap_app.app_id}/{video_id}/video",
            "shareUrl": f"{cap_app.base_url}/dev/{video_id}",
            "embedUrl": f"{cap_app.base_url}/embed/{video_id}?sdk=1",
        }
        upload_id = sdk.post(
            "/upload/multipart/initiate", json={"videoId": video_id, "contentType": "video/mp4"}
        ).json()["uploadId"]
        parts = upload_parts(sdk, video_id, upload_id, data)
        assert [p["size"] for p in parts] == [5 * MiB, 777_777]
        assert fake_cap.multipart_uploads(video_id)[0]["uploadId"] == upload_id
        status = rest.get(f"/videos/{video_id}/status").json()["data"]
        assert status["ready"] is False and status["duration"] is None

        done = _complete(sdk, video_id, upload_id, parts[::-1], width=1920, height=1080, fps=30)
        assert done.status_code == 200 and done.json() == {"success": True}

        status = rest.get(f"/videos/{video_id}/status").json()["data"]
        assert status == {"id": video_id, "duration": 12, "width": 1920, "height": 1080,
                          "transcriptionStatus": None, "ready": True}
    stored = fake_cap.video_object(video_id)
    assert hashlib.sha256(stored.data).hexdigest() == hashlib.sha256(data).hexdigest()
    assert stored.content_type == "video/mp4"
    assert fake_cap.multipart_uploads(video_id) == []
    assert cap_app.balance == 100_000_000 - debit_for(12, len(data)) == 100_000_000 - 1000
    assert fake_cap.s3_bytes_received == len(data)
    assert all("authorization" not in r.headers for r in fake_cap.s3_log)
    assert fake_cap.server_errors == []


def test_without_width_the_video_never_gets_ready(cap_app: CapApp) -> None:
    with sdk_client(cap_app) as sdk, rest_client(cap_app) as rest:
        video_id, upload_id = _start(sdk)
        parts = upload_parts(sdk, video_id, upload_id, b"tiny")
        assert _complete(sdk, video_id, upload_id, parts).status_code == 200
        status = rest.get(f"/videos/{video_id}/status").json()["data"]
        assert status["duration"] == 12 and status["width"] is None and status["ready"] is False


def test_unknown_content_type_becomes_mp4(cap_app: CapApp, fake_cap: FakeCap) -> None:
    for asked, kept in (("video/webm", "video/webm"), ("image/gif", "video/mp4"),
                        ("application/octet-stream", "application/octet-stream")):
        with sdk_client(cap_app) as sdk:
            video_id, upload_id = _start(sdk, asked)
            parts = upload_parts(sdk, video_id, upload_id, b"x" * 10)
            assert _complete(sdk, video_id, upload_id, parts).status_code == 200
        assert fake_cap.video_object(video_id).content_type == kept


def test_part_uploaded_twice_keeps_the_last(cap_app: CapApp, fake_cap: FakeCap) -> None:
    with sdk_client(cap_app) as sdk:
        video_id, upload_id = _start(sdk)
        url = _presign(sdk, video_id, upload_id, 1)
        put_part(url, b"first")
        etag = put_part(url, b"second").headers["etag"]
        done = _complete(sdk, video_id, upload_id, [{"partNumber": 1, "etag": etag, "size": 6}])
        assert done.status_code == 200
    assert fake_cap.video_bytes(video_id) == b"second"


def test_small_middle_part_fails_complete_and_debits(cap_app: CapApp, fake_cap: FakeCap) -> None:
    with sdk_client(cap_app) as sdk:
        video_id, upload_id = _start(sdk)
        parts = upload_parts(sdk, video_id, upload_id, b"a" * 1000 + b"b" * 1000, part_size=1000)
        done = _complete(sdk, video_id, upload_id, parts)
    assert done.status_code == 500
    assert done.json() == {"error": "Failed to complete upload"}
    assert any("EntityTooSmall" in e for e in fake_cap.server_errors)
    assert fake_cap.multipart_uploads(video_id)[0]["uploadId"] == upload_id
    assert cap_app.balance == 100_000_000 - 1000  # the debit comes first and stays
    assert fake_cap.video(video_id)["duration"] is None


def test_wrong_etag_fails_complete(cap_app: CapApp, fake_cap: FakeCap) -> None:
    with sdk_client(cap_app) as sdk:
        video_id, upload_id = _start(sdk)
        parts = upload_parts(sdk, video_id, upload_id, b"data")
        parts[0]["etag"] = '"0123456789abcdef0123456789abcdef"'
        done = _complete(sdk, video_id, upload_id, parts)
    assert done.status_code == 500
    assert any("InvalidPart" in e for e in fake_cap.server_errors)


def test_insufficient_credits_at_complete_leaves_upload(make_cap_app: Any, fake_cap: FakeCap
                                                        ) -> None:
    app = make_cap_app(balance=5_000)
    with sdk_client(app) as sdk:
        video_id, upload_id = _start(sdk)
        parts = upload_parts(sdk, video_id, upload_id, b"x")
        refused = _complete(sdk, video_id, upload_id, parts, durationInSecs=61)  # debit 5083
        assert refused.status_code == 402
        assert refused.json() == {"error": "Insufficient credits"}
        assert fake_cap.multipart_uploads(video_id)[0]["uploadId"] == upload_id
        assert app.balance == 5_000
        done = _complete(sdk, video_id, upload_id, parts, durationInSecs=60)  # debit 5000
        assert done.status_code == 200
    assert app.balance == 0


def test_abort_removes_the_upload(cap_app: CapApp, fake_cap: FakeCap) -> None:
    with sdk_client(cap_app) as sdk:
        video_id, upload_id = _start(sdk)
        upload_parts(sdk, video_id, upload_id, b"x")
        body = {"videoId": video_id, "uploadId": upload_id}
        answer = sdk.post("/upload/multipart/abort", json=body)
        assert answer.status_code == 200 and answer.json() == {"success": True}
        assert fake_cap.multipart_uploads(video_id) == []
        again = sdk.post("/upload/multipart/abort", json={"videoId": video_id, "uploadId": "nope"})
        assert again.status_code == 500 and again.json() == {"error": "Failed to abort upload"}


def test_presigned_url_expires(cap_app: CapApp, fake_cap: FakeCap) -> None:
    fake_cap.presign_expiry = 0
    with sdk_client(cap_app) as sdk:
        video_id, upload_id = _start(sdk)
        url = _presign(sdk, video_id, upload_id, 1)
    assert "X-Amz-Expires=0" in url and url.startswith(fake_cap.s3_url)
    answer = put_part(url, b"late")
    assert answer.status_code == 403
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in answer.text
    assert fake_cap.uploaded_parts(video_id, upload_id) == []


def test_s3_checks_what_moto_does_not(cap_app: CapApp, fake_cap: FakeCap) -> None:
    with sdk_client(cap_app) as sdk:
        video_id, upload_id = _start(sdk)
        url = _presign(sdk, video_id, upload_id, 1)
    tampered = put_part(url.replace("partNumber=1", "partNumber=2"), b"x")
    assert tampered.status_code == 403 and "SignatureDoesNotMatch" in tampered.text
    with_key = put_part(url, b"x", Authorization=f"Bearer {cap_app.public_key}")
    assert with_key.status_code == 400 and "Only one auth mechanism allowed" in with_key.text
    with httpx.Client() as client:
        chunked = client.put(url, content=iter([b"a", b"b"]))
    assert chunked.status_code == 501 and "NotImplemented" in chunked.text
    unsigned = put_part(url.split("?")[0], b"x")
    assert unsigned.status_code == 403 and "AccessDenied" in unsigned.text
    assert fake_cap.uploaded_parts(video_id, upload_id) == []
    assert put_part(url, b"x").status_code == 200


def test_presign_for_unknown_upload_fails_at_s3(cap_app: CapApp) -> None:
    with sdk_client(cap_app) as sdk:
        video_id, _ = _start(sdk)
        url = _presign(sdk, video_id, "no-such-upload", 1)
    answer = put_part(url, b"x")
    assert answer.status_code == 404 and "NoSuchUpload" in answer.text


def test_concurrent_parts_and_calls(cap_app: CapApp, fake_cap: FakeCap) -> None:
    data = os.urandom(3 * 5 * MiB + 10)
    chunks = [data[i : i + 5 * MiB] for i in range(0, len(data), 5 * MiB)]
    with sdk_client(cap_app) as sdk:
        video_id, upload_id = _start(sdk)
        urls = [_presign(sdk, video_id, upload_id, n) for n in range(1, len(chunks) + 1)]

        def put(index: int) -> dict[str, Any]:
            answer = put_part(urls[index], chunks[index])
            assert answer.status_code == 200
            return {"partNumber": index + 1, "etag": answer.headers["etag"],
                    "size": len(chunks[index])}

        with ThreadPoolExecutor(max_workers=4) as pool:
            parts = list(pool.map(put, range(len(chunks))))
            creates = list(pool.map(lambda _: _start(sdk), range(8)))
        assert len({video for video, _ in creates}) == 8
        done = _complete(sdk, video_id, upload_id, parts)
        assert done.status_code == 200, fake_cap.server_errors
    assert fake_cap.video_bytes(video_id) == data


def test_complete_retries_and_bad_part_lists(cap_app: CapApp, fake_cap: FakeCap) -> None:
    with sdk_client(cap_app) as sdk:
        video_id, upload_id = _start(sdk)
        parts = upload_parts(sdk, video_id, upload_id, b"z" * 100)
        assert _complete(sdk, video_id, "no-such-upload", parts).status_code == 500
        assert _complete(sdk, video_id, upload_id, parts * 2).status_code == 500
        assert _complete(sdk, video_id, upload_id, []).status_code == 500
        spent = 100_000_000 - cap_app.balance
        assert spent == 3 * 1000  # every attempt was debited before S3 refused it
        assert _complete(sdk, video_id, upload_id, parts).status_code == 200
        # S3 completes the same upload again without complaint; Cap bills again
        assert _complete(sdk, video_id, upload_id, parts).status_code == 200
    assert 100_000_000 - cap_app.balance == 5 * 1000
    codes = " ".join(fake_cap.server_errors)
    assert "NoSuchUpload" in codes and "InvalidPartOrder" in codes and "MalformedXML" in codes
