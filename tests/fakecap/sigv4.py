"""Check SigV4 presigned URLs the way S3 does (moto checks neither the
signature nor the expiry of a presigned URL, so the S3 front does it)."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, unquote_plus

ALGORITHM = "AWS4-HMAC-SHA256"
AMZ_DATE = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class PresignCheck:
    """Outcome: ``error`` is None when the URL is good, else (code, message)."""

    error: tuple[str, str] | None
    expires_at: datetime | None = None
    expires_in: int | None = None


def parse_query(raw: str) -> list[tuple[str, str]]:
    pairs = []
    for item in raw.split("&"):
        if not item:
            continue
        name, _, value = item.partition("=")
        pairs.append((unquote_plus(name), unquote_plus(value)))
    return pairs


def is_presigned(raw_query: str) -> bool:
    return any(name == "X-Amz-Algorithm" for name, _ in parse_query(raw_query))


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def _canonical_query(pairs: list[tuple[str, str]]) -> str:
    encoded = sorted(
        (quote(name, safe="-_.~"), quote(value, safe="-_.~"))
        for name, value in pairs
        if name != "X-Amz-Signature"
    )
    return "&".join(f"{name}={value}" for name, value in encoded)


def check_presigned(
    method: str,
    raw_path: str,
    raw_query: str,
    headers: dict[str, str],
    secret_key: str,
    now: datetime | None = None,
) -> PresignCheck:
    """Validate a SigV4 query-string signature; headers have lower-case names."""
    params = dict(parse_query(raw_query))
    try:
        date = datetime.strptime(params["X-Amz-Date"], AMZ_DATE).replace(tzinfo=UTC)
        expires_in = int(params["X-Amz-Expires"])
        credential = params["X-Amz-Credential"]
        signed_headers = params["X-Amz-SignedHeaders"]
        signature = params["X-Amz-Signature"]
    except (KeyError, ValueError):
        return PresignCheck(("AuthorizationQueryParametersError", "Query-string authentication "
                             "version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
                             "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and "
                             "X-Amz-Expires parameters."))
    expires_at = date + timedelta(seconds=expires_in)
    current = now or datetime.now(UTC)
    if current > expires_at:
        return PresignCheck(("AccessDenied", "Request has expired"), expires_at, expires_in)
    _, _, scope = credential.partition("/")
    canonical_headers = "".join(
        f"{name}:{' '.join(headers.get(name, '').split())}\n"
        for name in signed_headers.split(";")
    )
    canonical_request = "\n".join([
        method,
        raw_path,
        _canonical_query(list(parse_query(raw_query))),
        canonical_headers,
        signed_headers,
        "UNSIGNED-PAYLOAD",
    ])
    string_to_sign = "\n".join([
        ALGORITHM,
        params["X-Amz-Date"],
        scope,
        hashlib.sha256(canonical_request.encode()).hexdigest(),
    ])
    day, region, service, _ = [*scope.split("/"), "", "", "", ""][:4]
    key = _hmac(f"AWS4{secret_key}".encode(), day)
    for part in (region, service, "aws4_request"):
        key = _hmac(key, part)
    expected = hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return PresignCheck(("SignatureDoesNotMatch", "The request signature we calculated does "
                             "not match the signature you provided. Check your key and signing "
                             "method."), expires_at, expires_in)
    return PresignCheck(None, expires_at, expires_in)
