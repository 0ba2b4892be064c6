"""The fake Cap server's REST API: listing, status, delete, usage, billing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.fakecap import FakeCap, debit_for
from tests.fakecap.fixtures import CapApp
from tests.fakecap.helpers import put_part, rest_client, sdk_client

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def _ids(app: CapApp, query: str) -> list[str]:
    with rest_client(app) as rest:
        answer = rest.get(f"/videos{query}")
    assert answer.status_code == 200, answer.text
    return [v["id"] for v in answer.json()["data"]]


def test_pagination_newest_first(cap_app: CapApp, fake_cap: FakeCap) -> None:
    ids = fake_cap.seed_videos(cap_app.app_id, 130)
    assert _ids(cap_app, "") == ids[:50]
    pages = [_ids(cap_app, f"?limit=40&offset={o}") for o in range(0, 160, 40)]
    assert [len(p) for p in pages] == [40, 40, 40, 10]
    assert [i for page in pages for i in page] == ids
    assert _ids(cap_app, "?limit=500") == ids[:100]  # clamped to 100, like Cap
    assert _ids(cap_app, "?limit=abc&offset=-5") == ids[:50]  # NaN -> 50, offset >= 0
    assert _ids(cap_app, "?limit=0") == ids[:50]  # 0 is falsy in JS
    assert _ids(cap_app, "?offset=129") == ids[129:]
    assert _ids(cap_app, "?offset=130") == []
    with rest_client(cap_app) as rest:
        assert rest.get("/videos?limit=-1").status_code == 500


def test_filter_by_user_and_leave_out_deleted(cap_app: CapApp, fake_cap: FakeCap) -> None:
    ids = fake_cap.seed_videos(cap_app.app_id, 9, user_ids=["alice", "bob", None])
    alice = [i for i in ids if fake_cap.video(i)["externalUserId"] == "alice"]
    assert _ids(cap_app, "?userId=alice") == alice and len(alice) == 3
    assert _ids(cap_app, "?userId=") == ids  # empty means no filter
    with rest_client(cap_app) as rest:
        deleted = rest.delete(f"/videos/{alice[0]}")
        assert deleted.status_code == 200 and deleted.json() == {"success": True}
        assert rest.delete(f"/videos/{alice[0]}").status_code == 404
        assert rest.get(f"/videos/{alice[0]}").status_code == 404
        assert rest.get(f"/videos/{alice[0]}/status").status_code == 404
    assert _ids(cap_app, "?userId=alice") == alice[1:]
    assert fake_cap.video(alice[0])["deletedAt"] is not None


def test_video_object_shape(cap_app: CapApp, fake_cap: FakeCap) -> None:
    with sdk_client(cap_app) as sdk:
        created = sdk.post(
            "/videos/create", json={"userId": "u-9", "metadata": {"project": "x", "n": 1}}
        ).json()
    with rest_client(cap_app) as rest:
        video = rest.get(f"/videos/{created['videoId']}").json()["data"]
    assert list(video) == ["id", "appId", "externalUserId", "name", "duration", "width",
                           "height", "fps", "s3Key", "transcriptionStatus", "metadata",
                           "deletedAt", "createdAt", "updatedAt"]
    assert video["name"] == "Untitled" and video["externalUserId"] == "u-9"
    assert video["appId"] == cap_app.app_id and video["s3Key"] == created["s3Key"]
    assert video["metadata"] == {"project": "x", "n": 1}
    assert video["duration"] is video["width"] is video["fps"] is video["deletedAt"] is None
    assert ISO.match(video["createdAt"]) and ISO.match(video["updatedAt"])


def test_status_and_transcription(cap_app: CapApp, fake_cap: FakeCap) -> None:
    ready, pending = fake_cap.seed_videos(cap_app.app_id, 1) + fake_cap.seed_videos(
        cap_app.app_id, 1, completed=False)
    fake_cap.set_transcription_status(ready, "COMPLETE")
    with rest_client(cap_app) as rest:
        status = rest.get(f"/videos/{ready}/status").json()["data"]
        assert status == {"id": ready, "duration": 10, "width": 1920, "height": 1080,
                          "transcriptionStatus": "COMPLETE", "ready": True}
        assert rest.get(f"/videos/{pending}/status").json()["data"]["ready"] is False
    with pytest.raises(ValueError):
        fake_cap.set_transcription_status(ready, "DONE")


def test_usage(cap_app: CapApp, fake_cap: FakeCap) -> None:
    fake_cap.seed_videos(cap_app.app_id, 3)  # durations 10, 11, 12 s
    fake_cap.seed_videos(cap_app.app_id, 1, completed=False)
    fake_cap.set_balance(cap_app.app_id, 1_234_567)
    with rest_client(cap_app) as rest:
        usage = rest.get("/usage").json()
    assert usage == {"data": {"balanceMicroCredits": 1_234_567, "balanceDollars": "12.35",
                              "totalVideos": 4, "totalDurationMinutes": 33 / 60}}
    fake_cap.set_balance(cap_app.app_id, 12_500)
    with rest_client(cap_app) as rest:
        assert rest.get("/usage").json()["data"]["balanceDollars"] == "0.13"  # JS toFixed


@pytest.mark.parametrize(("duration", "size", "debit"), [
    (60, 0, 5_000),
    (0.01, 0, 0),
    (12.5, 1_000, 1_041),
    (14_400, 0, 1_200_000),
    (10, 250_000_000, 8_333),  # 100 s worth of bytes beats 10 s
    (1, 2_500_000 * 60, 5_000),
])
def test_billing_formula(duration: float, size: int, debit: int) -> None:
    assert debit_for(duration, size) == debit


def test_complete_debits_by_bytes(cap_app: CapApp, fake_cap: FakeCap) -> None:
    with sdk_client(cap_app) as sdk:
        video_id = sdk.post("/videos/create", json={}).json()["videoId"]
        upload_id = sdk.post("/upload/multipart/initiate", json={"videoId": video_id}).json()[
            "uploadId"]
        url = sdk.post("/upload/multipart/presign-part", json={
            "videoId": video_id, "uploadId": upload_id, "partNumber": 1}).json()["presignedUrl"]
        etag = put_part(url, b"x").headers["etag"]
        # the debit uses the sizes the client reports
        body: dict[str, Any] = {"videoId": video_id, "uploadId": upload_id, "durationInSecs": 3,
                                "parts": [{"partNumber": 1, "etag": etag, "size": 300_000_000}]}
        assert sdk.post("/upload/multipart/complete", json=body).status_code == 200
    assert cap_app.balance == 100_000_000 - 10_000
