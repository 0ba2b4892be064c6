"""Test the two Cap keys with one cheap call each (no Qt; run it in a worker).

- Public key: ``abort`` for a video that does not exist. Cap checks the key (and a
  production app's Origin) first, so 404 "Video not found" means both were
  accepted, and nothing is created or billed.
- Secret key: ``usage``, which also tells the credit balance.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from capdesk import connect
from capdesk.cap.errors import BadRequest, CapError, CapNetworkError, NotFound
from capdesk.cap.rest import CapRest
from capdesk.cap.retry import RetryPolicy
from capdesk.cap.sdk import CapSdk
from capdesk.ui import wording

PROBE_ID = "capdesk-key-check"


@dataclass(frozen=True)
class KeyResult:
    ok: bool | None  # None: not tested (no key)
    text: str
    low_balance: bool = False  # the secret key works, but Cap would refuse to create videos


@dataclass(frozen=True)
class KeyReport:
    public: KeyResult
    secret: KeyResult

    @property
    def ok(self) -> bool:
        return self.public.ok is True and self.secret.ok is not False


def check_keys(base_url: str, origin: str | None, public_key: str | None,
               secret_key: str | None) -> KeyReport:
    retry = RetryPolicy(attempts=2, deadline=20.0)
    with connect.http_client() as http:
        return KeyReport(_public(http, base_url, origin, public_key, retry),
                         _secret(http, base_url, secret_key, retry))


def _public(http: httpx.Client, base_url: str, origin: str | None, key: str | None,
            retry: RetryPolicy) -> KeyResult:
    if not key:
        return KeyResult(None, "No public key: recordings stay on this computer.")
    try:
        sdk = CapSdk(http, base_url, key, origin=origin, retry=retry)
        sdk.abort_upload(PROBE_ID, PROBE_ID)
    except (NotFound, BadRequest):
        return KeyResult(True, "Public key accepted: recordings will upload.")
    except CapNetworkError as exc:
        return KeyResult(False, unreachable(exc, base_url))
    except CapError as exc:
        return KeyResult(False, exc.describe())
    return KeyResult(True, "Public key accepted: recordings will upload.")


def _secret(http: httpx.Client, base_url: str, key: str | None,
            retry: RetryPolicy) -> KeyResult:
    if not key:
        return KeyResult(None, "No secret key: the app will not show when videos are ready.")
    try:
        usage = CapRest(http, base_url, key, retry=retry).usage()
    except CapNetworkError as exc:
        return KeyResult(False, unreachable(exc, base_url))
    except CapError as exc:
        return KeyResult(False, exc.describe())
    text = (f"Secret key accepted: balance ${usage.balance_dollars:,.2f}, "
            f"{usage.total_videos} videos.")
    low = wording.credits_note(usage.balance_micro_credits)
    return KeyResult(low is None, low or text, low_balance=low is not None)


def unreachable(exc: CapNetworkError, base_url: str) -> str:
    """No answer while testing keys: where it tried, and what to check here (the
    engine's wording is about a recording kept for later, which a key test has not)."""
    why = f": {exc.server_message}" if exc.server_message else ""
    return (f"Cannot reach Cap at {base_url}{why}. Check your internet connection, "
            "and the Server under Advanced if you use your own Cap.")
