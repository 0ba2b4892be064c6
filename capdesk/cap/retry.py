"""Retry policy: capped exponential backoff with full jitter, honouring Retry-After."""

from __future__ import annotations

import email.utils
import math
import random
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6  # total tries, the first included
    base: float = 0.5  # seconds before the first retry (before jitter)
    cap: float = 20.0  # never wait longer than this between tries
    deadline: float = 120.0  # give up once this much time has passed since the first try
    # Cap answers 429 without Retry-After and counts in fixed 60 s windows: a window
    # can take up to a minute to reset, so rate-limit waits start longer.
    rate_limit_base: float = 4.0

    def delay(self, attempt: int, retry_after: float | None = None, *,
              rate_limited: bool = False) -> float:
        """Seconds to wait before try number ``attempt + 1`` (``attempt`` starts at 1)."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.cap)
        base = max(self.base, self.rate_limit_base) if rate_limited else self.base
        ceiling = min(self.cap, base * 2.0 ** min(attempt - 1, 30))  # no overflow, ever
        return random.uniform(ceiling / 2, ceiling)


NO_RETRY = RetryPolicy(attempts=1)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return None if math.isnan(seconds) else max(seconds, 0.0)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(when.timestamp() - current, 0.0)
