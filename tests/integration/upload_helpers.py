"""Helpers for uploader tests: a file that grows like a recording's spool file, and a
check that injected faults really fired."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from capdesk.cap.budget import RequestBudget
from capdesk.cap.rest import CapRest
from capdesk.cap.retry import RetryPolicy
from capdesk.cap.sdk import CapSdk
from tests.fakecap.faults import Fault
from tests.fakecap.fixtures import CapApp

FAST_RETRY = RetryPolicy(attempts=6, base=0.05, cap=0.5, deadline=10.0)


def clients(app: CapApp, http: httpx.Client, *, origin: str | None = None,
            retry: RetryPolicy = FAST_RETRY) -> tuple[CapSdk, CapRest]:
    budget = RequestBudget(limit=1000, window=60.0)
    sdk = CapSdk(http, app.base_url, app.public_key, origin=origin or app.origin, retry=retry,
                 budget=budget)
    rest = CapRest(http, app.base_url, app.secret_key, retry=retry,
                   budget=RequestBudget(limit=1000, window=60.0))
    return sdk, rest


class GrowingFile:
    """Appends pseudo-random chunks to a file in a thread, fsyncs, and reports the size."""

    def __init__(self, path: Path, total: int, chunk: int = 512 * 1024,
                 on_durable: Callable[[int], None] | None = None,
                 pause: threading.Event | None = None, rate: float | None = None) -> None:
        self.path = path
        self.total = total
        self.chunk = chunk
        self.on_durable = on_durable
        self.gate = pause
        self.rate = rate  # bytes per second, like an encoder at a given bitrate
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> GrowingFile:
        self._thread.start()
        return self

    def join(self) -> None:
        self._thread.join()

    def _run(self) -> None:
        written = 0
        started = time.monotonic()
        with self.path.open("wb") as handle:
            while written < self.total:
                if self.gate is not None:
                    self.gate.wait()
                size = min(self.chunk, self.total - written)
                handle.write(os.urandom(size))
                handle.flush()
                os.fsync(handle.fileno())
                written += size
                if self.on_durable:
                    self.on_durable(written)
                if self.rate:
                    time.sleep(max(0.0, started + written / self.rate - time.monotonic()))


def sha256(data: bytes | Path) -> str:
    if isinstance(data, Path):
        data = data.read_bytes()
    return hashlib.sha256(data).hexdigest()


def assert_all_fired(*faults: Fault) -> None:
    """Every fault rule given was applied: all of its ``times`` (a rule with a
    count), or at least once (``times=None``). A test that injects a fault and passes
    without it ever firing tests nothing; this makes it fail instead.

    Keep the rules the plan's ``status``/``drop``/``delay``/``expired``/``respond``
    return: exhausted rules leave the plan, so ``pending`` cannot tell."""
    assert faults, "no fault rules given"
    for rule in faults:
        what = (f"{rule.kind} fault on {rule.method or 'any method'} "
                f"{rule.path or 'any path'}")
        if rule.remaining is None:
            assert rule.hits >= 1, f"{what} never fired"
        else:
            times = rule.hits + rule.remaining
            assert rule.remaining == 0, f"{what} fired {rule.hits} of {times} times"
