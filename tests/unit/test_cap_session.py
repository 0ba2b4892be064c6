"""A whole session of calls, errors included: neither key may show up in a log or an error."""

from __future__ import annotations

import logging

import httpx
import pytest

from capdesk.cap.errors import CapError, CapNetworkError
from capdesk.cap.models import CompletedPart
from capdesk.cap.retry import RetryPolicy

SDK = "/api/developer/sdk/v1"
REST = "/api/developer/v1"
VIDEO = {"id": "vid_1", "duration": 3.0, "width": 640, "createdAt": "2024-05-01T10:00:00Z"}


def echo_key(status: int, template: str, content_type: str = "application/json"):
    """An error answer that repeats the Authorization header back, as a careless server might."""

    def make(request: httpx.Request) -> httpx.Response:
        auth = request.headers["authorization"]
        key = auth.removeprefix("Bearer ")
        text = template.replace("{auth}", auth).replace("{key}", key)
        return httpx.Response(status, content=text.encode(),
                              headers={"content-type": content_type})

    return make


def leak_in_exception(kind: type[httpx.TransportError]):
    def make(request: httpx.Request) -> httpx.Response:
        raise kind(f"failed with {request.headers['authorization']}", request=request)

    return make


@pytest.fixture
def every_logger_at_debug(caplog):
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    for name in ("httpx", "httpcore", "capdesk", "capdesk.cap", "capdesk.cap.transport"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_no_key_in_any_log_record_or_error(cap_server, cap_sdk_factory, cap_rest_factory,
                                           cap_keys, cap_kit, every_logger_at_debug):
    caplog = every_logger_at_debug
    policy = RetryPolicy(attempts=3)
    sdk = cap_sdk_factory(origin="https://rec.example.com", retry=policy)
    rest = cap_rest_factory(retry=policy)
    reply = cap_kit.reply
    s = cap_server

    s.on("POST", f"{SDK}/videos/create",
         echo_key(429, '{"error": "Rate limit exceeded for {auth}"}'),
         reply(200, {"videoId": "vid_1", "s3Key": "k", "shareUrl": "u", "embedUrl": "e"}),
         echo_key(401, '{"error": "Invalid or revoked public key {key}"}'),
         echo_key(403, "<html><title>Origin not allowed ({key})</title></html>", "text/html"),
         echo_key(402, '{"error": "Insufficient credits", "key": "{key}"}'))
    s.on("POST", f"{SDK}/upload/multipart/initiate",
         leak_in_exception(httpx.ConnectError), reply(200, {"uploadId": "up"}))
    s.on("POST", f"{SDK}/upload/multipart/presign-part",
         echo_key(400, '{"success": false, "error": {"issues": [{"path": ["partNumber"],'
                       ' "message": "bad for {key}"}], "name": "ZodError"}}'),
         reply(200, {"presignedUrl": "https://s3.example.com/p?sig=1"}))
    s.on("POST", f"{SDK}/upload/multipart/complete", leak_in_exception(httpx.ReadTimeout),
         reply(200, {"success": True}))
    s.on("POST", f"{SDK}/upload/multipart/abort", reply(200, {"success": True}))
    s.on("GET", f"{REST}/videos", echo_key(500, "Internal error: token {auth} rejected"),
         reply(200, {"data": [VIDEO]}))
    s.on("GET", f"{REST}/videos/vid_1", reply(200, {"data": VIDEO}))
    s.on("GET", f"{REST}/videos/vid_1/status",
         reply(200, {"data": {"id": "vid_1", "duration": 3, "width": 640, "height": 480,
                              "transcriptionStatus": None, "ready": True}}))
    s.on("DELETE", f"{REST}/videos/vid_1", reply(200, {"success": True}))
    s.on("GET", f"{REST}/usage", echo_key(404, "no such route for {key}"),
         reply(200, {"data": {"balanceMicroCredits": 5, "balanceDollars": 0,
                              "totalVideos": 1, "totalDurationMinutes": 1}}))

    errors: list[CapError] = []

    def attempt(call):
        try:
            return call()
        except CapError as exc:
            errors.append(exc)
            return None

    part = CompletedPart(1, '"e"', 10)
    attempt(lambda: sdk.create_video(name="Session", user_id="u"))  # 429, then 200
    attempt(lambda: sdk.create_video())  # 401
    attempt(lambda: sdk.create_video())  # 403
    attempt(lambda: sdk.create_video())  # 402
    attempt(lambda: sdk.initiate_upload("vid_1"))  # refused connection, then 200
    attempt(lambda: sdk.presign_part("vid_1", "up", 1))  # 400 zod
    attempt(lambda: sdk.presign_part("vid_1", "up", 1))
    attempt(lambda: sdk.complete_upload("vid_1", "up", [part], duration_secs=3, width=640,
                                        height=480, fps=30))  # lost answer: not retried
    attempt(lambda: sdk.abort_upload("vid_1", "up"))
    attempt(lambda: list(rest.iter_videos(page_size=10)))  # 500 then 200
    attempt(lambda: rest.get_video("vid_1"))
    attempt(lambda: rest.wait_until_ready("vid_1", timeout=1, sleep=lambda s: None))
    attempt(lambda: rest.delete_video("vid_1"))
    attempt(lambda: rest.usage())  # 404
    attempt(lambda: rest.usage())

    # The session really ran, the keys really went out, and errors really happened.
    sent = {r.headers["authorization"] for r in cap_server.requests}
    assert sent == {f"Bearer {cap_keys.public}", f"Bearer {cap_keys.secret}"}
    assert len(cap_server.requests) >= 18
    assert [type(e).__name__ for e in errors] == [
        "KeyRefused", "OriginRefused", "NoCredits", "BadRequest", "CapNetworkError", "NotFound",
    ]
    assert isinstance(errors[4], CapNetworkError)
    assert errors[4].maybe_processed is True
    assert len(caplog.records) >= len(cap_server.requests)

    secrets = (cap_keys.public, cap_keys.secret, cap_keys.public[4:], cap_keys.secret[4:])
    for record in caplog.records:
        texts = [record.getMessage(), str(record.msg), repr(record.args), record.exc_text or ""]
        for text in texts:
            for secret in secrets:
                assert secret not in text, (record.name, text)
    for secret in secrets:
        assert secret not in caplog.text
    for error in errors:
        texts = [str(error), repr(error), error.server_message, error.hint, repr(error.args),
                 repr(vars(error)), str(error.__cause__), str(error.__context__)]
        for text in texts:
            for secret in secrets:
                assert secret not in text, (type(error).__name__, text)
    for client in (sdk, rest, sdk.api, rest.api):
        for secret in secrets:
            assert secret not in repr(client)
