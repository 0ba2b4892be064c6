"""Fixtures for the Cap client unit tests (test_cap_*.py, test_settings.py, test_secrets.py).

Every fixture name starts with ``cap_`` so it cannot shadow a fixture of the
shared ``tests/conftest.py`` for the other tests in this folder.
"""

from __future__ import annotations

import secrets as pysecrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from capdesk.cap.budget import RequestBudget
from capdesk.cap.rest import CapRest
from capdesk.cap.retry import RetryPolicy
from capdesk.cap.sdk import CapSdk

CAP_BASE = "https://cap.example.com"
SDK_ROOT = "/api/developer/sdk/v1"
REST_ROOT = "/api/developer/v1"

Reply = Callable[[httpx.Request], httpx.Response]


def reply(
    status: int = 200,
    json: Any = None,
    *,
    content: bytes | str | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """A factory of fresh responses (an httpx.Response can be sent only once)."""

    def make(request: httpx.Request) -> httpx.Response:
        if json is not None:
            return httpx.Response(status, json=json, headers=headers)
        return httpx.Response(status, content=content or b"", headers=headers)

    return make


def fail_with(kind: type[httpx.TransportError], text: str = "boom") -> Reply:
    def make(request: httpx.Request) -> httpx.Response:
        raise kind(text, request=request)

    return make


class FakeCap:
    """A scripted Cap server: per (method, path) a queue of replies; the last one repeats."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: dict[tuple[str, str], list[Reply]] = {}

    def on(self, method: str, path: str, *replies: Reply) -> None:
        self.routes[(method, path)] = list(replies)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        queue = self.routes.get((request.method, request.url.path))
        if not queue:
            return httpx.Response(599, json={"error": f"unrouted {request.method} "
                                                      f"{request.url.path}"})
        make = queue.pop(0) if len(queue) > 1 else queue[0]
        return make(request)

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


@dataclass(frozen=True)
class CapKeys:
    public: str
    secret: str


@pytest.fixture
def cap_keys() -> CapKeys:
    # Fresh keys per test: the process-wide budget registry never mixes tests.
    return CapKeys(
        public="cpk_" + pysecrets.token_hex(16), secret="csk_" + pysecrets.token_hex(16)
    )


@pytest.fixture
def cap_server() -> FakeCap:
    return FakeCap()


@pytest.fixture
def cap_http(cap_server: FakeCap) -> Iterator[httpx.Client]:
    with httpx.Client(transport=httpx.MockTransport(cap_server.handler)) as client:
        yield client


@pytest.fixture
def cap_sleeps() -> list[float]:
    """Every retry delay the clients asked for; nothing really waits."""
    return []


@pytest.fixture
def cap_budget() -> RequestBudget:
    """A private, generous budget: never waits, never shared with another test."""
    return RequestBudget(limit=100_000, window=60.0)


@pytest.fixture
def cap_sdk_factory(
    cap_http: httpx.Client, cap_keys: CapKeys, cap_sleeps: list[float], cap_budget: RequestBudget
) -> Callable[..., CapSdk]:
    def make(
        *, origin: str | None = None, retry: RetryPolicy | None = None, base: str = CAP_BASE
    ) -> CapSdk:
        sdk = CapSdk(cap_http, base, cap_keys.public, origin=origin, retry=retry,
                     budget=cap_budget)
        sdk.api._sleep = cap_sleeps.append  # the clients do not expose the transport's sleep
        return sdk

    return make


@pytest.fixture
def cap_rest_factory(
    cap_http: httpx.Client, cap_keys: CapKeys, cap_sleeps: list[float], cap_budget: RequestBudget
) -> Callable[..., CapRest]:
    def make(*, retry: RetryPolicy | None = None, base: str = CAP_BASE) -> CapRest:
        rest = CapRest(cap_http, base, cap_keys.secret, retry=retry, budget=cap_budget)
        rest.api._sleep = cap_sleeps.append
        return rest

    return make


@pytest.fixture
def cap_sdk(cap_sdk_factory: Callable[..., CapSdk]) -> CapSdk:
    return cap_sdk_factory()


@pytest.fixture
def cap_rest(cap_rest_factory: Callable[..., CapRest]) -> CapRest:
    return cap_rest_factory()


@pytest.fixture
def cap_home(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """CAPDESK_HOME in a temp dir, and no key or override from the real environment."""
    monkeypatch.setenv("CAPDESK_HOME", str(tmp_path))
    for name in ("CAP_PUBLIC_KEY", "CAP_SECRET_KEY", "CAP_BASE_URL", "CAP_ORIGIN"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


class CapKit:
    """Helpers for the test modules (as a fixture: conftest is not importable by name)."""

    BASE = CAP_BASE
    SDK = SDK_ROOT
    REST = REST_ROOT
    reply = staticmethod(reply)
    fail_with = staticmethod(fail_with)


@pytest.fixture
def cap_kit() -> type[CapKit]:
    return CapKit
