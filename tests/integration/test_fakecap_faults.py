"""Fault injection on the fake Cap server, API side and S3 side, and the
standalone runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.fakecap import FakeCap
from tests.fakecap.faults import Fault
from tests.fakecap.fixtures import CapApp
from tests.fakecap.helpers import put_part, sdk_client
from tests.integration.upload_helpers import assert_all_fired

ROOT = Path(__file__).resolve().parents[2]


def _create(sdk: httpx.Client) -> httpx.Response:
    return sdk.post("/videos/create", json={})


def test_api_status_faults(cap_app: CapApp, fake_cap: FakeCap) -> None:
    html = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    injected = [
        fake_cap.api_faults.status(502, html, times=2, path="/videos/create"),
        fake_cap.api_faults.status(503, b"", path="/videos/create"),
        fake_cap.api_faults.status(500, "x" * 3_000_000, path="/videos/create"),
        fake_cap.api_faults.status(500, {"message": "not Cap's shape"}, path="/videos/create"),
    ]
    with sdk_client(cap_app) as sdk:
        other = sdk.post("/upload/multipart/initiate", json={"videoId": "v"})
        assert other.status_code == 404  # path filter: other calls are untouched
        answers = [_create(sdk) for _ in range(6)]
    assert [a.status_code for a in answers] == [502, 502, 503, 500, 500, 200]
    assert answers[0].text == html and answers[0].headers["content-type"].startswith("text/html")
    assert answers[2].content == b""
    assert len(answers[3].content) == 3_000_000
    assert answers[4].json() == {"message": "not Cap's shape"}
    assert fake_cap.api_faults.pending == []
    assert_all_fired(*injected)
    faults = [r.fault for r in fake_cap.api_log]
    assert faults == [None, "status", "status", "status", "status", "status", None]
    assert len(cap_app.videos()) == 1  # faulted calls never reached the server


def test_api_drop_and_delay(cap_app: CapApp, fake_cap: FakeCap) -> None:
    injected: list[Fault] = []
    with sdk_client(cap_app) as sdk:
        injected.append(fake_cap.api_faults.drop())
        with pytest.raises(httpx.RemoteProtocolError):
            _create(sdk)
        assert cap_app.videos() == []
        injected.append(fake_cap.api_faults.drop(after=True))  # processed, answer lost
        with pytest.raises(httpx.RemoteProtocolError):
            _create(sdk)
        assert len(cap_app.videos()) == 1
        injected.append(fake_cap.api_faults.delay(0.3, method="POST"))
        started = time.monotonic()
        assert _create(sdk).status_code == 200
        assert time.monotonic() - started >= 0.3
        injected.append(fake_cap.api_faults.delay(1.0))
        with pytest.raises(httpx.ReadTimeout):
            sdk.post("/videos/create", json={}, timeout=0.2)
        with fake_cap.api_faults.offline(), pytest.raises(httpx.TransportError):
            _create(sdk)
        assert _create(sdk).status_code == 200
    assert_all_fired(*injected)
    assert [r.fault for r in fake_cap.api_log] == ["drop", "drop", "delay", "delay",
                                                   "network_down", None]
    record = fake_cap.api_log[-1]
    assert record.authorization == f"Bearer {cap_app.public_key}"
    assert record.method == "POST" and record.path == "/api/developer/sdk/v1/videos/create"
    assert record.status == 200 and record.time <= time.time()


def _presigned(app: CapApp) -> tuple[str, str, str]:
    with sdk_client(app) as sdk:
        video_id = _create(sdk).json()["videoId"]
        upload_id = sdk.post("/upload/multipart/initiate", json={"videoId": video_id}).json()[
            "uploadId"]
        url = sdk.post("/upload/multipart/presign-part", json={
            "videoId": video_id, "uploadId": upload_id, "partNumber": 1}).json()["presignedUrl"]
    return video_id, upload_id, url


def test_s3_faults(cap_app: CapApp, fake_cap: FakeCap) -> None:
    video_id, upload_id, url = _presigned(cap_app)
    faults = fake_cap.s3_faults
    injected = [faults.status(503)]
    slow = put_part(url, b"a")
    assert slow.status_code == 503 and "<Code>SlowDown</Code>" in slow.text
    injected.append(faults.expired(times=2))
    assert [put_part(url, b"b").status_code for _ in range(2)] == [403, 403]
    expired = put_part(url, b"c")  # the URL itself is still good
    assert expired.status_code == 200
    injected.append(faults.drop())
    with pytest.raises(httpx.RemoteProtocolError):
        put_part(url, b"d")
    injected.append(faults.drop(after=True))
    with pytest.raises(httpx.RemoteProtocolError):
        put_part(url, b"e")
    assert fake_cap.uploaded_parts(video_id, upload_id)[0]["size"] == 1  # "e" landed
    injected.append(faults.delay(0.3))
    started = time.monotonic()
    assert put_part(url, b"f").status_code == 200
    assert time.monotonic() - started >= 0.3
    with faults.offline():
        with pytest.raises(httpx.TransportError):
            put_part(url, b"g")
        assert fake_cap.api_faults.network_down is False  # the API still works
    assert put_part(url, b"h").status_code == 200
    assert_all_fired(*injected)
    kinds = [r.fault for r in fake_cap.s3_log]
    assert kinds == ["status", "status", "status", None, "drop", "drop", "delay",
                     "network_down", None]
    assert all("x-amz-signature=" in r.query.lower() for r in fake_cap.s3_log)


def test_expired_fault_body_is_s3s(cap_app: CapApp, fake_cap: FakeCap) -> None:
    _, _, url = _presigned(cap_app)
    expired = fake_cap.s3_faults.expired()
    answer = put_part(url, b"x")
    assert_all_fired(expired)
    assert answer.headers["content-type"] == "application/xml"
    text = answer.text
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Error>')
    for tag in ("<Code>AccessDenied</Code>", "<Message>Request has expired</Message>",
                "<X-Amz-Expires>3600</X-Amz-Expires>", "<Expires>", "<ServerTime>",
                "<RequestId>", "<HostId>"):
        assert tag in text


def test_standalone_runner(tmp_path: Path) -> None:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.fakecap", "--rate-limit-window", "2",
         "--rate-limit-max", "3"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert process.stdout is not None
        info = json.loads(process.stdout.readline())
        assert info["public_key"].startswith("cpk_") and info["secret_key"].startswith("csk_")
        headers = {"Authorization": f"Bearer {info['secret_key']}"}
        with httpx.Client(base_url=info["base_url"], headers=headers) as client:
            # The settings reach the server: three requests, then 429 (four requests take
            # far less than the 2 s window, however loaded the machine) ...
            codes = [client.get("/api/developer/v1/usage").status_code for _ in range(4)]
            assert codes == [200, 200, 200, 429]
            # ... and the window opens again (no timing asserted: it is polled).
            deadline = time.monotonic() + 30
            while (answer := client.get("/api/developer/v1/usage")).status_code == 429:
                assert time.monotonic() < deadline, "the rate-limit window never reopened"
                time.sleep(0.25)
            usage = answer.json()["data"]
        assert usage["balanceMicroCredits"] >= 100_000_000
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
