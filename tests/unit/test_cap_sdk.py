"""The SDK API client (public key): every endpoint, its request and its answer."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from capdesk import __version__
from capdesk.cap.errors import BadRequest, UnexpectedResponse
from capdesk.cap.models import CompletedPart, CreatedVideo
from capdesk.cap.sdk import CONTENT_TYPES

SDK = "/api/developer/sdk/v1"
CREATED = {
    "videoId": "vid_123",
    "s3Key": "developer/app_1/vid_123/video",
    "shareUrl": "https://cap.so/dev/vid_123",
    "embedUrl": "https://cap.so/embed/vid_123?sdk=1",
}


def body_of(request: httpx.Request) -> dict[str, Any]:
    body = json.loads(request.content)
    assert isinstance(body, dict)
    return body


def assert_sdk_headers(request: httpx.Request, key: str, origin: str | None) -> None:
    assert request.headers["authorization"] == f"Bearer {key}"
    assert request.headers["user-agent"] == f"capdesk/{__version__}"
    assert request.headers["accept"] == "application/json"
    if origin is None:
        assert "origin" not in request.headers
    else:
        assert request.headers["origin"] == origin


def test_create_video_sends_every_field_and_parses_the_answer(cap_server, cap_sdk, cap_keys,
                                                              cap_kit):
    cap_server.on("POST", f"{SDK}/videos/create", cap_kit.reply(200, CREATED))

    created = cap_sdk.create_video(name="Demo", user_id="user-7", metadata={"take": 2})

    assert created == CreatedVideo(
        video_id="vid_123",
        s3_key="developer/app_1/vid_123/video",
        share_url="https://cap.so/dev/vid_123",
        embed_url="https://cap.so/embed/vid_123?sdk=1",
    )
    (request,) = cap_server.requests
    assert request.method == "POST"
    assert str(request.url) == f"https://cap.example.com{SDK}/videos/create"
    assert request.headers["content-type"] == "application/json"
    assert body_of(request) == {"name": "Demo", "userId": "user-7", "metadata": {"take": 2}}
    assert_sdk_headers(request, cap_keys.public, origin=None)


def test_create_video_without_arguments_sends_an_empty_object(cap_server, cap_sdk, cap_kit):
    cap_server.on("POST", f"{SDK}/videos/create", cap_kit.reply(200, CREATED))
    cap_sdk.create_video()
    assert body_of(cap_server.requests[0]) == {}


def test_create_video_cuts_the_name_to_cap_limit(cap_server, cap_sdk, cap_kit):
    cap_server.on("POST", f"{SDK}/videos/create", cap_kit.reply(200, CREATED))
    cap_sdk.create_video(name="x" * 300)
    assert body_of(cap_server.requests[0]) == {"name": "x" * 255}


def test_initiate_upload_sends_video_and_content_type(cap_server, cap_sdk, cap_kit):
    cap_server.on("POST", f"{SDK}/upload/multipart/initiate",
                  cap_kit.reply(200, {"uploadId": "up-1"}))
    assert cap_sdk.initiate_upload("vid_123", "video/webm") == "up-1"
    (request,) = cap_server.requests
    assert request.method == "POST"
    assert body_of(request) == {"videoId": "vid_123", "contentType": "video/webm"}


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
def test_initiate_upload_keeps_every_type_cap_keeps(cap_server, cap_sdk, cap_kit, content_type):
    cap_server.on("POST", f"{SDK}/upload/multipart/initiate",
                  cap_kit.reply(200, {"uploadId": "up-1"}))
    cap_sdk.initiate_upload("v", content_type)
    assert body_of(cap_server.requests[0])["contentType"] == content_type


@pytest.mark.parametrize("content_type", ["image/png", "video/MP4", "", "text/html"])
def test_initiate_upload_replaces_other_types_by_mp4(cap_server, cap_sdk, cap_kit, content_type):
    cap_server.on("POST", f"{SDK}/upload/multipart/initiate",
                  cap_kit.reply(200, {"uploadId": "up-1"}))
    cap_sdk.initiate_upload("v", content_type)
    assert body_of(cap_server.requests[0])["contentType"] == "video/mp4"


def test_presign_part_sends_the_part_number_and_returns_the_url(cap_server, cap_sdk, cap_kit):
    url = "https://bucket.s3.amazonaws.com/developer/a/v/video?partNumber=3&X-Amz-Signature=abc"
    cap_server.on("POST", f"{SDK}/upload/multipart/presign-part",
                  cap_kit.reply(200, {"presignedUrl": url}))
    assert cap_sdk.presign_part("vid", "up-1", 3) == url
    assert body_of(cap_server.requests[0]) == {"videoId": "vid", "uploadId": "up-1",
                                              "partNumber": 3}


@pytest.mark.parametrize("part_number", [1, 10000])
def test_presign_part_accepts_the_bounds(cap_server, cap_sdk, cap_kit, part_number):
    cap_server.on("POST", f"{SDK}/upload/multipart/presign-part",
                  cap_kit.reply(200, {"presignedUrl": "https://s3/x"}))
    cap_sdk.presign_part("vid", "up", part_number)
    assert body_of(cap_server.requests[0])["partNumber"] == part_number


@pytest.mark.parametrize("part_number", [0, -1, 10001])
def test_presign_part_refuses_numbers_s3_refuses_without_a_request(cap_server, cap_sdk,
                                                                   part_number):
    with pytest.raises(BadRequest, match=r"outside 1\.\.10000"):
        cap_sdk.presign_part("vid", "up", part_number)
    assert cap_server.requests == []


def test_complete_upload_sends_sorted_parts_and_the_media_facts(cap_server, cap_sdk, cap_kit):
    cap_server.on("POST", f"{SDK}/upload/multipart/complete", cap_kit.reply(200, {"success": True}))
    parts = [
        CompletedPart(part_number=2, etag='"bbb"', size=1234),
        CompletedPart(part_number=1, etag='"aaa"', size=5 * 1024 * 1024),
    ]
    result = cap_sdk.complete_upload(
        "vid", "up-1", parts, duration_secs=12.5, width=1920, height=1080, fps=30.0
    )
    assert result is None
    (request,) = cap_server.requests
    assert request.method == "POST"
    assert body_of(request) == {
        "videoId": "vid",
        "uploadId": "up-1",
        "parts": [
            {"partNumber": 1, "etag": '"aaa"', "size": 5 * 1024 * 1024},
            {"partNumber": 2, "etag": '"bbb"', "size": 1234},
        ],
        "durationInSecs": 12.5,
        "width": 1920,
        "height": 1080,
        "fps": 30.0,
    }


@pytest.mark.parametrize("duration", [0, -3.0])
def test_complete_upload_refuses_a_duration_cap_refuses(cap_server, cap_sdk, duration):
    with pytest.raises(BadRequest, match="more than 0"):
        cap_sdk.complete_upload("v", "u", [], duration_secs=duration, width=1, height=1, fps=1)
    assert cap_server.requests == []


def test_abort_upload(cap_server, cap_sdk, cap_kit):
    cap_server.on("POST", f"{SDK}/upload/multipart/abort", cap_kit.reply(200, {"success": True}))
    assert cap_sdk.abort_upload("vid", "up-1") is None
    (request,) = cap_server.requests
    assert request.method == "POST"
    assert request.url.path == f"{SDK}/upload/multipart/abort"
    assert body_of(request) == {"videoId": "vid", "uploadId": "up-1"}


def every_sdk_call(sdk):
    sdk.create_video(name="n")
    sdk.initiate_upload("v")
    sdk.presign_part("v", "u", 1)
    sdk.complete_upload("v", "u", [CompletedPart(1, "e", 1)], duration_secs=1, width=2,
                        height=2, fps=1)
    sdk.abort_upload("v", "u")


def route_every_sdk_call(server, kit):
    server.on("POST", f"{SDK}/videos/create", kit.reply(200, CREATED))
    server.on("POST", f"{SDK}/upload/multipart/initiate", kit.reply(200, {"uploadId": "u"}))
    server.on("POST", f"{SDK}/upload/multipart/presign-part",
              kit.reply(200, {"presignedUrl": "https://s3/x"}))
    server.on("POST", f"{SDK}/upload/multipart/complete", kit.reply(200, {"success": True}))
    server.on("POST", f"{SDK}/upload/multipart/abort", kit.reply(200, {"success": True}))


@pytest.mark.parametrize("origin", [None, "https://recorder.example.com:8443"])
def test_every_sdk_call_carries_key_user_agent_and_the_configured_origin(
    cap_server, cap_sdk_factory, cap_keys, cap_kit, origin
):
    route_every_sdk_call(cap_server, cap_kit)
    every_sdk_call(cap_sdk_factory(origin=origin))
    assert len(cap_server.requests) == 5
    for request in cap_server.requests:
        assert_sdk_headers(request, cap_keys.public, origin)


def test_an_empty_origin_sends_no_origin_header(cap_server, cap_sdk_factory, cap_kit):
    route_every_sdk_call(cap_server, cap_kit)
    every_sdk_call(cap_sdk_factory(origin=""))
    assert all("origin" not in r.headers for r in cap_server.requests)


@pytest.mark.parametrize(
    ("base", "url"),
    [
        ("https://cap.example.com/", f"https://cap.example.com{SDK}/videos/create"),
        ("  https://cap.example.com  ", f"https://cap.example.com{SDK}/videos/create"),
        ("https://self.hosted.org/cap/", f"https://self.hosted.org/cap{SDK}/videos/create"),
        ("http://localhost:3000", f"http://localhost:3000{SDK}/videos/create"),
    ],
)
def test_the_base_url_is_configurable(cap_server, cap_sdk_factory, cap_kit, base, url):
    cap_server.routes[("POST", httpx.URL(url).path)] = [cap_kit.reply(200, CREATED)]
    cap_sdk_factory(base=base).create_video()
    assert str(cap_server.requests[0].url) == url


@pytest.mark.parametrize(
    "answer",
    [
        {},
        {**CREATED, "videoId": None},
        {**CREATED, "videoId": 123},
        {k: v for k, v in CREATED.items() if k != "shareUrl"},
        {**CREATED, "embedUrl": ["x"]},
        {"data": CREATED},
    ],
)
def test_create_video_refuses_bad_answers(cap_server, cap_sdk, cap_kit, answer):
    cap_server.on("POST", f"{SDK}/videos/create", cap_kit.reply(200, answer))
    with pytest.raises(UnexpectedResponse) as info:
        cap_sdk.create_video()
    assert info.value.status == 200


@pytest.mark.parametrize(
    ("path", "call", "answer"),
    [
        ("/upload/multipart/initiate", lambda s: s.initiate_upload("v"), {"uploadId": 5}),
        ("/upload/multipart/initiate", lambda s: s.initiate_upload("v"), {"id": "u"}),
        ("/upload/multipart/presign-part", lambda s: s.presign_part("v", "u", 1), {}),
        ("/upload/multipart/presign-part", lambda s: s.presign_part("v", "u", 1),
         {"presignedUrl": None}),
    ],
)
def test_upload_calls_refuse_bad_answers(cap_server, cap_sdk, cap_kit, path, call, answer):
    cap_server.on("POST", SDK + path, cap_kit.reply(200, answer))
    with pytest.raises(UnexpectedResponse, match="no usable"):
        call(cap_sdk)


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b"[1, 2, 3]", {"content-type": "application/json"}),
        (b"42", {"content-type": "application/json"}),
        (b'"ok"', {"content-type": "application/json"}),
        (b"null", {"content-type": "application/json"}),
        (b"", {}),
        (b"OK", {"content-type": "text/plain"}),
        (b"<html><title>Welcome</title></html>", {"content-type": "text/html"}),
        (b"\xff\xfe\x00garbage", {"content-type": "application/json"}),
        (b'{"videoId": ', {"content-type": "application/json"}),
    ],
)
def test_a_success_status_with_an_unusable_body_is_unexpected(cap_server, cap_sdk, cap_kit,
                                                               content, headers):
    cap_server.on("POST", f"{SDK}/videos/create",
                  cap_kit.reply(200, content=content, headers=headers))
    with pytest.raises(UnexpectedResponse) as info:
        cap_sdk.create_video()
    assert info.value.status == 200
    assert info.value.exit_code == 1
    assert len(cap_server.requests) == 1  # a bad answer is not retried


@pytest.mark.parametrize(
    ("path", "call"),
    [
        ("/upload/multipart/complete",
         lambda s: s.complete_upload("v", "u", [CompletedPart(1, "e", 1)], duration_secs=1,
                                     width=2, height=2, fps=1)),
        ("/upload/multipart/abort", lambda s: s.abort_upload("v", "u")),
    ],
)
@pytest.mark.parametrize("content", [b"<html><title>Hotel Wi-Fi login</title></html>", b"[]"])
def test_a_captive_portal_page_is_no_proof_of_success(cap_server, cap_sdk, cap_kit, path, call,
                                                      content):
    cap_server.on("POST", SDK + path, cap_kit.reply(200, content=content))
    with pytest.raises(UnexpectedResponse):
        call(cap_sdk)
