"""PUT one byte range of the spool file to a presigned URL.

The bytes are streamed from the file on disk (never copied whole into memory),
with the exact Content-Length and no Authorization header: the presigned URL
carries its own signature, and the Cap key must never reach the storage host.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import httpx

from capdesk.cap.body import ERROR_BODY_LIMIT, describe_error_body, read_bounded, redact
from capdesk.errors import CapdeskError

CHUNK = 1024 * 1024


class PartUploadError(CapdeskError):
    """A PUT failed. ``expired`` means presign again; ``transient`` means try later."""

    def __init__(self, message: str, *, status: int | None, transient: bool,
                 expired: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.transient = transient
        self.expired = expired


def _read_range(path: Path, offset: int, size: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(offset)
        left = size
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                raise PartUploadError(
                    f"{path.name} ended {left} bytes early", status=None, transient=False
                )
            left -= len(chunk)
            yield chunk


def s3_error_message(data: bytes) -> str:
    """``Code: Message`` from an S3 XML error body, or empty."""
    text = data.decode("utf-8", errors="replace")
    code = re.search(r"<Code>([^<]{1,100})</Code>", text)
    message = re.search(r"<Message>([^<]{1,300})</Message>", text)
    found = [m.group(1) for m in (code, message) if m]
    return redact(": ".join(found))


CHECKSUM_CODES = ("BadDigest", "InvalidDigest", "XAmzContentChecksumMismatch",
                  "InvalidChecksum")


def _checksum_refusal(data: bytes) -> bool:
    code = re.search(rb"<Code>([^<]{1,100})</Code>", data)
    if code and code.group(1).decode("utf-8", "replace") in CHECKSUM_CODES:
        return True
    return b"checksum" in data.lower() and b"mismatch" in data.lower()


def put_part(http: httpx.Client, url: str, path: Path, offset: int, size: int) -> str:
    """Upload ``size`` bytes at ``offset`` and return the ETag S3 answered."""
    if os.path.getsize(path) < offset + size:
        raise PartUploadError(f"{path.name} is shorter than the part", status=None,
                              transient=False)
    headers = {"Content-Length": str(size), "Content-Type": "application/octet-stream"}
    try:
        with http.stream("PUT", url, content=_read_range(path, offset, size),
                         headers=headers) as response:
            status = response.status_code
            data, _ = read_bounded(response, ERROR_BODY_LIMIT)
            etag: str | None = response.headers.get("etag")
            content_type = response.headers.get("content-type", "")
    except httpx.TransportError as exc:
        raise PartUploadError(f"storage connection failed ({type(exc).__name__})",
                              status=None, transient=True) from None
    if 200 <= status < 300:
        if not etag:
            raise PartUploadError("storage answered without an ETag", status=status,
                                  transient=True)
        return etag
    message = s3_error_message(data) or describe_error_body(data, content_type)[0]
    if _checksum_refusal(data):
        # Cap's presigned URLs carry the CRC32 of an empty body (its AWS SDK adds it and
        # signs it); a strict S3 refuses every non-empty part. Nothing here can fix it.
        raise PartUploadError(
            "the server's storage refused the part because of a checksum in the upload URL "
            f"that Cap made ({message}); this must be fixed on the Cap server's storage "
            "settings, and the recording is kept so it can be uploaded once it is",
            status=status, transient=False)
    if status == 403:
        # An expired presigned URL: S3 says AccessDenied / "Request has expired".
        raise PartUploadError(f"storage refused the part: {message}", status=status,
                              transient=True, expired=True)
    transient = status in (408, 429) or status >= 500
    raise PartUploadError(f"storage answered {status}: {message}", status=status,
                          transient=transient)


def put_empty(http: httpx.Client, url: str) -> None:
    """PUT an empty body (used to ask S3 whether an upload still exists)."""
    try:
        response = http.put(url, content=b"", headers={"Content-Length": "0"})
    except httpx.TransportError as exc:
        raise PartUploadError(f"storage connection failed ({type(exc).__name__})",
                              status=None, transient=True) from None
    if not 200 <= response.status_code < 300:
        raise PartUploadError(f"storage answered {response.status_code}",
                              status=response.status_code, transient=True)
