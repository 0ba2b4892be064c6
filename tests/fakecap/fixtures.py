"""pytest plugin for the fake Cap server (loaded by ``tests/conftest.py``).

Fixtures:

* ``fake_cap`` (session): one running :class:`~tests.fakecap.FakeCap` for the
  whole run. Prefer ``cap_app``; use ``fake_cap`` directly for admin calls.
* ``cap_app`` (function): a fresh development app with a generous balance on
  the shared server, after ``fake_cap.reset()`` (no faults, empty logs, fresh
  rate-limit counters, default settings). Faults are cleared again after the
  test.
* ``make_cap_app`` (function): a factory for more apps, e.g.
  ``make_cap_app(environment="production", origins=["https://example.com"])``
  or ``make_cap_app(balance=0)``.

Every app is new, so keys, videos, balances and rate limits never leak
between tests; faults and logs are per server, so tests that inject faults
must not run concurrently in one process (pytest does not, by default).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import pytest

from tests.fakecap.server import AppKeys, FakeCap
from tests.fakecap.state import Environment

DEFAULT_BALANCE = 100_000_000  # micro-credits: $1,000, about 20,000 minutes


@dataclass(frozen=True)
class CapApp:
    """One app on the fake server, with everything a test needs to reach it."""

    server: FakeCap
    app_id: str
    public_key: str
    secret_key: str
    environment: Environment
    origins: tuple[str, ...]

    @property
    def base_url(self) -> str:
        """``CAP_BASE_URL`` for the client (no trailing slash)."""
        return self.server.base_url

    @property
    def sdk_url(self) -> str:
        return self.server.sdk_url

    @property
    def rest_url(self) -> str:
        return self.server.rest_url

    @property
    def origin(self) -> str | None:
        """The first allowed origin, if any (what ``CAP_ORIGIN`` should be)."""
        return self.origins[0] if self.origins else None

    def sdk_headers(self, origin: str | None = None) -> dict[str, str]:
        """Headers for an SDK call; ``origin`` defaults to :attr:`origin`."""
        headers = {"Authorization": f"Bearer {self.public_key}"}
        chosen = origin or self.origin
        if chosen:
            headers["Origin"] = chosen
        return headers

    def rest_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret_key}"}

    def env(self, *, secret: bool = True) -> dict[str, str]:
        """Environment variables for a ``capdesk`` subprocess (merge into
        ``os.environ``): CAP_BASE_URL, CAP_PUBLIC_KEY, CAP_SECRET_KEY unless
        ``secret=False``, CAP_ORIGIN when the app has origins."""
        env = {"CAP_BASE_URL": self.base_url, "CAP_PUBLIC_KEY": self.public_key}
        if secret:
            env["CAP_SECRET_KEY"] = self.secret_key
        if self.origin:
            env["CAP_ORIGIN"] = self.origin
        return env

    @property
    def balance(self) -> int:
        """Current balance in micro-credits."""
        return self.server.get_balance(self.app_id)

    def videos(self) -> list[dict[str, object]]:
        """Every video of this app (deleted ones included), newest first."""
        return self.server.videos(self.app_id)


def _wrap(server: FakeCap, keys: AppKeys) -> CapApp:
    return CapApp(
        server, keys.app_id, keys.public_key, keys.secret_key, keys.environment, keys.origins
    )


@pytest.fixture(scope="session")
def fake_cap() -> Iterator[FakeCap]:
    """The fake Cap server (API + S3 front + moto), started once per session."""
    server = FakeCap().start()
    try:
        yield server
    finally:
        server.stop()


MakeCapApp = Callable[..., CapApp]


@pytest.fixture
def make_cap_app(fake_cap: FakeCap) -> Iterator[MakeCapApp]:
    """Factory: ``make_cap_app(environment=..., balance=..., origins=..., name=...)``.
    Resets the server (faults, logs, rate limits, settings) before the test
    and clears faults after it."""
    fake_cap.reset()

    def make(
        *,
        environment: Environment = "development",
        balance: int = DEFAULT_BALANCE,
        origins: Iterable[str] = (),
        name: str = "Test app",
    ) -> CapApp:
        keys = fake_cap.create_app(
            environment=environment, balance=balance, origins=origins, name=name
        )
        return _wrap(fake_cap, keys)

    yield make
    fake_cap.api_faults.clear()
    fake_cap.s3_faults.clear()


@pytest.fixture
def cap_app(make_cap_app: MakeCapApp) -> CapApp:
    """A fresh development app with a generous balance on a freshly reset server."""
    return make_cap_app()
