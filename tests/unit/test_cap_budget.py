"""RequestBudget: at most ``limit`` requests in any window, shared per key."""

from __future__ import annotations

import random

import httpx
import pytest

from capdesk.cap import budget as budget_module
from capdesk.cap.budget import RequestBudget, budget_for_key
from capdesk.cap.rest import CapRest
from capdesk.cap.sdk import CapSdk

BASE = "https://cap.example.com"


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def make_budget(clock: FakeClock, limit: int, window: float) -> RequestBudget:
    return RequestBudget(limit, window, clock=clock, sleep=clock.sleep)


def assert_never_over(times: list[float], limit: int, window: float) -> None:
    for i in range(len(times) - limit):
        # the request ``limit`` places later must be a full window after this one
        assert times[i + limit] - times[i] >= window, (i, times[i], times[i + limit])


def test_a_burst_is_spread_so_no_window_holds_more_than_the_limit(clock):
    budget = make_budget(clock, limit=5, window=10.0)
    times = []
    for _ in range(23):
        budget.acquire()
        times.append(clock.now)
    assert_never_over(times, 5, 10.0)
    assert times[:5] == [100.0] * 5
    assert times[5:10] == [110.0] * 5
    assert times[20:] == [140.0] * 3


def test_random_traffic_never_exceeds_the_limit(clock):
    rng = random.Random(99)
    budget = make_budget(clock, limit=7, window=60.0)
    times = []
    for _ in range(300):
        clock.now += rng.choice([0.0, 0.0, 0.3, 1.0, 4.0, 15.0])
        budget.acquire()
        times.append(clock.now)
    assert_never_over(times, 7, 60.0)
    # fixed windows (how Cap counts) are never over either
    for start in range(0, int(times[-1]) + 60):
        assert sum(start <= t < start + 60 for t in times) <= 7


def test_acquire_waits_exactly_until_the_oldest_request_leaves_the_window(clock):
    budget = make_budget(clock, limit=3, window=10.0)
    assert budget.acquire() == 0.0
    clock.now += 1
    assert budget.acquire() == 0.0
    clock.now += 1
    assert budget.acquire() == 0.0  # requests at 100, 101, 102
    assert budget.used() == 3
    assert budget.wait_time() == pytest.approx(8.0)

    assert budget.acquire() == pytest.approx(8.0)  # the request of 100 leaves at 110
    assert clock.now == pytest.approx(110.0)
    assert budget.acquire() == pytest.approx(1.0)  # the request of 101 leaves at 111
    assert clock.sleeps == [pytest.approx(8.0), pytest.approx(1.0)]


def test_wait_time_and_used_follow_the_window(clock):
    budget = make_budget(clock, limit=2, window=60.0)
    assert budget.wait_time() == 0.0
    budget.acquire()
    budget.acquire()
    assert budget.used() == 2
    clock.now += 20
    assert budget.wait_time() == pytest.approx(40.0)
    clock.now += 40
    assert budget.wait_time() == 0.0
    assert budget.used() == 0


def test_the_defaults_stay_under_caps_limit():
    budget = RequestBudget()
    assert budget.limit < 60
    assert budget.window == 60.0


def test_budget_for_key_shares_one_budget_per_key(cap_keys):
    first = budget_for_key(cap_keys.public)
    assert budget_for_key(cap_keys.public) is first
    assert budget_for_key(cap_keys.public + " ".strip()) is first
    assert budget_for_key(cap_keys.secret) is not first


def test_different_keys_are_independent(cap_keys):
    one = budget_for_key(cap_keys.public)
    other = budget_for_key(cap_keys.secret)
    before = other.used()
    one.acquire()
    one.acquire()
    assert one.used() == 2
    assert other.used() == before


def test_the_registry_keeps_no_key_text(cap_keys):
    budget_for_key(cap_keys.public)
    budget_for_key(cap_keys.secret)
    secret_part = cap_keys.secret[4:]
    for digest, budget in budget_module._registry.items():
        assert cap_keys.public not in digest
        assert secret_part not in digest
        assert len(digest) == 64
        assert secret_part not in repr(vars(budget))


def test_clients_with_one_key_share_its_budget(cap_keys):
    with httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))) as http:
        first = CapSdk(http, BASE, cap_keys.public)
        second = CapSdk(http, "https://other.example.com", cap_keys.public)
        rest = CapRest(http, BASE, cap_keys.secret)
        assert first.api.budget is second.api.budget
        assert first.api.budget is budget_for_key(cap_keys.public)
        assert rest.api.budget is budget_for_key(cap_keys.secret)
        assert rest.api.budget is not first.api.budget


def test_the_transport_waits_for_the_budget_before_each_request(cap_keys, clock):
    sent_at: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent_at.append(clock.now)
        return httpx.Response(200, json={"data": {"balanceMicroCredits": 1, "balanceDollars": 0,
                                                  "totalVideos": 0, "totalDurationMinutes": 0}})

    budget = make_budget(clock, limit=2, window=60.0)
    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        rest = CapRest(http, BASE, cap_keys.secret, budget=budget)
        for _ in range(5):
            rest.usage()
    assert sent_at == [100.0, 100.0, 160.0, 160.0, 220.0]
