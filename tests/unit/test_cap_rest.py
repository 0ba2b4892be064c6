"""The REST API client (secret key): every endpoint, pagination and status polling."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from capdesk import __version__
from capdesk.cap import rest as rest_module
from capdesk.cap.errors import BadRequest, NotFound, UnexpectedResponse
from capdesk.cap.models import Usage, Video, VideoStatus

REST = "/api/developer/v1"

VIDEO = {
    "id": "vid_1",
    "appId": "app_9",
    "externalUserId": "user-7",
    "name": "Standup",
    "duration": 62.5,
    "width": 1920,
    "height": 1080,
    "fps": 30,
    "s3Key": "developer/app_9/vid_1/video",
    "transcriptionStatus": "COMPLETE",
    "metadata": {"project": "x"},
    "deletedAt": None,
    "createdAt": "2024-05-01T10:00:00.000Z",
    "updatedAt": "2024-05-01T10:05:30.250Z",
}

STATUS = {
    "id": "vid_1",
    "duration": 62.5,
    "width": 1920,
    "height": 1080,
    "transcriptionStatus": "PROCESSING",
    "ready": True,
}

USAGE = {
    "balanceMicroCredits": 1_234_567,
    "balanceDollars": 12.35,
    "totalVideos": 17,
    "totalDurationMinutes": 93.5,
}


def assert_rest_headers(request: httpx.Request, key: str) -> None:
    assert request.headers["authorization"] == f"Bearer {key}"
    assert request.headers["user-agent"] == f"capdesk/{__version__}"
    assert "origin" not in request.headers  # the REST API is never sent an Origin


def test_list_videos_defaults_and_parsing(cap_server, cap_rest, cap_keys, cap_kit):
    cap_server.on("GET", f"{REST}/videos", cap_kit.reply(200, {"data": [VIDEO]}))

    (video,) = cap_rest.list_videos()

    (request,) = cap_server.requests
    assert request.method == "GET"
    assert dict(request.url.params) == {"limit": "50", "offset": "0"}
    assert request.content == b""
    assert_rest_headers(request, cap_keys.secret)
    assert video == Video(
        id="vid_1",
        app_id="app_9",
        external_user_id="user-7",
        name="Standup",
        duration=62.5,
        width=1920,
        height=1080,
        fps=30.0,
        s3_key="developer/app_9/vid_1/video",
        transcription_status="COMPLETE",
        metadata={"project": "x"},
        deleted_at=None,
        created_at=datetime(2024, 5, 1, 10, 0, tzinfo=UTC),
        updated_at=datetime(2024, 5, 1, 10, 5, 30, 250000, tzinfo=UTC),
    )
    assert video.ready is True
    assert video.raw == VIDEO


def test_list_videos_sends_user_limit_and_offset(cap_server, cap_rest, cap_kit):
    cap_server.on("GET", f"{REST}/videos", cap_kit.reply(200, {"data": []}))
    assert cap_rest.list_videos(user_id="user 7&x", limit=100, offset=40) == []
    params = cap_server.requests[0].url.params
    assert dict(params) == {"limit": "100", "offset": "40", "userId": "user 7&x"}


def test_a_video_without_width_is_not_ready(cap_server, cap_rest, cap_kit):
    bare = {"id": "vid_2", "duration": 3.0, "width": None}
    cap_server.on("GET", f"{REST}/videos", cap_kit.reply(200, {"data": [bare]}))
    (video,) = cap_rest.list_videos()
    assert video.ready is False
    assert video.app_id == ""
    assert video.created_at is None
    assert video.metadata is None


@pytest.mark.parametrize(("limit", "offset"), [(0, 0), (101, 0), (-5, 0), (50, -1)])
def test_list_videos_refuses_bad_paging_without_a_request(cap_server, cap_rest, limit, offset):
    with pytest.raises(BadRequest):
        cap_rest.list_videos(limit=limit, offset=offset)
    assert cap_server.requests == []


@pytest.mark.parametrize(
    "answer",
    [
        {},
        {"data": {"id": "x"}},
        {"data": [VIDEO, "vid_2"]},
        {"data": [{**VIDEO, "id": None}]},
        {"data": [{**VIDEO, "id": 7}]},
        {"data": [{**VIDEO, "createdAt": "yesterday"}]},
        {"data": [{**VIDEO, "createdAt": 1714557600}]},
        {"data": [{**VIDEO, "width": "wide"}]},
        {"data": [{**VIDEO, "width": True}]},
        {"data": [{**VIDEO, "duration": "62"}]},
        {"data": [{**VIDEO, "name": 5}]},
    ],
)
def test_list_videos_refuses_bad_answers(cap_server, cap_rest, cap_kit, answer):
    cap_server.on("GET", f"{REST}/videos", cap_kit.reply(200, answer))
    with pytest.raises(UnexpectedResponse):
        cap_rest.list_videos()


def test_get_video(cap_server, cap_rest, cap_keys, cap_kit):
    cap_server.on("GET", f"{REST}/videos/vid_1", cap_kit.reply(200, {"data": VIDEO}))
    video = cap_rest.get_video("vid_1")
    assert video.id == "vid_1"
    assert video.width == 1920
    (request,) = cap_server.requests
    assert request.method == "GET"
    assert_rest_headers(request, cap_keys.secret)


def test_a_video_id_is_one_escaped_path_segment(cap_server, cap_rest, cap_kit):
    cap_server.on("GET", f"{REST}/videos/a b?c#d", cap_kit.reply(200, {"data": VIDEO}))
    cap_rest.get_video("a b?c#d")
    assert cap_server.requests[0].url.raw_path == f"{REST}/videos/a%20b%3Fc%23d".encode()


@pytest.mark.parametrize("bad_id", ["", "a/b", "../usage", ".", ".."])
@pytest.mark.parametrize("call", ["get_video", "video_status", "delete_video"])
def test_a_bad_video_id_is_refused_without_a_request(cap_server, cap_rest, bad_id, call):
    with pytest.raises(BadRequest, match="not a video id"):
        getattr(cap_rest, call)(bad_id)
    assert cap_server.requests == []


@pytest.mark.parametrize("answer", [{}, {"data": [VIDEO]}, {"data": None}, VIDEO])
def test_get_video_refuses_bad_answers(cap_server, cap_rest, cap_kit, answer):
    cap_server.on("GET", f"{REST}/videos/vid_1", cap_kit.reply(200, answer))
    with pytest.raises(UnexpectedResponse):
        cap_rest.get_video("vid_1")


def test_video_status(cap_server, cap_rest, cap_kit):
    cap_server.on("GET", f"{REST}/videos/vid_1/status", cap_kit.reply(200, {"data": STATUS}))
    status = cap_rest.video_status("vid_1")
    assert status == VideoStatus(
        id="vid_1", duration=62.5, width=1920, height=1080,
        transcription_status="PROCESSING", ready=True,
    )
    assert cap_server.requests[0].method == "GET"


def test_video_status_not_ready(cap_server, cap_rest, cap_kit):
    answer = {"id": "v", "duration": None, "width": None, "height": None,
              "transcriptionStatus": None, "ready": False}
    cap_server.on("GET", f"{REST}/videos/v/status", cap_kit.reply(200, {"data": answer}))
    status = cap_rest.video_status("v")
    assert status.ready is False
    assert status.duration is None
    assert status.transcription_status is None


@pytest.mark.parametrize(
    "data",
    [
        {k: v for k, v in STATUS.items() if k != "ready"},
        {**STATUS, "ready": "yes"},
        {**STATUS, "ready": 1},
        {**STATUS, "id": None},
        {**STATUS, "height": "1080"},
    ],
)
def test_video_status_refuses_bad_answers(cap_server, cap_rest, cap_kit, data):
    cap_server.on("GET", f"{REST}/videos/vid_1/status", cap_kit.reply(200, {"data": data}))
    with pytest.raises(UnexpectedResponse):
        cap_rest.video_status("vid_1")


def test_delete_video(cap_server, cap_rest, cap_keys, cap_kit):
    cap_server.on("DELETE", f"{REST}/videos/vid_1", cap_kit.reply(200, {"success": True}))
    assert cap_rest.delete_video("vid_1") is None
    (request,) = cap_server.requests
    assert request.method == "DELETE"
    assert request.content == b""
    assert_rest_headers(request, cap_keys.secret)


def test_delete_an_unknown_video_is_not_found(cap_server, cap_rest, cap_kit):
    cap_server.on("DELETE", f"{REST}/videos/gone",
                  cap_kit.reply(404, {"error": "Video not found"}))
    with pytest.raises(NotFound, match="Video not found"):
        cap_rest.delete_video("gone")


def test_usage(cap_server, cap_rest, cap_keys, cap_kit):
    cap_server.on("GET", f"{REST}/usage", cap_kit.reply(200, {"data": USAGE}))
    assert cap_rest.usage() == Usage(
        balance_micro_credits=1_234_567, balance_dollars=12.35, total_videos=17,
        total_duration_minutes=93.5,
    )
    (request,) = cap_server.requests
    assert request.method == "GET"
    assert request.url.path == f"{REST}/usage"
    assert_rest_headers(request, cap_keys.secret)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {**USAGE, "balanceMicroCredits": "12"},
        {**USAGE, "totalVideos": None},
        {**USAGE, "balanceDollars": False},
        {**USAGE, "balanceDollars": "twelve"},
        {**USAGE, "balanceDollars": "NaN"},
        {**USAGE, "balanceDollars": "Infinity"},
        {k: v for k, v in USAGE.items() if k != "totalDurationMinutes"},
    ],
)
def test_usage_refuses_bad_answers(cap_server, cap_rest, cap_kit, data):
    cap_server.on("GET", f"{REST}/usage", cap_kit.reply(200, {"data": data}))
    with pytest.raises(UnexpectedResponse):
        cap_rest.usage()


def test_usage_reads_a_decimal_string_balance(cap_server, cap_rest, cap_kit):
    cap_server.on("GET", f"{REST}/usage",
                  cap_kit.reply(200, {"data": {**USAGE, "balanceDollars": "12.50"}}))
    assert cap_rest.usage().balance_dollars == 12.5


def test_usage_refuses_a_number_too_large_for_an_integer(cap_server, cap_rest, cap_kit):
    # JSON allows 1e400; Python reads it as infinity, which int() cannot hold.
    text = b'{"data": {"balanceMicroCredits": 1e400, "balanceDollars": 1, "totalVideos": 1,' \
           b' "totalDurationMinutes": 1}}'
    cap_server.on("GET", f"{REST}/usage", cap_kit.reply(200, content=text))
    with pytest.raises(UnexpectedResponse, match="finite"):
        cap_rest.usage()


# --- pagination ---------------------------------------------------------------


def library(count: int) -> list[dict[str, Any]]:
    return [{"id": f"vid_{n:03d}", "duration": 1.0, "width": 10} for n in range(count)]


def serve_pages(videos: list[dict[str, Any]]) -> Callable[[httpx.Request], httpx.Response]:
    def make(request: httpx.Request) -> httpx.Response:
        limit = int(request.url.params["limit"])
        offset = int(request.url.params["offset"])
        return httpx.Response(200, json={"data": videos[offset:offset + limit]})

    return make


@pytest.mark.parametrize(
    ("count", "page_size", "offsets"),
    [
        (0, 3, [0]),
        (2, 3, [0]),
        (3, 3, [0, 3]),  # an exact multiple needs one more, empty page
        (6, 3, [0, 3, 6]),
        (7, 3, [0, 3, 6]),
        (250, 100, [0, 100, 200]),
        (5, 1, [0, 1, 2, 3, 4, 5]),
    ],
)
def test_iter_videos_yields_every_video_once_and_stops_at_the_short_page(
    cap_server, cap_rest, count, page_size, offsets
):
    videos = library(count)
    cap_server.on("GET", f"{REST}/videos", serve_pages(videos))

    ids = [v.id for v in cap_rest.iter_videos(page_size=page_size)]

    assert ids == [v["id"] for v in videos]
    assert [int(r.url.params["offset"]) for r in cap_server.requests] == offsets
    assert {r.url.params["limit"] for r in cap_server.requests} == {str(page_size)}


def test_iter_videos_starts_at_the_offset_and_passes_the_user(cap_server, cap_rest):
    videos = library(10)
    cap_server.on("GET", f"{REST}/videos", serve_pages(videos))
    ids = [v.id for v in cap_rest.iter_videos(user_id="u1", page_size=4, offset=5)]
    assert ids == [v["id"] for v in videos[5:]]
    assert all(r.url.params["userId"] == "u1" for r in cap_server.requests)


def test_iter_videos_is_lazy(cap_server, cap_rest):
    cap_server.on("GET", f"{REST}/videos", serve_pages(library(10)))
    pages = cap_rest.iter_videos(page_size=2)
    assert [next(pages).id for _ in range(3)] == ["vid_000", "vid_001", "vid_002"]
    assert len(cap_server.requests) == 2


def test_iter_videos_skips_the_repeat_when_a_video_is_created_while_paging(cap_server,
                                                                           cap_rest):
    videos = library(5)

    def make(request: httpx.Request) -> httpx.Response:
        limit = int(request.url.params["limit"])
        offset = int(request.url.params["offset"])
        answer = httpx.Response(200, json={"data": videos[offset:offset + limit]})
        if offset == 0:  # a new recording lands at the head of the newest-first list
            videos.insert(0, {"id": "vid_new", "duration": 1.0, "width": 10})
        return answer

    cap_server.on("GET", f"{REST}/videos", make)
    ids = [v.id for v in cap_rest.iter_videos(page_size=2)]
    assert ids == ["vid_000", "vid_001", "vid_002", "vid_003", "vid_004"]


# --- polling ------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(rest_module, "time", fake)
    return fake


def status_answers(*ready: bool) -> Callable[[httpx.Request], httpx.Response]:
    answers = list(ready)

    def make(request: httpx.Request) -> httpx.Response:
        value = answers.pop(0) if len(answers) > 1 else answers[0]
        data = {**STATUS, "ready": value, "width": 1920 if value else None}
        return httpx.Response(200, json={"data": data})

    return make


def test_wait_until_ready_polls_until_ready(cap_server, cap_rest, clock):
    answers = status_answers(False, False, False, True)
    poll_times: list[float] = []

    def timed(request: httpx.Request) -> httpx.Response:
        poll_times.append(clock.now)
        return answers(request)

    cap_server.on("GET", f"{REST}/videos/vid_1/status", timed)
    seen: list[VideoStatus] = []

    status = cap_rest.wait_until_ready("vid_1", timeout=60, interval=3.0, on_status=seen.append,
                                       sleep=clock.sleep)

    assert status.ready is True
    assert [s.ready for s in seen] == [False, False, False, True]
    assert clock.sleeps == [3.0, 3.0, 3.0]
    assert [b - a for a, b in itertools.pairwise(poll_times)] == [3.0] * 3


@pytest.mark.parametrize("interval", [0.0, 0.5, 1.99, -1.0])
def test_wait_until_ready_never_polls_faster_than_every_two_seconds(cap_server, cap_rest, clock,
                                                                    interval):
    cap_server.on("GET", f"{REST}/videos/vid_1/status", status_answers(False, False, True))
    cap_rest.wait_until_ready("vid_1", timeout=60, interval=interval, sleep=clock.sleep)
    assert clock.sleeps == [2.0, 2.0]
    assert len(cap_server.requests) == 3


def test_wait_until_ready_stops_at_the_timeout(cap_server, cap_rest, clock):
    cap_server.on("GET", f"{REST}/videos/vid_1/status", status_answers(False))
    start = clock.now

    status = cap_rest.wait_until_ready("vid_1", timeout=7.0, sleep=clock.sleep)

    assert status.ready is False
    assert clock.now - start <= 7.0
    assert clock.sleeps == [2.0, 2.0, 2.0]  # polls at 0, 2, 4, 6; 8 would be past 7
    assert len(cap_server.requests) == 4


def test_wait_until_ready_with_no_time_polls_once(cap_server, cap_rest, clock):
    cap_server.on("GET", f"{REST}/videos/vid_1/status", status_answers(False))
    status = cap_rest.wait_until_ready("vid_1", timeout=0, sleep=clock.sleep)
    assert status.ready is False
    assert clock.sleeps == []
    assert len(cap_server.requests) == 1


def test_wait_until_ready_returns_at_once_when_ready(cap_server, cap_rest, clock):
    cap_server.on("GET", f"{REST}/videos/vid_1/status", status_answers(True))
    assert cap_rest.wait_until_ready("vid_1", timeout=60, sleep=clock.sleep).ready is True
    assert clock.sleeps == []


def test_wait_until_ready_passes_errors_on(cap_server, cap_rest, clock, cap_kit):
    cap_server.on("GET", f"{REST}/videos/vid_1/status",
                  cap_kit.reply(404, {"error": "Video not found"}))
    with pytest.raises(NotFound):
        cap_rest.wait_until_ready("vid_1", timeout=60, sleep=clock.sleep)
    assert clock.sleeps == []


def test_delete_answered_by_a_captive_portal_is_not_a_success(cap_server, cap_rest, cap_kit):
    page = b"<html><title>Sign in to the network</title></html>"
    cap_server.on("DELETE", f"{REST}/videos/vid_1", cap_kit.reply(200, content=page))
    with pytest.raises(UnexpectedResponse, match="Sign in to the network"):
        cap_rest.delete_video("vid_1")
