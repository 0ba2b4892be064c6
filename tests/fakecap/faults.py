"""Fault injection shared by the API server and the S3 front.

A :class:`FaultPlan` holds rules that each apply to the next ``times`` requests
whose path contains ``path`` (a plain substring of the raw request path, query
left out) and whose method equals ``method`` (both optional). The first rule
that matches a request is used and its count goes down by one; exhausted rules
are removed. ``times=None`` keeps a rule until :meth:`FaultPlan.clear`.

Kinds of rule:

* ``status``: answer at once with a given status, headers and body; the
  request never reaches the server behind (no rate-limit count, no S3 write).
* ``drop``: close the socket without answering. With ``after=True`` the
  request is processed first (an API call takes effect, a part reaches S3) and
  only the answer is lost.
* ``delay``: sleep ``seconds``, then process the request normally.

A ``status`` rule with ``after=True`` processes the request first (the call
takes effect: a ``complete`` bills and finishes the upload) and then answers
with the rule's status and body instead of the real answer.

``network_down = True`` makes every request fail (the connection is closed
before the request body is read) until it is set back to ``False``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from tests.fakecap.httpbase import Request, Response

FaultKind = Literal["status", "drop", "delay"]
Responder = Callable[["Request"], "Response"]


@dataclass
class Fault:
    """One rule. ``hits`` counts the requests it has been applied to."""

    kind: FaultKind
    remaining: int | None
    path: str | None = None
    method: str | None = None
    status: int = 500
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    after: bool = False
    responder: Responder | None = None
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path is None or self.path in path


def encode_body(body: Any, content_type: str | None) -> tuple[bytes, str | None]:
    """Turn a fault body into bytes and guess a Content-Type when none is given.

    dict/list -> JSON; str starting with ``<`` -> text/html; other str ->
    text/plain; bytes -> sent as is (no Content-Type unless given); None -> empty.
    """
    if body is None:
        return b"", content_type
    if isinstance(body, dict | list):
        return json.dumps(body).encode(), content_type or "application/json"
    if isinstance(body, str):
        guessed = "text/html; charset=utf-8" if body.lstrip().startswith("<") else "text/plain"
        return body.encode(), content_type or guessed
    return bytes(body), content_type


class FaultPlan:
    """Thread-safe list of fault rules for one side (API or S3)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.network_down = False

    def add(self, fault: Fault) -> Fault:
        if fault.remaining is not None and fault.remaining < 1:
            raise ValueError("times must be >= 1 or None")
        with self._lock:
            self._faults.append(fault)
        return fault

    def status(
        self,
        status: int,
        body: Any = None,
        *,
        times: int | None = 1,
        path: str | None = None,
        method: str | None = None,
        headers: dict[str, str] | None = None,
        content_type: str | None = None,
        after: bool = False,
    ) -> Fault:
        """Answer the next ``times`` matching requests with ``status`` and ``body``
        (after processing them for real if ``after``)."""
        data, ctype = encode_body(body, content_type)
        hdrs = dict(headers or {})
        if ctype:
            hdrs.setdefault("Content-Type", ctype)
        return self.add(Fault("status", times, path, method, status, data, hdrs, after=after))

    def respond(
        self,
        responder: Responder,
        *,
        times: int | None = 1,
        path: str | None = None,
        method: str | None = None,
    ) -> Fault:
        """Answer the next matching requests with ``responder(request)``."""
        return self.add(Fault("status", times, path, method, responder=responder))

    def drop(
        self,
        *,
        times: int | None = 1,
        path: str | None = None,
        method: str | None = None,
        after: bool = False,
    ) -> Fault:
        """Close the connection without answering (after processing if ``after``)."""
        return self.add(Fault("drop", times, path, method, after=after))

    def delay(
        self,
        seconds: float,
        *,
        times: int | None = 1,
        path: str | None = None,
        method: str | None = None,
    ) -> Fault:
        """Wait ``seconds`` before processing the next matching requests."""
        return self.add(Fault("delay", times, path, method, seconds=seconds))

    def take(self, method: str, path: str) -> Fault | None:
        """Consume and return the first rule matching this request, if any."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.hits += 1
                    if fault.remaining is not None:
                        fault.remaining -= 1
                        if fault.remaining == 0:
                            self._faults.remove(fault)
                    return fault
        return None

    @property
    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        """Remove every rule and bring the network back up."""
        with self._lock:
            self._faults.clear()
        self.network_down = False

    @contextmanager
    def offline(self) -> Iterator[None]:
        """``with plan.offline(): ...`` fails every request inside the block."""
        self.network_down = True
        try:
            yield
        finally:
            self.network_down = False
