"""One authenticated JSON API on top of an injected ``httpx.Client``.

Retries (``RetryPolicy``): 429 and failures that prove the request was never
processed (connection refused, connect timeout) are always retried; failures
after the request may have been processed (read timeout, reset, 5xx) are
retried only for calls marked idempotent. The caller of a non-idempotent call
(``complete``, which bills) gets ``CapNetworkError(maybe_processed=True)`` or
``ServerError`` and decides: see ``capdesk.upload.finish``.
"""

from __future__ import annotations

import ipaddress
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

import httpx

from capdesk import __version__
from capdesk.cap import body
from capdesk.cap.budget import RequestBudget, budget_for_key
from capdesk.cap.errors import (
    CapNetworkError,
    CapResponseError,
    ConfigError,
    RateLimited,
    UnexpectedResponse,
    error_for_status,
)
from capdesk.cap.retry import RetryPolicy, parse_retry_after

log = logging.getLogger(__name__)

USER_AGENT = f"capdesk/{__version__}"
# Errors raised before a single byte of the request reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def validate_base_url(url: str) -> str:
    """The base URL without a trailing slash; https required except on loopback."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    try:
        _ = parts.port  # ValueError for a port that is not a number or out of range
        host = parts.hostname
    except ValueError:
        host = None
    if parts.scheme not in ("http", "https") or not host:
        raise ConfigError(f"not a server URL: {url!r}", hint="Use a URL like https://cap.so")
    if parts.scheme == "http" and not is_loopback(host):
        raise ConfigError(
            f"{url} is not encrypted",
            hint="Use https:// (plain http is allowed only for a server on this computer)",
        )
    if parts.query or parts.fragment:
        raise ConfigError(
            f"unexpected query in server URL {url!r}", hint="Use only scheme, host and path"
        )
    return url


def check_key(key: str | None, prefix: str, what: str) -> str:
    if not key:
        raise ConfigError(
            f"no {what} is set",
            hint=f"Save it in the keychain with `capdesk config set {what.replace(' ', '-')}`, "
            f"or, without a keychain, set CAP_{what.split()[0].upper()}_KEY in the environment",
        )
    key = key.strip()
    if not key.startswith(prefix):
        other = {"csk_": "secret key (csk_)", "cpk_": "public key (cpk_)"}.get(key[:4], "value")
        raise ConfigError(
            f"the {what} must start with {prefix}",
            hint=f"That looks like a {other}; copy the {what} from Cap's developer dashboard",
        )
    return key


class ApiTransport:
    """Sends JSON requests to one Cap API with one key."""

    def __init__(
        self,
        http: httpx.Client,
        base_url: str,
        api_path: str,
        key: str,
        *,
        origin: str | None = None,
        retry: RetryPolicy | None = None,
        budget: RequestBudget | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._http = http
        self.base_url = validate_base_url(base_url)
        self._root = self.base_url + api_path
        self._key = key
        self.origin = origin or None
        self.retry = retry or RetryPolicy()
        self.budget = budget or budget_for_key(key)
        self._sleep = sleep

    def __repr__(self) -> str:  # never show the key
        return f"<ApiTransport {self._root}>"

    def _headers(self) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer {self._key}",
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }
        if self.origin:
            headers["Origin"] = self.origin
        return headers

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Mapping[str, Any] | None = None,
        params: Mapping[str, str | int] | None = None,
        idempotent: bool = True,
        retry: RetryPolicy | None = None,
        on_retry: Callable[[CapNetworkError | CapResponseError], None] | None = None,
    ) -> dict[str, Any]:
        """Send one call (with retries) and return the JSON object it answered.

        ``on_retry(error)`` hears about each failed attempt that is retried (a caller
        may want to know that an earlier attempt may have taken effect)."""
        policy = retry or self.retry
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            error, retry_after = self._attempt(method, path, json, params, idempotent)
            if isinstance(error, dict):
                return error
            maybe_processed = getattr(error, "maybe_processed", True)
            retryable = isinstance(error, RateLimited) or (
                (idempotent or not maybe_processed) and _is_transient(error)
            )
            if not retryable or attempt >= policy.attempts:
                raise error
            delay = policy.delay(attempt, retry_after,
                                 rate_limited=isinstance(error, RateLimited))
            if time.monotonic() - started + delay > policy.deadline:
                raise error
            log.info("%s %s failed (%s); retry %d in %.1fs", method, path, error.title,
                     attempt, delay)
            if on_retry is not None:
                on_retry(error)
            self._sleep(delay)

    def _attempt(
        self,
        method: str,
        path: str,
        json: Mapping[str, Any] | None,
        params: Mapping[str, str | int] | None,
        idempotent: bool,
    ) -> tuple[dict[str, Any] | CapNetworkError | CapResponseError, float | None]:
        self.budget.acquire()
        url = self._root + path
        t0 = time.monotonic()
        try:
            request = self._http.build_request(
                method, url, json=json, params=params, headers=self._headers()
            )
            response = self._http.send(request, stream=True)
        except _NOT_SENT as exc:
            log.debug("%s %s: not sent (%s)", method, path, type(exc).__name__)
            return CapNetworkError(_describe_transport(exc), maybe_processed=False), None
        except httpx.TransportError as exc:
            log.debug("%s %s: no answer (%s)", method, path, type(exc).__name__)
            return CapNetworkError(_describe_transport(exc), maybe_processed=True), None
        try:
            status = response.status_code
            limit = body.SUCCESS_BODY_LIMIT if status < 400 else body.ERROR_BODY_LIMIT
            try:
                data, truncated = body.read_bounded(response, limit)
            except httpx.TransportError as exc:
                return CapNetworkError(_describe_transport(exc), maybe_processed=True), None
            except httpx.DecodingError:  # e.g. a Content-Encoding the body does not match
                if 200 <= status < 300:
                    return UnexpectedResponse(status, "an answer that could not be decoded"), None
                data, truncated = b"(an answer that could not be decoded)", False
            content_type = response.headers.get("content-type", "")
            retry_after = parse_retry_after(response.headers.get("retry-after"))
        finally:
            response.close()
        log.debug("%s %s -> %d in %.2fs", method, path, status, time.monotonic() - t0)
        if 200 <= status < 300:
            if truncated:
                return UnexpectedResponse(status, "the answer was too large"), None
            try:
                return body.parse_json_object(data), None
            except ValueError:
                message, _ = body.describe_error_body(data, content_type)
                return UnexpectedResponse(status, message), None
        message, issues = body.describe_error_body(data, content_type)
        key_name = "secret-key" if self._key.startswith("csk_") else "public-key"
        error = error_for_status(
            status, message, issues=issues, origin=self.origin, key_name=key_name
        )
        return error, retry_after


def _is_transient(error: Exception) -> bool:
    if isinstance(error, CapNetworkError):
        return True
    if isinstance(error, CapResponseError):
        return error.status == 429 or 500 <= error.status <= 599
    return False


def _describe_transport(exc: httpx.TransportError) -> str:
    names = {
        httpx.ConnectError: "could not connect",
        httpx.ConnectTimeout: "connecting timed out",
        httpx.PoolTimeout: "no free connection",
        httpx.ReadTimeout: "the server took too long to answer",
        httpx.WriteTimeout: "sending timed out",
        httpx.RemoteProtocolError: "the connection was closed without an answer",
        httpx.ReadError: "the connection broke while reading the answer",
        httpx.WriteError: "the connection broke while sending",
    }
    for kind, text in names.items():
        if isinstance(exc, kind):
            return text
    return "network error"


def require(data: Mapping[str, Any], field: str, kind: type, status: int = 200) -> Any:
    """A field of an answer, of the given type, or UnexpectedResponse."""
    value = data.get(field)
    if not isinstance(value, kind):
        raise UnexpectedResponse(status, f"the answer has no usable {field!r}")
    return value
