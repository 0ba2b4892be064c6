"""Build Cap clients from the settings and the keychain (one place for it)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from capdesk import secrets, settings
from capdesk.cap.rest import CapRest
from capdesk.cap.sdk import CapSdk
from capdesk.cap.transport import USER_AGENT, validate_base_url

TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=60.0, pool=30.0)


@dataclass(frozen=True)
class Connection:
    base_url: str
    origin: str | None
    public_key: str | None
    secret_key: str | None


def current() -> Connection:
    config = settings.load()
    return Connection(
        base_url=validate_base_url(str(config.effective("base_url"))),
        origin=str(config.effective("origin")) or None,
        public_key=secrets.get_key(secrets.PUBLIC).value,
        secret_key=secrets.get_key(secrets.SECRET).value,
    )


def http_client() -> httpx.Client:
    """The one HTTP client a process uses for Cap and for the presigned PUTs.

    It carries no Authorization header of its own: the Cap clients add theirs per
    request, so nothing of the key reaches the storage host.
    """
    return httpx.Client(
        timeout=TIMEOUT,
        headers={"User-Agent": USER_AGENT},
        follow_redirects=False,
        limits=httpx.Limits(max_connections=8, max_keepalive_connections=8),
    )


def sdk(http: httpx.Client, conn: Connection | None = None) -> CapSdk:
    conn = conn or current()
    return CapSdk(http, conn.base_url, conn.public_key, origin=conn.origin)


def rest(http: httpx.Client, conn: Connection | None = None) -> CapRest:
    conn = conn or current()
    return CapRest(http, conn.base_url, conn.secret_key)


@dataclass
class UploadClients:
    """What an upload needs: the HTTP client, the SDK, and the REST API when a secret key
    is set (to check readiness and billing-safe completion)."""

    http: httpx.Client
    sdk: CapSdk
    rest: CapRest | None
    owns_http: bool = True

    def close(self) -> None:
        if self.owns_http:
            self.http.close()

    def __enter__(self) -> UploadClients:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def upload_clients(
    http: httpx.Client | None = None, conn: Connection | None = None
) -> UploadClients:
    """Open the clients for an upload; raises ``CapError`` (e.g. no public key)."""
    conn = conn or current()
    owns = http is None
    client = http or http_client()
    try:
        return UploadClients(
            client, sdk(client, conn), rest(client, conn) if conn.secret_key else None, owns
        )
    except BaseException:
        if owns:
            client.close()
        raise
