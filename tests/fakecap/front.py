"""The S3 front: a fault-injecting reverse proxy between clients and moto.

Presigned URLs name the front's host, so every part upload passes through it.
It checks what real S3 checks and moto does not (SigV4 query signature,
expiry, one auth mechanism only, a Content-Length and no chunked encoding),
records every request (``log``), then forwards the request unchanged (Host
header included) to moto and relays moto's answer.
"""

from __future__ import annotations

import base64
import http.client
import secrets
import zlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

from tests.fakecap.faults import Fault, FaultPlan
from tests.fakecap.httpbase import Request, RequestLog, Response
from tests.fakecap.s3 import SECRET_KEY, S3Backend
from tests.fakecap.sigv4 import AMZ_DATE, check_presigned, is_presigned, parse_query

_HOP_BY_HOP = {
    "connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
    "trailer", "transfer-encoding", "upgrade", "content-length", "server", "date",
}
_DEFAULT_ERRORS = {
    400: ("InvalidRequest", "Invalid Request"),
    403: ("AccessDenied", "Access Denied"),
    404: ("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, "
          "or the upload may have been aborted or completed."),
    500: ("InternalError", "We encountered an internal error. Please try again."),
    503: ("SlowDown", "Please reduce your request rate."),
}


def _s3_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def s3_error(status: int, code: str, message: str, **extra: str) -> Response:
    """An error answer shaped like S3's (XML body, request id headers)."""
    request_id = secrets.token_hex(8).upper()
    host_id = secrets.token_urlsafe(48)
    fields = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in extra.items())
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{escape(message)}</Message>{fields}"
        f"<RequestId>{request_id}</RequestId><HostId>{host_id}</HostId></Error>"
    ).encode()
    headers = [
        ("Content-Type", "application/xml"),
        ("x-amz-request-id", request_id),
        ("x-amz-id-2", host_id),
    ]
    return Response(status, body, headers)


def expired_response(request: Request) -> Response:
    """S3's answer to a presigned URL used after its expiry."""
    params = dict(parse_query(request.query))
    now = datetime.now(UTC)
    expires_in = params.get("X-Amz-Expires", "3600")
    try:
        signed_at = datetime.strptime(params["X-Amz-Date"], AMZ_DATE).replace(tzinfo=UTC)
        expires = signed_at.timestamp() + int(expires_in)
        expires_at = datetime.fromtimestamp(min(expires, now.timestamp() - 1), UTC)
    except (KeyError, ValueError):
        expires_at = now
    return s3_error(
        403,
        "AccessDenied",
        "Request has expired",
        **{"X-Amz-Expires": expires_in, "Expires": _s3_time(expires_at),
           "ServerTime": _s3_time(now)},
    )


class S3FaultPlan(FaultPlan):
    """:class:`FaultPlan` whose ``status`` faults default to S3-style XML
    bodies, plus :meth:`expired`."""

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
        """Like :meth:`FaultPlan.status`; ``body=None`` sends S3's XML error
        for that status (e.g. 503 SlowDown), ``body=b""`` an empty body."""
        if body is None:
            code, message = _DEFAULT_ERRORS.get(status, ("ServiceUnavailable", "Error"))
            made = s3_error(status, code, message)
            merged = dict(made.headers) | dict(headers or {})
            return super().status(
                status, made.body, times=times, path=path, method=method, headers=merged,
                after=after,
            )
        return super().status(
            status, body, times=times, path=path, method=method, headers=headers,
            content_type=content_type, after=after,
        )

    def expired(self, *, times: int | None = 1, path: str | None = None) -> Fault:
        """Answer the next ``times`` PUTs with 403 AccessDenied "Request has expired"."""
        return self.respond(expired_response, times=times, path=path, method="PUT")


class S3Front:
    server_version = "AmazonS3"

    def __init__(self, s3: S3Backend) -> None:
        target = urlsplit(s3.endpoint)
        self._host = target.hostname or "127.0.0.1"
        self._port = target.port or 80
        self._s3 = s3
        self.faults = S3FaultPlan()
        self.log = RequestLog()
        self.check_signatures = True
        # A strict S3 checks a part against the x-amz-checksum-crc32 in its URL.
        self.strict_checksums = False

    def handle(self, request: Request) -> Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        return self._forward(request)

    def _refusal(self, request: Request) -> Response | None:
        headers = request.headers
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return s3_error(
                501, "NotImplemented",
                "A header you provided implies functionality that is not implemented",
                Header="Transfer-Encoding",
            )
        if request.method == "PUT" and "content-length" not in headers:
            return s3_error(411, "MissingContentLength",
                            "You must provide the Content-Length HTTP header.")
        authorization = headers.get("authorization")
        presigned = is_presigned(request.query)
        if authorization is not None and presigned:
            return s3_error(
                400, "InvalidArgument",
                "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
                "Signature query string parameter or the Authorization header should be "
                "specified",
                ArgumentName="Authorization", ArgumentValue=authorization,
            )
        if authorization is not None:
            if not authorization.startswith(("AWS4-HMAC-SHA256 ", "AWS ")):
                return s3_error(400, "InvalidArgument", "Unsupported Authorization Type",
                                ArgumentName="Authorization", ArgumentValue=authorization)
            return None
        if not presigned:
            return s3_error(403, "AccessDenied", "Access Denied")
        if not self.check_signatures:
            return None
        check = check_presigned(
            request.method, request.path, request.query, headers, SECRET_KEY
        )
        if check.error is None:
            return self._missing_upload(request) or self._bad_digest(request)
        code, message = check.error
        if message == "Request has expired":
            return expired_response(request)
        status = 400 if code == "AuthorizationQueryParametersError" else 403
        return s3_error(status, code, message)

    def _bad_digest(self, request: Request) -> Response | None:
        """400 BadDigest for a part whose body does not match the CRC32 its URL carries."""
        expected = dict(parse_query(request.query)).get("x-amz-checksum-crc32")
        if not self.strict_checksums or request.method != "PUT" or expected is None:
            return None
        actual = base64.b64encode(zlib.crc32(request.body).to_bytes(4, "big")).decode()
        if actual == expected:
            return None
        return s3_error(400, "BadDigest",
                        "The CRC32 you specified did not match the calculated checksum.")

    def _missing_upload(self, request: Request) -> Response | None:
        """404 NoSuchUpload for a part PUT to an unknown, aborted or completed upload."""
        upload_id = dict(parse_query(request.query)).get("uploadId")
        if request.method != "PUT" or upload_id is None:
            return None
        bucket, _, key = unquote(request.path).lstrip("/").partition("/")
        if self._s3.upload_exists(bucket, key, upload_id):
            return None
        code, message = _DEFAULT_ERRORS[404]
        return s3_error(404, code, message, UploadId=upload_id)

    def _forward(self, request: Request) -> Response:
        headers = {
            name: value
            for name, value in request.raw_headers
            if name.lower() not in _HOP_BY_HOP
        }
        headers["Content-Length"] = str(len(request.body))
        target = request.path + (f"?{request.query}" if request.query else "")
        connection = http.client.HTTPConnection(self._host, self._port, timeout=120)
        try:
            connection.request(request.method, target, body=request.body, headers=headers)
            answer = connection.getresponse()
            body = answer.read()
            relayed = [(k, v) for k, v in answer.getheaders() if k.lower() not in _HOP_BY_HOP]
            return Response(answer.status, body, relayed)
        except OSError:
            return s3_error(500, "InternalError",
                            "We encountered an internal error. Please try again.")
        finally:
            connection.close()
