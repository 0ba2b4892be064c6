"""The fake Cap server's rate limit: 60 requests per fixed window per
Authorization header value, on both APIs, 429 without Retry-After."""

from __future__ import annotations

import httpx
import pytest

from tests.fakecap import FakeCap
from tests.fakecap.fixtures import CapApp


def _burst(client: httpx.Client, method: str, path: str, count: int) -> list[int]:
    return [client.request(method, path, json={}).status_code for _ in range(count)]


def test_sixty_per_window_per_key(cap_app: CapApp, fake_cap: FakeCap) -> None:
    with httpx.Client(base_url=cap_app.sdk_url, headers=cap_app.sdk_headers()) as sdk:
        assert _burst(sdk, "POST", "/videos/create", 60) == [200] * 60
        refused = sdk.post("/videos/create", json={})
    assert refused.status_code == 429
    assert refused.json() == {"error": "Rate limit exceeded"}
    assert "retry-after" not in refused.headers
    # the secret key has its own budget, and so does an exact other header value
    with httpx.Client(base_url=cap_app.rest_url, headers=cap_app.rest_headers()) as rest:
        assert _burst(rest, "GET", "/usage", 60) == [200] * 60
        assert rest.get("/usage").status_code == 429
    lower = {"Authorization": f"bearer {cap_app.public_key}"}
    with httpx.Client(base_url=cap_app.sdk_url, headers=lower) as sdk:
        assert sdk.post("/videos/create", json={}).status_code == 200
    assert fake_cap.max_requests_per_window(cap_app.public_key) == 61
    assert len(cap_app.videos()) == 61


def test_refused_and_unauthenticated_requests_count(cap_app: CapApp) -> None:
    bad = {"Authorization": "Bearer cpk_nope"}
    with httpx.Client(base_url=cap_app.sdk_url, headers=bad) as sdk:
        assert _burst(sdk, "POST", "/videos/create", 60) == [401] * 60
        assert sdk.post("/videos/create", json={}).status_code == 429
    with httpx.Client(base_url=cap_app.sdk_url) as anonymous:
        assert _burst(anonymous, "POST", "/videos/create", 61)[-1] == 429


class FakeClock:
    """The limiter's clock, moved on by the test instead of by sleeping."""

    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_fixed_window_can_be_shortened(cap_app: CapApp, fake_cap: FakeCap,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    monkeypatch.setattr(fake_cap.limiter, "clock", clock)
    fake_cap.rate_limit_window = 0.5
    start = clock.now
    with httpx.Client(base_url=cap_app.rest_url, headers=cap_app.rest_headers()) as rest:
        # However long the burst takes for real, it all falls in the window opened at start.
        assert _burst(rest, "GET", "/usage", 60) == [200] * 60
        clock.now = start + 0.4
        assert rest.get("/usage").status_code == 429  # still the window opened at start
        clock.now = start + 0.6
        assert rest.get("/usage").status_code == 200  # 0.5 s on: a new window, from now
        assert _burst(rest, "GET", "/usage", 59) == [200] * 59
        clock.now = start + 1.05  # the window is fixed: its 0.5 s run from its first request
        assert rest.get("/usage").status_code == 429
        clock.now = start + 1.15
        assert rest.get("/usage").status_code == 200


def test_preflight_is_not_counted(cap_app: CapApp) -> None:
    with httpx.Client(base_url=cap_app.sdk_url, headers=cap_app.sdk_headers()) as sdk:
        assert {sdk.options("/videos/create").status_code for _ in range(70)} == {204}
        assert sdk.post("/videos/create", json={}).status_code == 200
