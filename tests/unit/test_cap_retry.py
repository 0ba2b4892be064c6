"""Retries: what is retried, how long the client waits, and when it gives up."""

from __future__ import annotations

import email.utils
import random
import time

import httpx
import pytest

from capdesk.cap import retry as retry_module
from capdesk.cap import transport as transport_module
from capdesk.cap.errors import (
    BadRequest,
    CapNetworkError,
    KeyRefused,
    NoCredits,
    NotFound,
    OriginRefused,
    RateLimited,
    ServerError,
    UnexpectedResponse,
)
from capdesk.cap.models import CompletedPart
from capdesk.cap.retry import RetryPolicy, parse_retry_after

SDK = "/api/developer/sdk/v1"
REST = "/api/developer/v1"
CREATE = f"{SDK}/videos/create"
COMPLETE = f"{SDK}/upload/multipart/complete"
USAGE = f"{REST}/usage"
CREATED = {"videoId": "v", "s3Key": "k", "shareUrl": "s", "embedUrl": "e"}
USAGE_DATA = {"data": {"balanceMicroCredits": 1, "balanceDollars": 0.0, "totalVideos": 0,
                       "totalDurationMinutes": 0}}
DEFAULT = RetryPolicy()


def complete(sdk) -> None:
    sdk.complete_upload("v", "u", [CompletedPart(1, '"e"', 10)], duration_secs=5, width=640,
                        height=480, fps=30)


def assert_jittered(delays: list[float], policy: RetryPolicy, *,
                    rate_limited: bool = False) -> None:
    base = max(policy.base, policy.rate_limit_base) if rate_limited else policy.base
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(policy.cap, base * 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling, (attempt, delay)


def test_429_then_200_recovers(cap_server, cap_sdk, cap_sleeps, cap_kit):
    cap_server.on("POST", CREATE,
                  cap_kit.reply(429, {"error": "Rate limit exceeded"}),
                  cap_kit.reply(429, {"error": "Rate limit exceeded"}),
                  cap_kit.reply(200, CREATED))
    assert cap_sdk.create_video().video_id == "v"
    assert len(cap_server.requests) == 3
    assert len(cap_sleeps) == 2
    # 429s wait longer than other failures: Cap's fixed window takes up to 60 s to reset.
    assert_jittered(cap_sleeps, DEFAULT, rate_limited=True)
    assert min(cap_sleeps) >= DEFAULT.rate_limit_base / 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_retried_for_idempotent_calls(cap_server, cap_rest, cap_sleeps, cap_kit, status):
    cap_server.on("GET", USAGE, cap_kit.reply(status, {"error": "down"}),
                  cap_kit.reply(200, USAGE_DATA))
    assert cap_rest.usage().balance_micro_credits == 1
    assert len(cap_server.requests) == 2
    assert len(cap_sleeps) == 1


@pytest.mark.parametrize(
    ("path", "call"),
    [
        (CREATE, lambda sdk: sdk.create_video()),
        (f"{SDK}/upload/multipart/initiate", lambda sdk: sdk.initiate_upload("v")),
        (f"{SDK}/upload/multipart/presign-part", lambda sdk: sdk.presign_part("v", "u", 1)),
        (f"{SDK}/upload/multipart/abort", lambda sdk: sdk.abort_upload("v", "u")),
    ],
)
def test_sdk_calls_other_than_complete_retry_a_5xx(cap_server, cap_sdk, cap_kit, path, call):
    answer = {**CREATED, "uploadId": "u", "presignedUrl": "https://s3/x", "success": True}
    cap_server.on("POST", path, cap_kit.reply(500, {"error": "x"}), cap_kit.reply(200, answer))
    call(cap_sdk)
    assert len(cap_server.requests) == 2


@pytest.mark.parametrize(
    "kind", [httpx.ConnectError, httpx.ConnectTimeout, httpx.ReadTimeout, httpx.ReadError,
             httpx.RemoteProtocolError],
)
def test_network_failures_are_retried_for_idempotent_calls(cap_server, cap_rest, cap_sleeps,
                                                           cap_kit, kind):
    cap_server.on("GET", USAGE, cap_kit.fail_with(kind), cap_kit.reply(200, USAGE_DATA))
    assert cap_rest.usage().total_videos == 0
    assert len(cap_server.requests) == 2
    assert_jittered(cap_sleeps, DEFAULT)


def test_retry_after_seconds_is_honoured(cap_server, cap_sdk, cap_sleeps, cap_kit):
    cap_server.on("POST", CREATE,
                  cap_kit.reply(429, {"error": "x"}, headers={"Retry-After": "7"}),
                  cap_kit.reply(503, {"error": "x"}, headers={"Retry-After": "2.5"}),
                  cap_kit.reply(200, CREATED))
    cap_sdk.create_video()
    assert cap_sleeps == [7.0, 2.5]


def test_retry_after_http_date_is_honoured(cap_server, cap_sdk, cap_sleeps, cap_kit):
    when = email.utils.formatdate(time.time() + 15, usegmt=True)  # under the 20 s cap
    cap_server.on("POST", CREATE, cap_kit.reply(429, {"error": "x"}, headers={"Retry-After": when}),
                  cap_kit.reply(200, CREATED))
    cap_sdk.create_video()
    (delay,) = cap_sleeps
    assert 13.0 <= delay <= 15.0


def test_retry_after_is_capped(cap_server, cap_sdk_factory, cap_sleeps, cap_kit):
    sdk = cap_sdk_factory(retry=RetryPolicy(cap=20.0))
    cap_server.on("POST", CREATE,
                  cap_kit.reply(429, {"error": "x"}, headers={"Retry-After": "3600"}),
                  cap_kit.reply(200, CREATED))
    sdk.create_video()
    assert cap_sleeps == [20.0]


@pytest.mark.parametrize("value", ["soon", "nan", "", "Tue, 99 Foo 2024"])
def test_a_useless_retry_after_falls_back_to_backoff(cap_server, cap_sdk, cap_sleeps, cap_kit,
                                                     value):
    cap_server.on("POST", CREATE,
                  cap_kit.reply(429, {"error": "x"}, headers={"Retry-After": value}),
                  cap_kit.reply(200, CREATED))
    cap_sdk.create_video()
    assert_jittered(cap_sleeps, DEFAULT, rate_limited=True)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        ("0", 0.0),
        ("12", 12.0),
        (" 1.5 ", 1.5),
        ("-4", 0.0),
        ("nan", None),
        ("later", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 60.0),
        ("Wed, 21 Oct 2015 07:26:00 GMT", 0.0),  # already past
    ],
)
def test_parse_retry_after(value, expected):
    now = email.utils.parsedate_to_datetime("Wed, 21 Oct 2015 07:27:00 GMT").timestamp()
    assert parse_retry_after(value, now=now) == expected


def test_backoff_is_capped_and_jittered(cap_server, cap_sdk_factory, cap_sleeps, cap_kit,
                                        monkeypatch):
    monkeypatch.setattr(retry_module, "random", random.Random(20240501))
    policy = RetryPolicy(attempts=9, base=1.0, cap=5.0, deadline=10_000)
    sdk = cap_sdk_factory(retry=policy)
    cap_server.on("POST", CREATE, cap_kit.reply(503, {"error": "x"}))

    with pytest.raises(ServerError):
        sdk.create_video()

    assert len(cap_server.requests) == 9
    assert len(cap_sleeps) == 8
    assert_jittered(cap_sleeps, policy)
    assert max(cap_sleeps) <= 5.0
    assert len(set(cap_sleeps)) == len(cap_sleeps)  # jitter: no two waits alike


def test_the_delay_spreads_over_its_whole_range(monkeypatch):
    monkeypatch.setattr(retry_module, "random", random.Random(7))
    policy = RetryPolicy(base=2.0, cap=30.0)
    delays = [policy.delay(3) for _ in range(2000)]  # ceiling 8
    assert 4.0 <= min(delays) < 4.1
    assert 7.9 < max(delays) <= 8.0
    assert all(policy.delay(50) <= 30.0 for _ in range(100))


def test_attempts_are_respected(cap_server, cap_rest_factory, cap_sleeps, cap_kit):
    rest = cap_rest_factory(retry=RetryPolicy(attempts=3))
    cap_server.on("GET", USAGE, cap_kit.reply(502, {"error": "x"}))
    with pytest.raises(ServerError) as info:
        rest.usage()
    assert info.value.status == 502
    assert len(cap_server.requests) == 3
    assert len(cap_sleeps) == 2


def test_network_failures_give_up_after_the_attempts(cap_server, cap_rest_factory, cap_sleeps,
                                                     cap_kit):
    rest = cap_rest_factory(retry=RetryPolicy(attempts=4))
    cap_server.on("GET", USAGE, cap_kit.fail_with(httpx.ConnectError))
    with pytest.raises(CapNetworkError) as info:
        rest.usage()
    assert info.value.exit_code == 6
    assert len(cap_server.requests) == 4


def test_rate_limit_gives_up_after_the_attempts(cap_server, cap_rest_factory, cap_kit):
    rest = cap_rest_factory(retry=RetryPolicy(attempts=2))
    cap_server.on("GET", USAGE, cap_kit.reply(429, {"error": "Rate limit exceeded"}))
    with pytest.raises(RateLimited) as info:
        rest.usage()
    assert info.value.exit_code == 6
    assert len(cap_server.requests) == 2


def test_a_wait_past_the_deadline_is_not_taken(cap_server, cap_sdk_factory, cap_sleeps,
                                               cap_kit):
    sdk = cap_sdk_factory(retry=RetryPolicy(attempts=10, cap=60.0, deadline=5.0))
    cap_server.on("POST", CREATE, cap_kit.reply(429, {"error": "x"}, headers={"Retry-After": "10"}))
    with pytest.raises(RateLimited):
        sdk.create_video()
    assert len(cap_server.requests) == 1
    assert cap_sleeps == []


class FakeClock:
    def __init__(self) -> None:
        self.now = 50.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_retries_stop_at_the_deadline(cap_server, cap_sdk_factory, cap_kit, monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(transport_module, "time", clock)
    sdk = cap_sdk_factory(retry=RetryPolicy(attempts=100, base=4.0, cap=4.0, deadline=30.0))
    sdk.api._sleep = clock.sleep
    cap_server.on("POST", CREATE, cap_kit.reply(500, {"error": "x"}))

    with pytest.raises(ServerError):
        sdk.create_video()

    assert sum(clock.sleeps) <= 30.0
    assert sum(clock.sleeps) > 30.0 - 4.0  # it kept trying until the next wait did not fit
    assert 8 <= len(cap_server.requests) <= 16  # waits of 2..4 s within 30 s


# --- complete bills: retried only when it surely did not happen ------------------------


@pytest.mark.parametrize(
    "kind", [httpx.ReadTimeout, httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteTimeout],
)
def test_complete_is_not_retried_after_an_ambiguous_network_failure(cap_server, cap_sdk,
                                                                     cap_sleeps, cap_kit, kind):
    cap_server.on("POST", COMPLETE, cap_kit.fail_with(kind), cap_kit.reply(200, {"success": True}))
    with pytest.raises(CapNetworkError) as info:
        complete(cap_sdk)
    assert info.value.maybe_processed is True
    assert len(cap_server.requests) == 1
    assert cap_sleeps == []


@pytest.mark.parametrize("status", [500, 502, 503])
def test_complete_is_not_retried_after_a_5xx(cap_server, cap_sdk, cap_sleeps, cap_kit, status):
    cap_server.on("POST", COMPLETE, cap_kit.reply(status, {"error": "x"}),
                  cap_kit.reply(200, {"success": True}))
    with pytest.raises(ServerError) as info:
        complete(cap_sdk)
    assert info.value.status == status
    assert len(cap_server.requests) == 1
    assert cap_sleeps == []


@pytest.mark.parametrize(
    "first",
    [
        "connect",
        "connect-timeout",
        "429",
    ],
)
def test_complete_is_retried_when_it_surely_did_not_happen(cap_server, cap_sdk, cap_sleeps,
                                                           cap_kit, first):
    failure = {
        "connect": cap_kit.fail_with(httpx.ConnectError),
        "connect-timeout": cap_kit.fail_with(httpx.ConnectTimeout),
        "429": cap_kit.reply(429, {"error": "Rate limit exceeded"}),
    }[first]
    cap_server.on("POST", COMPLETE, failure, cap_kit.reply(200, {"success": True}))
    complete(cap_sdk)
    assert len(cap_server.requests) == 2
    assert len(cap_sleeps) == 1
    first_body, second_body = (r.content for r in cap_server.requests)
    assert first_body == second_body


# --- what is never retried ----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, BadRequest),
        (401, KeyRefused),
        (402, NoCredits),
        (403, OriginRefused),
        (404, NotFound),
        (418, UnexpectedResponse),
        (409, UnexpectedResponse),
    ],
)
def test_non_retryable_4xx_is_raised_at_once(cap_server, cap_sdk, cap_rest, cap_sleeps, cap_kit,
                                             status, kind):
    cap_server.on("POST", CREATE, cap_kit.reply(status, {"error": "no"}))
    cap_server.on("GET", USAGE, cap_kit.reply(status, {"error": "no"}))
    with pytest.raises(kind):
        cap_sdk.create_video()
    with pytest.raises(kind):
        cap_rest.usage()
    assert len(cap_server.requests) == 2
    assert cap_sleeps == []


def test_every_attempt_is_counted_in_the_budget(cap_server, cap_rest, cap_budget, cap_kit):
    cap_server.on("GET", USAGE, cap_kit.reply(500, {"error": "x"}), cap_kit.reply(429, {}),
                  cap_kit.fail_with(httpx.ConnectError), cap_kit.reply(200, USAGE_DATA))
    assert cap_budget.used() == 0
    cap_rest.usage()
    assert len(cap_server.requests) == 4
    assert cap_budget.used() == 4


def test_retries_log_no_more_than_the_path(cap_server, cap_rest, cap_kit, caplog):
    caplog.set_level("INFO", logger="capdesk")
    cap_server.on("GET", USAGE, cap_kit.reply(503, {"error": "x"}), cap_kit.reply(200, USAGE_DATA))
    cap_rest.usage()
    (record,) = [r for r in caplog.records if "retry" in r.getMessage()]
    assert record.getMessage().startswith("GET /usage failed (Cap's server failed); retry 1 in ")


def test_delay_stays_capped_after_days_of_retries() -> None:
    policy = RetryPolicy(base=1.0, cap=30.0)
    assert 15.0 <= policy.delay(100_000) <= 30.0
