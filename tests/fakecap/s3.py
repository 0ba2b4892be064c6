"""The S3 behind the fake Cap server: moto's ThreadedMotoServer plus boto3.

Two boto3 clients: ``control`` talks to moto directly (what Cap's server does
with its own S3 credentials), ``presigner`` only signs URLs, with SigV4 and
the S3 front's address as endpoint, so presigned URLs point at the front.
moto shares its state across a process: each instance uses its own bucket.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from moto.server import ThreadedMotoServer

from tests.fakecap.state import new_id

ACCESS_KEY = "FAKECAPACCESSKEY"
SECRET_KEY = "fakecap-secret-access-key"
REGION = "us-east-1"


class S3Error(Exception):
    """An S3 call failed; ``code`` is S3's error code (e.g. "InvalidPart")."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class StoredObject:
    data: bytes
    content_type: str
    cache_control: str | None
    etag: str


def _client(endpoint: str) -> Any:
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path"},
        # As Cap's own server does (the AWS SDK's default: 3 attempts): a transient failure
        # between the fake and the S3 emulator (a dropped connection, a 5xx) is tried
        # again instead of becoming a 500 that Cap would not send. (CI once saw a complete
        # answer 500 on a busy machine with every part in place; the S3 error was not
        # kept then: test_concurrent_parts_and_calls now prints the fake's errors.)
        retries={"max_attempts": 3, "mode": "standard"},
    )
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=config,
    )


EMPTY_CRC32 = "AAAAAA=="  # base64 of the CRC32 of an empty body
CHECKSUM_PARAMS = ("x-amz-checksum-crc32", "x-amz-sdk-checksum-algorithm")


def _checksum_in_query(request: Any, **_: Any) -> None:
    """Put the checksum parameters in the query, signed there, as Cap's URLs have them."""
    moved = {}
    for name in CHECKSUM_PARAMS:
        if name in request.headers:
            moved[name] = request.headers[name]
            del request.headers[name]
    if moved:
        request.url += ("&" if "?" in request.url else "?") + urlencode(moved)


def _wrap(error: Exception) -> S3Error:
    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        return S3Error(str(info.get("Code", "Unknown")), str(info.get("Message", "")))
    return S3Error("NetworkError", str(error))


class S3Backend:
    def __init__(self, bucket: str | None = None) -> None:
        self.bucket = bucket or f"fakecap-{new_id(10)}"
        self._moto: ThreadedMotoServer | None = None
        self.endpoint = ""
        self.control: Any = None
        self.presigner: Any = None
        self._completed: set[str] = set()
        # Cap's AWS SDK adds the empty-body CRC32 to every presigned part URL.
        self.checksum_in_presign = False
        # S3 fails the next N completes (Cap has debited by then: 500 "Failed to complete").
        self.fail_completes = 0

    def start(self) -> None:
        # moto logs every request through werkzeug's logger at INFO
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        self.control = _client(self.endpoint)
        self.control.create_bucket(Bucket=self.bucket)

    def set_presign_endpoint(self, url: str) -> None:
        self.presigner = _client(url)
        self.presigner.meta.events.register("before-sign.s3.UploadPart", _checksum_in_query)

    def stop(self) -> None:
        if self._moto is not None:
            self._moto.stop()
            self._moto = None

    def create_multipart(self, key: str, content_type: str) -> str:
        for attempt in (1, 2):
            try:
                answer = self.control.create_multipart_upload(
                    Bucket=self.bucket,
                    Key=key,
                    ContentType=content_type,
                    CacheControl="max-age=31536000",
                )
                return str(answer["UploadId"])
            except (ClientError, BotoCoreError) as error:
                failure = _wrap(error)
                if failure.code != "NoSuchBucket" or attempt == 2:
                    raise failure from error
                # moto.mock_aws() elsewhere in this process reset moto's state
                self.control.create_bucket(Bucket=self.bucket)
        raise AssertionError("unreachable")

    def presign_part(self, key: str, upload_id: str, part_number: int, expires: int) -> str:
        params: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "UploadId": upload_id,
            "PartNumber": part_number,
        }
        if self.checksum_in_presign:
            params |= {"ChecksumCRC32": EMPTY_CRC32, "ChecksumAlgorithm": "CRC32"}
        url = self.presigner.generate_presigned_url(
            "upload_part", Params=params, ExpiresIn=expires
        )
        return str(url)

    def complete(self, key: str, upload_id: str, parts: list[tuple[int, str]]) -> None:
        """Complete with ``(partNumber, etag)`` pairs, in the order given.

        Adds two S3 rules moto lacks: part numbers must be strictly ascending
        (InvalidPartOrder) and an unknown upload is NoSuchUpload (moto fails
        with a 500). Completing a completed upload again succeeds, as in S3."""
        if self.fail_completes > 0:
            self.fail_completes -= 1
            raise S3Error("InternalError", "We encountered an internal error. Please try again.")
        numbers = [number for number, _ in parts]
        if any(a >= b for a, b in itertools.pairwise(numbers)):
            raise S3Error("InvalidPartOrder", "The list of parts was not in ascending order. "
                          "Parts must be ordered by part number.")
        if upload_id not in self._completed and not self.upload_exists(self.bucket, key, upload_id):
            raise S3Error("NoSuchUpload", "The specified upload does not exist.")
        try:
            self.control.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": [{"PartNumber": n, "ETag": e} for n, e in parts]},
            )
        except (ClientError, BotoCoreError) as error:
            raise _wrap(error) from error
        self._completed.add(upload_id)

    def abort(self, key: str, upload_id: str) -> None:
        try:
            self.control.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except (ClientError, BotoCoreError) as error:
            raise _wrap(error) from error

    def get_object(self, key: str) -> StoredObject:
        try:
            answer = self.control.get_object(Bucket=self.bucket, Key=key)
        except (ClientError, BotoCoreError) as error:
            raise _wrap(error) from error
        return StoredObject(
            data=answer["Body"].read(),
            content_type=str(answer.get("ContentType", "")),
            cache_control=answer.get("CacheControl"),
            etag=str(answer.get("ETag", "")),
        )

    def list_uploads(self, prefix: str = "") -> list[dict[str, str]]:
        """In-progress multipart uploads: ``[{"key": ..., "uploadId": ...}]``."""
        answer = self.control.list_multipart_uploads(Bucket=self.bucket, Prefix=prefix)
        return [{"key": u["Key"], "uploadId": u["UploadId"]} for u in answer.get("Uploads", [])]

    def upload_exists(self, bucket: str, key: str, upload_id: str) -> bool:
        """Whether S3 has this multipart upload in progress (moto answers a
        part PUT to an unknown upload with a 500 instead of 404 NoSuchUpload)."""
        try:
            self.control.list_parts(Bucket=bucket, Key=key, UploadId=upload_id, MaxParts=1)
        except ClientError:
            return False
        return True

    def list_parts(self, key: str, upload_id: str) -> list[dict[str, Any]]:
        """Parts S3 holds for an upload: ``[{"partNumber", "etag", "size"}]``."""
        try:
            answer = self.control.list_parts(Bucket=self.bucket, Key=key, UploadId=upload_id)
        except (ClientError, BotoCoreError) as error:
            raise _wrap(error) from error
        return [
            {"partNumber": p["PartNumber"], "etag": p["ETag"], "size": p["Size"]}
            for p in answer.get("Parts", [])
        ]
