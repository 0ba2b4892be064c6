"""One error tree: every error capdesk raises on purpose is a CapdeskError, and one place
maps an error to the exit code and to the words people see."""

from __future__ import annotations

import errno

import pytest

from capdesk import exitcodes
from capdesk.cap.errors import (
    CapError,
    CapNetworkError,
    ConfigError,
    KeyRefused,
    NoCredits,
    OriginRefused,
)
from capdesk.capture.audio.base import AudioError
from capdesk.capture.sources import CaptureError
from capdesk.commands.output_file import OutputRefused
from capdesk.encode.diskspace import DiskSpaceError
from capdesk.encode.encoders import EncoderUnavailable
from capdesk.encode.spool import SpoolError
from capdesk.encode.writer import WriteFailed
from capdesk.engine.library import Busy
from capdesk.errors import CapdeskError, DiskError, InputError, describe, exit_code
from capdesk.media_probe import ProbeError
from capdesk.secrets import KeychainUnavailable
from capdesk.upload.s3put import PartUploadError


@pytest.mark.parametrize("kind", [
    CapError, CaptureError, AudioError, EncoderUnavailable, DiskSpaceError, SpoolError,
    WriteFailed, PartUploadError, ProbeError, OutputRefused, KeychainUnavailable, Busy,
])
def test_every_error_is_under_the_root(kind: type[BaseException]) -> None:
    assert issubclass(kind, CapdeskError)


def test_disk_errors_stay_os_errors() -> None:
    error = SpoolError(errno.ENOSPC, "writing rec.mp4: No space left on device")
    assert isinstance(error, DiskError) and isinstance(error, OSError)
    assert error.errno == errno.ENOSPC
    assert issubclass(WriteFailed, OSError) and issubclass(DiskSpaceError, DiskError)


@pytest.mark.parametrize(("error", "code"), [
    (KeyRefused(401, "Invalid public key"), exitcodes.KEY_REFUSED),
    (NoCredits(402, "Insufficient credits"), exitcodes.NO_CREDITS),
    (OriginRefused(403, "Origin not allowed"), exitcodes.ORIGIN_REFUSED),
    (CapNetworkError("could not connect"), exitcodes.NETWORK),
    (ConfigError("no public key is set"), exitcodes.NOT_CONFIGURED),
    (KeychainUnavailable(), exitcodes.NOT_CONFIGURED),
    (ProbeError("notes.txt is not a video"), exitcodes.USAGE),
    (InputError("bad"), exitcodes.USAGE),
    (CaptureError("no display"), exitcodes.FAILURE),
    (RuntimeError("a bug"), exitcodes.FAILURE),
])
def test_exit_codes_come_from_one_place(error: BaseException, code: int) -> None:
    assert exit_code(error) == code


def test_words_for_people() -> None:
    refused = KeyRefused(401, "Invalid or revoked public key")
    assert describe(refused).startswith("Cap refused the key: Invalid or revoked public key.")
    assert "capdesk config set public-key" in describe(refused)
    assert describe(refused, short=True) == "Cap refused the key: Invalid or revoked public key."
    assert describe(CaptureError("no display: run under X11")) == "No display: run under X11"
    assert describe(FileNotFoundError(errno.ENOENT, "No such file or directory", "/x.mp4")) \
        == "No such file or directory: /x.mp4"
    assert describe(None) == "Something went wrong."
    assert describe(ValueError()) == "ValueError"
