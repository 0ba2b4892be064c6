"""Error statuses and odd bodies become the right exception, with words and an exit code."""

from __future__ import annotations

import gzip
import json

import httpx
import pytest

from capdesk import exitcodes
from capdesk.cap import body
from capdesk.cap.errors import (
    BadRequest,
    CapError,
    CapNetworkError,
    CapResponseError,
    ConfigError,
    KeyRefused,
    NoCredits,
    NotFound,
    OriginRefused,
    RateLimited,
    ServerError,
    UnexpectedResponse,
    error_for_status,
)
from capdesk.cap.retry import NO_RETRY

SDK = "/api/developer/sdk/v1"
REST = "/api/developer/v1"
CREATE = f"{SDK}/videos/create"

ZOD = {
    "success": False,
    "error": {
        "issues": [
            {"code": "too_big", "maximum": 255, "path": ["name"],
             "message": "String must contain at most 255 character(s)"},
            {"code": "invalid_type", "expected": "number", "received": "undefined",
             "path": ["parts", 0, "partNumber"], "message": "Required"},
        ],
        "name": "ZodError",
    },
}


def assert_is_a_sentence_with_a_fix(hint: str) -> None:
    assert hint[0].isupper(), hint
    assert len(hint.split()) >= 6, hint
    assert "\n" not in hint


@pytest.fixture
def sdk(cap_sdk_factory):
    return cap_sdk_factory(retry=NO_RETRY)


@pytest.fixture
def rest(cap_rest_factory):
    return cap_rest_factory(retry=NO_RETRY)


def create_fails(server, sdk, kit, status, answer=None, **kwargs) -> CapError:
    server.on("POST", CREATE, kit.reply(status, answer, **kwargs))
    with pytest.raises(CapError) as info:
        sdk.create_video()
    return info.value


@pytest.mark.parametrize(
    ("status", "answer", "kind", "message", "exit_code"),
    [
        (400, {"error": "Invalid JSON body"}, BadRequest, "Invalid JSON body", 1),
        (401, {"error": "Invalid public key"}, KeyRefused, "Invalid public key", 3),
        (401, {"error": "Invalid or revoked public key"}, KeyRefused,
         "Invalid or revoked public key", 3),
        (402, {"error": "Insufficient credits"}, NoCredits, "Insufficient credits", 4),
        (403, {"error": "Origin header required for production apps"}, OriginRefused,
         "Origin header required for production apps", 5),
        (403, {"error": "Origin not allowed"}, OriginRefused, "Origin not allowed", 5),
        (404, {"error": "Video not found"}, NotFound, "Video not found", 1),
        (429, {"error": "Rate limit exceeded"}, RateLimited, "Rate limit exceeded", 6),
        (500, {"error": "Internal Server Error"}, ServerError, "Internal Server Error", 6),
        (502, {"error": "Bad gateway"}, ServerError, "Bad gateway", 6),
        (503, {"error": "Service unavailable"}, ServerError, "Service unavailable", 6),
        (418, {"error": "I'm a teapot"}, UnexpectedResponse, "I'm a teapot", 1),
        (409, {"error": "Conflict"}, UnexpectedResponse, "Conflict", 1),
    ],
)
def test_each_status_becomes_its_exception(cap_server, sdk, cap_kit, status, answer, kind,
                                           message, exit_code):
    error = create_fails(cap_server, sdk, cap_kit, status, answer)

    assert type(error) is kind
    assert isinstance(error, CapResponseError)
    assert error.status == status
    assert error.server_message == message
    assert error.exit_code == exit_code
    assert_is_a_sentence_with_a_fix(error.hint)
    assert str(error) == f"{error.title}: {message}. {error.hint}"
    assert error.describe() == str(error)
    assert len(cap_server.requests) == 1


def test_exit_codes_follow_the_contract():
    assert KeyRefused(401).exit_code == exitcodes.KEY_REFUSED == 3
    assert NoCredits(402).exit_code == exitcodes.NO_CREDITS == 4
    assert OriginRefused(403).exit_code == exitcodes.ORIGIN_REFUSED == 5
    assert CapNetworkError().exit_code == exitcodes.NETWORK == 6
    assert RateLimited(429).exit_code == 6
    assert ServerError(500).exit_code == 6
    assert ConfigError("x").exit_code == exitcodes.NOT_CONFIGURED == 7
    assert BadRequest(400).exit_code == exitcodes.FAILURE == 1


def test_a_zod_error_becomes_readable_issues(cap_server, sdk, cap_kit):
    error = create_fails(cap_server, sdk, cap_kit, 400, ZOD)
    assert isinstance(error, BadRequest)
    assert error.issues == [
        "name: String must contain at most 255 character(s)",
        "parts.0.partNumber: Required",
    ]
    assert error.server_message == (
        "name: String must contain at most 255 character(s); parts.0.partNumber: Required"
    )
    assert "ZodError" not in str(error)


def test_a_zod_error_with_odd_issues_is_still_read(cap_server, sdk, cap_kit):
    odd = {"success": False, "error": {"issues": ["plain text", {"code": "custom"}, {}],
                                       "name": "ZodError"}}
    error = create_fails(cap_server, sdk, cap_kit, 400, odd)
    assert isinstance(error, BadRequest)
    assert error.issues == ["plain text", '{"code": "custom"}', "{}"]


def test_a_zod_error_without_issues_says_invalid_request(cap_server, sdk, cap_kit):
    error = create_fails(cap_server, sdk, cap_kit, 400,
                         {"success": False, "error": {"issues": [], "name": "ZodError"}})
    assert isinstance(error, BadRequest)
    assert error.server_message == "invalid request"


def test_key_refused_on_the_sdk_names_the_public_key(cap_server, sdk, cap_kit):
    error = create_fails(cap_server, sdk, cap_kit, 401, {"error": "Invalid or revoked public key"})
    assert "`capdesk config set public-key`" in error.hint
    assert "dashboard" in error.hint


def test_key_refused_on_the_rest_api_names_the_secret_key(cap_server, rest, cap_kit):
    cap_server.on("GET", f"{REST}/usage", cap_kit.reply(401, {"error": "Invalid secret key"}))
    with pytest.raises(KeyRefused) as info:
        rest.usage()
    assert "`capdesk config set secret-key`" in info.value.hint
    assert "public-key" not in info.value.hint


def test_no_credits_says_where_to_add_them(cap_server, sdk, cap_kit):
    error = create_fails(cap_server, sdk, cap_kit, 402, {"error": "Insufficient credits"})
    assert "Add credits" in error.hint
    assert "capdesk resume" in error.hint


def test_no_credits_can_name_the_amount_needed():
    assert "12,345 micro-credits" in NoCredits(402, needed_micro_credits=12345).hint


def test_origin_refused_without_an_origin_says_how_to_set_one(cap_server, sdk, cap_kit):
    error = create_fails(cap_server, sdk, cap_kit, 403,
                         {"error": "Origin header required for production apps"})
    assert isinstance(error, OriginRefused)
    assert error.origin is None
    assert "capdesk config set origin" in error.hint
    assert "production app" in error.hint


def test_origin_refused_names_the_configured_origin(cap_server, cap_sdk_factory, cap_kit):
    sdk = cap_sdk_factory(origin="https://rec.example.org:8443", retry=NO_RETRY)
    error = create_fails(cap_server, sdk, cap_kit, 403, {"error": "Origin not allowed"})
    assert isinstance(error, OriginRefused)
    assert error.origin == "https://rec.example.org:8443"
    assert "Add https://rec.example.org:8443 to your app's allowed domains" in error.hint
    assert "https://rec.example.org:8443" in str(error)


def test_network_failure_is_a_network_error(cap_server, sdk, cap_kit):
    cap_server.on("POST", CREATE, cap_kit.fail_with(httpx.ConnectError, "[Errno 111] refused"))
    with pytest.raises(CapNetworkError) as info:
        sdk.create_video()
    error = info.value
    assert error.exit_code == 6
    assert error.server_message == "could not connect"
    assert error.maybe_processed is False
    assert_is_a_sentence_with_a_fix(error.hint)
    assert "internet connection" in error.hint
    assert "Errno" not in str(error)


@pytest.mark.parametrize(
    ("kind", "text", "maybe_processed"),
    [
        (httpx.ConnectError, "could not connect", False),
        (httpx.ConnectTimeout, "connecting timed out", False),
        (httpx.PoolTimeout, "no free connection", False),
        (httpx.ReadTimeout, "the server took too long to answer", True),
        (httpx.WriteTimeout, "sending timed out", True),
        (httpx.RemoteProtocolError, "the connection was closed without an answer", True),
        (httpx.ReadError, "the connection broke while reading the answer", True),
        (httpx.WriteError, "the connection broke while sending", True),
        (httpx.ProxyError, "network error", True),
    ],
)
def test_each_transport_failure_is_described(cap_server, sdk, cap_kit, kind, text,
                                             maybe_processed):
    cap_server.on("POST", CREATE, cap_kit.fail_with(kind))
    with pytest.raises(CapNetworkError) as info:
        sdk.create_video()
    assert info.value.server_message == text
    assert info.value.maybe_processed is maybe_processed


def test_error_for_status_covers_every_5xx():
    for status in (500, 501, 504, 599):
        assert type(error_for_status(status, "x")) is ServerError
    for status in (300, 405, 409, 410, 422, 451, 600):
        assert type(error_for_status(status, "x")) is UnexpectedResponse


# --- defensive bodies -----------------------------------------------------------


PROXY_PAGE = b"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>502 Bad Gateway &amp; more</title>
<style>body { color: red }</style></head>
<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>"""


def test_an_html_proxy_page_is_summarised_by_its_title(cap_server, sdk, cap_kit):
    error = create_fails(cap_server, sdk, cap_kit, 502, content=PROXY_PAGE,
                         headers={"content-type": "text/html"})
    assert isinstance(error, ServerError)
    assert error.server_message == "an HTML page instead of JSON (502 Bad Gateway & more)"
    assert "<" not in str(error)


def test_an_html_page_without_title_is_summarised_by_its_text(cap_server, sdk, cap_kit):
    page = b"<html><body><h1>Access denied</h1><p>by the firewall</p></body></html>"
    error = create_fails(cap_server, sdk, cap_kit, 403, content=page,
                         headers={"content-type": "text/html; charset=utf-8"})
    assert isinstance(error, OriginRefused)
    assert error.server_message == "an HTML page instead of JSON (Access denied by the firewall)"


def test_html_without_a_content_type_is_recognised(cap_server, sdk, cap_kit):
    error = create_fails(cap_server, sdk, cap_kit, 503,
                         content=b"  <html><title>Maintenance</title></html>")
    assert error.server_message == "an HTML page instead of JSON (Maintenance)"


@pytest.mark.parametrize("content", [b"", b"   \n\t "])
def test_an_empty_error_body(cap_server, sdk, cap_kit, content):
    error = create_fails(cap_server, sdk, cap_kit, 500, content=content)
    assert isinstance(error, ServerError)
    assert error.server_message == "(empty answer)"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Bad Request\r\n\r\n", "Bad Request"),
        (b"upstream connect error or disconnect/reset before headers",
         "upstream connect error or disconnect/reset before headers"),
        (b"[1, 2]", "[1, 2]"),
        (b"42", "42"),
        (b'"just a string"', '"just a string"'),
        (b"null", "null"),
        (b'{"message": "Something broke"}', "Something broke"),
        (b'{"detail": "Not allowed"}', "Not allowed"),
        (b'{"error": {"code": 7}}', '{"error": {"code": 7}}'),
        (b'{"foo": 1}', '{"foo": 1}'),
        (b"\xff\xfe broken\x00 bytes", "\ufffd\ufffd broken bytes"),
        (b'{"error": "tab\\there\\u0007bell"}', "tab herebell"),
    ],
)
def test_odd_error_bodies_keep_a_readable_message(cap_server, sdk, cap_kit, content, message):
    error = create_fails(cap_server, sdk, cap_kit, 400, content=content,
                         headers={"content-type": "application/json"})
    assert isinstance(error, BadRequest)
    assert error.server_message == message


def test_a_long_message_is_cut(cap_server, sdk, cap_kit):
    error = create_fails(cap_server, sdk, cap_kit, 500, {"error": "word " * 1000})
    assert len(error.server_message) <= body.MESSAGE_LIMIT
    assert error.server_message.endswith("…")


def test_deeply_nested_json_error_body_is_not_a_crash(cap_server, sdk, cap_kit):
    error = create_fails(cap_server, sdk, cap_kit, 400, content=b"[" * 50_000)
    assert isinstance(error, BadRequest)


def test_deeply_nested_json_success_body_is_unexpected(cap_server, sdk, cap_kit):
    error = create_fails(cap_server, sdk, cap_kit, 200, content=b'{"a":' * 50_000)
    assert isinstance(error, UnexpectedResponse)


def test_a_body_that_does_not_match_its_encoding_is_unexpected(cap_server, sdk, cap_kit):
    cap_server.on("POST", CREATE, lambda request: httpx.Response(
        200, headers={"content-encoding": "gzip"}, content=iter([b"not gzip at all"])))
    with pytest.raises(UnexpectedResponse, match="could not be decoded"):
        sdk.create_video()


def test_an_error_body_that_does_not_match_its_encoding_keeps_the_status(cap_server, sdk,
                                                                         cap_kit):
    cap_server.on("POST", CREATE, lambda request: httpx.Response(
        502, headers={"content-encoding": "gzip"}, content=iter([b"not gzip at all"])))
    with pytest.raises(ServerError, match="could not be decoded"):
        sdk.create_video()


def test_a_gzip_answer_is_read(cap_server, sdk, cap_kit):
    packed = gzip.compress(json.dumps({"videoId": "v", "s3Key": "k", "shareUrl": "s",
                                       "embedUrl": "e"}).encode())
    cap_server.on("POST", CREATE, lambda request: httpx.Response(
        200, headers={"content-encoding": "gzip"}, content=iter([packed])))
    assert sdk.create_video().video_id == "v"


def test_a_redirect_is_not_followed_and_is_unexpected(cap_server, sdk, cap_kit):
    error = create_fails(cap_server, sdk, cap_kit, 302, content=b"",
                         headers={"location": "https://login.example.com/"})
    assert isinstance(error, UnexpectedResponse)
    assert error.status == 302
    assert len(cap_server.requests) == 1


class CountingStream:
    """A 50 MB body produced on demand; counts how much of it the client pulled."""

    def __init__(self, total: int = 50 * 1024 * 1024, chunk: int = 64 * 1024) -> None:
        self.total = total
        self.chunk = chunk
        self.pulled = 0

    def __iter__(self):
        piece = b"x" * self.chunk
        while self.pulled < self.total:
            self.pulled += len(piece)
            yield piece


@pytest.mark.parametrize("status", [500, 400, 404])
def test_a_huge_error_body_is_read_only_up_to_the_limit(cap_server, sdk, status):
    stream = CountingStream()
    cap_server.on("POST", CREATE, lambda request: httpx.Response(status, content=stream))
    with pytest.raises(CapResponseError) as info:
        sdk.create_video()
    assert info.value.status == status
    assert stream.pulled <= body.ERROR_BODY_LIMIT + stream.chunk
    assert stream.pulled < stream.total / 100
    assert len(info.value.server_message) <= body.MESSAGE_LIMIT


def test_a_huge_success_body_is_read_only_up_to_the_limit(cap_server, sdk):
    stream = CountingStream()
    cap_server.on("POST", CREATE, lambda request: httpx.Response(
        200, content=stream, headers={"content-type": "application/json"}))
    with pytest.raises(UnexpectedResponse, match="too large"):
        sdk.create_video()
    assert stream.pulled <= body.SUCCESS_BODY_LIMIT + stream.chunk
    assert stream.pulled < stream.total / 5


def test_a_body_exactly_at_the_limit_is_not_cut():
    data = b"y" * 1000

    class Chunks(httpx.SyncByteStream):
        def __iter__(self):
            yield data[:600]
            yield data[600:]

    response = httpx.Response(200, stream=Chunks())
    assert body.read_bounded(response, 1000) == (data, False)
    response = httpx.Response(200, stream=Chunks())
    assert body.read_bounded(response, 999) == (data[:999], True)


@pytest.mark.parametrize(
    ("content", "headers"),
    [
        (b'{"error": "Invalid or revoked public key cpk_live_AbC123xyz987654321"}', {}),
        (b'{"error": {"issues": [{"path": ["key"], "message": "bad csk_Zz9_-8yy"}]}}', {}),
        (b"<html><title>Denied for csk_leaked0123456789</title></html>",
         {"content-type": "text/html"}),
        (b"Bearer cpk_abcdef0123456789 was refused", {}),
        (b'{"message": "key=csk_abcdef0123456789"}', {}),
    ],
)
def test_anything_that_looks_like_a_key_is_redacted(cap_server, sdk, cap_kit, content, headers):
    error = create_fails(cap_server, sdk, cap_kit, 400, content=content, headers=headers)
    assert "[key]" in error.server_message
    for text in (str(error), repr(error), error.server_message, *getattr(error, "issues", [])):
        assert "cpk_" not in text
        assert "csk_" not in text


def test_the_key_sent_is_redacted_when_the_server_echoes_it(cap_server, sdk, cap_keys):
    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": f"unknown {request.headers['authorization']}"})

    cap_server.on("POST", CREATE, echo)
    with pytest.raises(KeyRefused) as info:
        sdk.create_video()
    assert info.value.server_message == "unknown Bearer [key]"
    assert cap_keys.public not in str(info.value)
