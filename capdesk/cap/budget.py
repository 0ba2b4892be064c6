"""A per-key request budget: keeps this process under Cap's 60 requests a minute.

Cap counts requests per exact Authorization value in fixed 60 s windows. A
sliding window of at most ``limit`` requests in any ``window`` seconds keeps
every fixed window under the limit too. Budgets are shared by every client in
the process that uses the same key (an upload and the library together), keyed
by a hash of the key so the key itself is never kept here.
"""

from __future__ import annotations

import collections
import hashlib
import threading
import time
from collections.abc import Callable

DEFAULT_LIMIT = 55  # leave a margin under Cap's 60 for clock skew and other tools
DEFAULT_WINDOW = 60.0


class RequestBudget:
    def __init__(
        self,
        limit: int = DEFAULT_LIMIT,
        window: float = DEFAULT_WINDOW,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._sent: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def _prune(self, now: float) -> None:
        while self._sent and now - self._sent[0] >= self.window:
            self._sent.popleft()

    def wait_time(self) -> float:
        """Seconds until one more request fits (0 if it fits now)."""
        with self._lock:
            now = self._clock()
            self._prune(now)
            if len(self._sent) < self.limit:
                return 0.0
            return self._sent[0] + self.window - now

    def used(self) -> int:
        with self._lock:
            self._prune(self._clock())
            return len(self._sent)

    def acquire(self) -> float:
        """Block until a request fits, record it, and return the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                self._prune(now)
                if len(self._sent) < self.limit:
                    self._sent.append(now)
                    return waited
                delay = self._sent[0] + self.window - now
            delay = max(delay, 0.01)
            self._sleep(delay)
            waited += delay


_registry: dict[str, RequestBudget] = {}
_registry_lock = threading.Lock()


def budget_for_key(
    key: str, limit: int = DEFAULT_LIMIT, window: float = DEFAULT_WINDOW
) -> RequestBudget:
    """The process-wide budget of one key."""
    digest = hashlib.sha256(key.encode()).hexdigest()
    with _registry_lock:
        budget = _registry.get(digest)
        if budget is None:
            budget = RequestBudget(limit, window)
            _registry[digest] = budget
        return budget
