"""The Cap API exception tree.

::

    CapError                      anything this package raises (under capdesk.errors.CapdeskError)
    ├── ConfigError               no key / bad base URL: nothing was sent
    ├── CapNetworkError           no usable answer: DNS, refused, reset, timeout
    └── CapResponseError          the server answered with an error status
        ├── BadRequest            400 (zod-shaped issues or a plain message)
        ├── KeyRefused            401 wrong, unknown or revoked key
        ├── NoCredits             402 balance too low
        ├── OriginRefused         403 production app, Origin missing or not listed
        ├── NotFound              404
        ├── RateLimited           429
        ├── ServerError           5xx
        └── UnexpectedResponse    any other status, or a 2xx body we cannot use

Every error keeps the server's own message (``server_message``) and offers
``hint``: one sentence a person understands, with the fix. ``str(err)`` is
``"<what happened>: <server message>. <hint>"``. ``exit_code`` maps the error to
the command-line contract (``capdesk.exitcodes``). Messages never contain keys.
"""

from __future__ import annotations

from capdesk import exitcodes
from capdesk.errors import CapdeskError


class CapError(CapdeskError):
    """Base of every error the Cap client raises."""

    title = "Cap request failed"
    exit_code = exitcodes.FAILURE

    def __init__(self, server_message: str = "", *, hint: str = "") -> None:
        self.server_message = server_message
        self.hint = hint or self.default_hint()
        super().__init__(self.describe())

    def default_hint(self) -> str:
        return ""

    def describe(self) -> str:
        text = self.title
        if self.server_message:
            text += f": {self.server_message}"
        if self.hint:
            text += f". {self.hint}"
        return text


class ConfigError(CapError):
    title = "Cap is not set up"
    exit_code = exitcodes.NOT_CONFIGURED

    def default_hint(self) -> str:
        return (
            "Save the key in the keychain with `capdesk config set public-key` (or "
            "`secret-key`), or, without a keychain, set CAP_PUBLIC_KEY (or CAP_SECRET_KEY) "
            "in the environment"
        )


class CapNetworkError(CapError):
    """No usable answer from the server.

    ``maybe_processed`` is true when the request may have reached the server
    before the connection failed (a read timeout, a reset after sending): the
    call may have taken effect even though we saw no answer.
    """

    title = "Cannot reach Cap"
    exit_code = exitcodes.NETWORK

    def __init__(
        self, server_message: str = "", *, hint: str = "", maybe_processed: bool = False
    ) -> None:
        self.maybe_processed = maybe_processed
        super().__init__(server_message, hint=hint)

    def default_hint(self) -> str:
        return (
            "Check your internet connection and the server URL in settings; "
            "the recording is kept and can be uploaded later with `capdesk resume`"
        )


class CapResponseError(CapError):
    """The server answered with an error status."""

    status: int = 0

    def __init__(self, status: int, server_message: str = "", *, hint: str = "") -> None:
        self.status = status
        super().__init__(server_message, hint=hint)


class BadRequest(CapResponseError):
    title = "Cap refused the request as invalid"

    def __init__(
        self,
        status: int,
        server_message: str = "",
        *,
        issues: list[str] | None = None,
        hint: str = "",
    ) -> None:
        self.issues = issues or []
        super().__init__(status, server_message, hint=hint)

    def default_hint(self) -> str:
        return "This is likely a bug in capdesk or a value you passed; check the message above"


class KeyRefused(CapResponseError):
    title = "Cap refused the key"
    exit_code = exitcodes.KEY_REFUSED

    def __init__(
        self, status: int, server_message: str = "", *, key_name: str | None = None,
        hint: str = "",
    ) -> None:
        self.key_name = key_name or "public-key"  # "public-key" or "secret-key"
        super().__init__(status, server_message, hint=hint)

    def default_hint(self) -> str:
        name = getattr(self, "key_name", None) or "public-key"
        return (
            "Copy the key again from Cap's developer dashboard and save it with "
            f"`capdesk config set {name}` (or in Settings); a revoked key must be replaced"
        )


class NoCredits(CapResponseError):
    title = "Not enough Cap credits"
    exit_code = exitcodes.NO_CREDITS

    def __init__(
        self, status: int, server_message: str = "", *, needed_micro_credits: int | None = None,
        hint: str = "",
    ) -> None:
        self.needed_micro_credits = needed_micro_credits
        super().__init__(status, server_message, hint=hint)

    def default_hint(self) -> str:
        need = ""
        if getattr(self, "needed_micro_credits", None):
            need = f" (this video needs {self.needed_micro_credits:,} micro-credits)"
        return (
            f"Add credits in Cap's developer dashboard{need}; the recording is kept "
            "and `capdesk resume` finishes the upload afterwards"
        )


class OriginRefused(CapResponseError):
    title = "Cap refused this app's Origin"
    exit_code = exitcodes.ORIGIN_REFUSED

    def __init__(
        self, status: int, server_message: str = "", *, origin: str | None = None, hint: str = ""
    ) -> None:
        self.origin = origin
        super().__init__(status, server_message, hint=hint)

    def default_hint(self) -> str:
        origin = getattr(self, "origin", None)
        if origin:
            return (
                f"Add {origin} to your app's allowed domains in Cap's developer dashboard, "
                "or set an allowed Origin with `capdesk config set origin` (or in Settings)"
            )
        return (
            "This is a production app: set the Origin to one of its allowed domains with "
            "`capdesk config set origin https://your.domain` (or in Settings)"
        )


class NotFound(CapResponseError):
    title = "Not found on Cap"

    def default_hint(self) -> str:
        return "The video may have been deleted, or belongs to another app"


class RateLimited(CapResponseError):
    title = "Cap's rate limit was reached"
    exit_code = exitcodes.NETWORK

    def default_hint(self) -> str:
        return "Cap allows 60 requests a minute per key; wait a minute and try again"


class ServerError(CapResponseError):
    title = "Cap's server failed"
    exit_code = exitcodes.NETWORK

    def default_hint(self) -> str:
        return "Try again in a few minutes; the recording is kept and can be uploaded later"


class UnexpectedResponse(CapResponseError):
    title = "Cap answered something capdesk does not understand"

    def default_hint(self) -> str:
        return "Check that the server URL points at a Cap server"


def error_for_status(
    status: int,
    message: str,
    *,
    issues: list[str] | None = None,
    origin: str | None = None,
    key_name: str | None = None,
) -> CapResponseError:
    """Build the right exception for an HTTP error status."""
    if status == 400:
        return BadRequest(status, message, issues=issues)
    if status == 401:
        return KeyRefused(status, message, key_name=key_name)
    if status == 402:
        return NoCredits(status, message)
    if status == 403:
        return OriginRefused(status, message, origin=origin)
    if status == 404:
        return NotFound(status, message)
    if status == 429:
        return RateLimited(status, message)
    if 500 <= status <= 599:
        return ServerError(status, message)
    return UnexpectedResponse(status, message)
