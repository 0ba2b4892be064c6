"""The streaming uploader against the fake Cap server and moto's S3."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from capdesk.engine.journal import Journal, State
from capdesk.upload.planner import MIB
from capdesk.upload.resume import resume_one
from capdesk.upload.uploader import StreamingUploader
from tests.fakecap.faults import Fault
from tests.fakecap.fixtures import CapApp
from tests.integration.upload_helpers import GrowingFile, assert_all_fired, clients, sha256

SIZE = 17 * MIB + 12345  # three full 5 MiB parts and a tail


pytestmark = pytest.mark.usefixtures("private_home")


def record_and_upload(app: CapApp, http: httpx.Client, tmp_path: Path, *, size: int = SIZE,
                      give_up_after: float = 30.0) -> tuple[StreamingUploader, Path]:
    sdk, rest = clients(app, http)
    path = tmp_path / "rec.mp4"
    journal = Journal.new(path, name="test")
    uploader = StreamingUploader(sdk, http, journal, rest=rest, give_up_after=give_up_after)
    uploader.start()
    GrowingFile(path, size, on_durable=uploader.notify_durable).start().join()
    uploader.finish(size, 12.5, 1920, 1080, 30.0, timeout=60)
    return uploader, path


def assert_complete(app: CapApp, journal: Journal, path: Path) -> None:
    assert journal.state == State.COMPLETE, journal.error
    assert journal.video_id
    assert sha256(app.server.video_bytes(journal.video_id)) == sha256(path)
    video = app.server.video(journal.video_id)
    assert (video["duration"], video["width"], video["height"], video["fps"]) == (
        12.5, 1920, 1080, 30.0)
    for record in app.server.s3_log:
        assert "authorization" not in {k.lower() for k in record.headers}


def test_streams_parts_while_growing_and_completes(cap_app: CapApp, http: httpx.Client,
                                                   tmp_path: Path) -> None:
    uploader, path = record_and_upload(cap_app, http, tmp_path)
    journal = uploader.journal
    assert_complete(cap_app, journal, path)
    assert [p.size for p in journal.parts][:3] == [5 * MIB] * 3
    assert uploader.bytes_sent == SIZE  # nothing sent twice
    assert cap_app.server.s3_bytes_received == SIZE


def test_full_parts_go_up_before_stop(cap_app: CapApp, http: httpx.Client,
                                      tmp_path: Path) -> None:
    sdk, rest = clients(cap_app, http)
    path = tmp_path / "rec.mp4"
    journal = Journal.new(path)
    uploader = StreamingUploader(sdk, http, journal, rest=rest)
    uploader.start()
    GrowingFile(path, SIZE, on_durable=uploader.notify_durable).start().join()
    deadline = time.monotonic() + 20
    while sum(1 for p in journal.parts if p.etag) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p.number for p in journal.parts if p.etag] == [1, 2, 3]  # before finish()
    uploader.finish(SIZE, 5.0, 640, 480, 30.0, timeout=30)
    assert journal.state == State.COMPLETE


@pytest.mark.parametrize(
    "fault",
    ["api-500", "api-429", "api-drop", "api-html", "api-timeout", "s3-500", "s3-drop",
     "s3-expired", "s3-delay"],
)
def test_faults_are_retried_without_losing_a_byte(cap_app: CapApp, http: httpx.Client,
                                                  tmp_path: Path, fault: str) -> None:
    server = cap_app.server
    presign = "/api/developer/sdk/v1/upload/multipart/presign-part"
    injected: Fault
    if fault == "api-500":
        injected = server.api_faults.status(500, {"error": "boom"}, times=3)
    elif fault == "api-429":
        injected = server.api_faults.status(429, {"error": "Rate limit exceeded"}, times=2,
                                            path=presign)
    elif fault == "api-drop":
        injected = server.api_faults.drop(times=2, path=presign)
    elif fault == "api-html":
        injected = server.api_faults.status(502, "<html><title>502 Bad Gateway</title></html>",
                                            times=2, content_type="text/html")
    elif fault == "api-timeout":  # longer than the client's read timeout
        injected = server.api_faults.delay(6.0, times=1, path=presign)
    elif fault == "s3-500":
        injected = server.s3_faults.status(500, times=3)
    elif fault == "s3-drop":
        injected = server.s3_faults.drop(times=2)
    elif fault == "s3-expired":
        injected = server.s3_faults.expired(times=2)
    elif fault == "s3-delay":
        injected = server.s3_faults.delay(6.0, times=1)  # longer than the client's read timeout
    uploader, path = record_and_upload(cap_app, http, tmp_path)
    assert_all_fired(injected)  # the upload really went through the fault
    assert_complete(cap_app, uploader.journal, path)


def test_network_gone_then_back_catches_up(cap_app: CapApp, http: httpx.Client,
                                           tmp_path: Path) -> None:
    server = cap_app.server
    sdk, rest = clients(cap_app, http)
    path = tmp_path / "rec.mp4"
    journal = Journal.new(path)
    uploader = StreamingUploader(sdk, http, journal, rest=rest, offline_after=0.5)
    uploader.start()
    assert uploader.wait_created(10)
    with server.s3_faults.offline():
        GrowingFile(path, SIZE, on_durable=uploader.notify_durable).start().join()
        deadline = time.monotonic() + 10
        while not uploader.progress().offline and time.monotonic() < deadline:
            time.sleep(0.05)
        progress = uploader.progress()
        assert progress.offline and progress.confirmed_bytes == 0
        assert progress.durable_bytes == SIZE  # recording was never held back
    uploader.finish(SIZE, 5.0, 640, 480, 30.0, timeout=90)
    assert journal.state == State.COMPLETE, journal.error
    assert sha256(server.video_bytes(journal.video_id or "")) == sha256(path)
    # The outage really refused parts (the connection closed before the body was read).
    assert any(r.fault == "network_down" for r in server.s3_log)


def test_no_credits_at_create_keeps_journal_and_resume_finishes(
    cap_app: CapApp, http: httpx.Client, tmp_path: Path
) -> None:
    server = cap_app.server
    server.set_balance(cap_app.app_id, 0)
    sdk, rest = clients(cap_app, http)
    path = tmp_path / "rec.mp4"
    journal = Journal.new(path)
    uploader = StreamingUploader(sdk, http, journal, rest=rest)
    uploader.start()
    GrowingFile(path, SIZE, on_durable=uploader.notify_durable).start().join()
    uploader.finish(SIZE, 5.0, 640, 480, 30.0, timeout=30)
    assert journal.state == State.NEEDS_CREDITS
    assert path.stat().st_size == SIZE
    server.set_balance(cap_app.app_id, 10_000_000)
    done = resume_one(journal, sdk, http, rest=rest)
    assert done is not None and done.state == State.COMPLETE, done and done.error
    assert sha256(server.video_bytes(done.video_id or "")) == sha256(path)


def test_no_credits_at_complete_says_how_many_and_resume_finishes(
    cap_app: CapApp, http: httpx.Client, tmp_path: Path
) -> None:
    server = cap_app.server
    server.set_balance(cap_app.app_id, 6000)  # enough to create, not to bill 10 minutes
    sdk, rest = clients(cap_app, http)
    path = tmp_path / "long.mp4"
    journal = Journal.new(path)
    uploader = StreamingUploader(sdk, http, journal, rest=rest)
    uploader.start()
    GrowingFile(path, 6 * MIB, on_durable=uploader.notify_durable).start().join()
    uploader.finish(6 * MIB, 600.0, 640, 480, 30.0, timeout=30)
    assert journal.state == State.NEEDS_CREDITS
    assert journal.needed_micro_credits == 50_000  # 600 s / 60 * 5000
    assert "credits" in (journal.error or "").lower()
    assert server.multipart_uploads(journal.video_id)  # parts stay on S3 until completed
    server.set_balance(cap_app.app_id, 1_000_000)
    done = resume_one(journal, sdk, http, rest=rest)
    assert done is not None and done.state == State.COMPLETE, done and done.error
    assert sha256(server.video_bytes(done.video_id or "")) == sha256(path)
    assert server.get_balance(cap_app.app_id) == 1_000_000 - 50_000


@pytest.mark.parametrize("problem", ["revoked", "origin"])
def test_refused_key_or_origin_stops_uploading_and_keeps_file(
    cap_app: CapApp, make_cap_app: object, http: httpx.Client, tmp_path: Path, problem: str
) -> None:
    server = cap_app.server
    expected = State.KEY_REFUSED
    if problem == "revoked":
        server.revoke_key(cap_app.public_key)
    else:
        server.set_environment(cap_app.app_id, "production")
        server.set_origins(cap_app.app_id, ["https://allowed.example"])
        expected = State.ORIGIN_REFUSED
    uploader, path = record_and_upload(cap_app, http, tmp_path, size=6 * MIB)
    assert uploader.journal.state == expected
    assert path.stat().st_size == 6 * MIB
    assert uploader.journal.error


@pytest.mark.parametrize("with_secret_key", [True, False])
def test_lost_answer_to_complete_charges_once(cap_app: CapApp, http: httpx.Client,
                                              tmp_path: Path, with_secret_key: bool) -> None:
    server = cap_app.server
    before = server.get_balance(cap_app.app_id)
    lost = server.api_faults.drop(times=1, path="/api/developer/sdk/v1/upload/multipart/complete",
                                  after=True)
    sdk, rest = clients(cap_app, http)
    path = tmp_path / "rec.mp4"
    journal = Journal.new(path)
    # Without a secret key the uploader asks S3 whether the upload still exists.
    uploader = StreamingUploader(sdk, http, journal, rest=rest if with_secret_key else None)
    uploader.start()
    GrowingFile(path, SIZE, on_durable=uploader.notify_durable).start().join()
    uploader.finish(SIZE, 12.5, 1920, 1080, 30.0, timeout=60)
    assert_all_fired(lost)
    assert_complete(cap_app, uploader.journal, path)
    charged = before - server.get_balance(cap_app.app_id)
    assert charged == int(max(12.5, SIZE / 2_500_000) / 60 * 5000)
    completes = [r for r in server.api_log if r.path.endswith("/multipart/complete")]
    assert len(completes) == 1


def test_high_bitrate_grows_parts_and_stays_under_the_request_budget(
    cap_app: CapApp, http: httpx.Client, tmp_path: Path
) -> None:
    """4 MiB/s (about 34 Mbit/s, a 4K screen) for 15 s: with 5 MiB parts that would be
    48 presigns a minute; the planner grows the parts to stay near 20 a minute."""
    sdk, rest = clients(cap_app, http)
    path = tmp_path / "hot.mp4"
    journal = Journal.new(path)
    uploader = StreamingUploader(sdk, http, journal, rest=rest)
    uploader.start()
    size = 60 * MIB
    GrowingFile(path, size, on_durable=uploader.notify_durable, rate=4 * MIB).start().join()
    uploader.finish(size, 15.0, 3840, 2160, 30.0, timeout=60)
    assert journal.state == State.COMPLETE, journal.error
    assert max(p.size for p in journal.parts[:-1]) > 5 * MIB
    # After the first seconds of measuring, parts are sized for <= 20 presigns a minute.
    grown = journal.parts[-2].size
    assert 4 * MIB * 60 / grown <= 20
    assert cap_app.server.max_requests_per_window(cap_app.public_key, 60.0) < 30
    assert sha256(cap_app.server.video_bytes(journal.video_id or "")) == sha256(path)
