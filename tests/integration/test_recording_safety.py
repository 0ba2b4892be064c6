"""A recording never shares, truncates or exposes a file, nothing is created on Cap for a
recording that cannot start, extra empty videos are removed, and a damaged upload record
is reported and kept."""

from __future__ import annotations

import os
import stat
import threading
from datetime import datetime
from pathlib import Path

import httpx
import pytest

from capdesk import paths
from capdesk.capture.kinds import SourceKind
from capdesk.capture.sources import CaptureError
from capdesk.capture.testcard import read_video_counters
from capdesk.encode.diskspace import DiskSpaceError
from capdesk.encode.spool import SpoolFile, claim
from capdesk.engine import journal as journals
from capdesk.engine import library
from capdesk.engine.journal import Journal, State
from capdesk.engine.options import RecordingOptions
from capdesk.engine.outcome import summary
from capdesk.engine.session import Recorder
from capdesk.upload.uploader import StreamingUploader
from tests.fakecap.fixtures import CapApp
from tests.integration.cli_helpers import run_cli, use_app
from tests.integration.upload_helpers import GrowingFile, clients

CREATE = "/api/developer/sdk/v1/videos/create"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CAPDESK_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def synthetic(**kw: object) -> RecordingOptions:
    options = RecordingOptions(source=SourceKind.SYNTHETIC, region=(0, 0, 320, 180), fps=30,
                               seconds=1.0, upload=False)
    return options.with_changes(**kw)


class FrozenClock(datetime):
    @classmethod
    def now(cls, tz=None):
        return datetime(2026, 12, 1, 9, 30, 0)


def test_two_recordings_started_in_the_same_second_get_their_own_files(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("capdesk.engine.session.datetime", FrozenClock)
    first, second = Recorder(synthetic()), Recorder(synthetic())
    assert first.path == second.path  # the same free name, seen at the same moment
    try:
        first.prepare()
        second.prepare()
        assert first.path != second.path
        assert second.path.name == first.path.stem + "-2.mp4"
        assert second.journal.spool_path == str(second.path)
        threads = [threading.Thread(target=r.start) for r in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for recorder in (first, second):
            assert recorder.wait(30)  # --seconds 1 ends each by itself
        outcomes = [r.stop() for r in (first, second)]
    finally:
        first.close()
        second.close()
    for outcome in outcomes:
        frames = read_video_counters(outcome.result.file)
        assert len(frames) == outcome.result.frames >= 25  # whole, not cut at ~57 frames
        assert outcome.result.file.stat().st_size == outcome.result.bytes


def test_nothing_truncates_an_existing_recording(tmp_path: Path) -> None:
    existing = tmp_path / "old.mp4"
    existing.write_bytes(b"a recording that must survive")
    with pytest.raises(FileExistsError):
        SpoolFile(existing)
    assert existing.read_bytes() == b"a recording that must survive"
    with pytest.raises(FileExistsError):
        claim(existing, next_free=False)
    taken = claim(existing, next_free=True)
    assert taken == tmp_path / "old-2.mp4" and taken.stat().st_size == 0
    assert existing.read_bytes() == b"a recording that must survive"
    # An explicit output that exists is refused by the recorder too, before anything.
    recorder = Recorder(synthetic(output=existing))
    with pytest.raises(FileExistsError):
        recorder.prepare()
    recorder.close()
    assert existing.read_bytes() == b"a recording that must survive"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_recordings_and_records_are_private(home: Path) -> None:
    recorder = Recorder(synthetic())
    try:
        recorder.start()
        outcome = recorder.stop()
    finally:
        recorder.close()
    file = outcome.result.file
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    assert file.parent == paths.recordings_dir()
    for folder in (paths.recordings_dir(), paths.data_dir(), paths.journals_dir()):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert outcome.journal.path is not None
    assert stat.S_IMODE(outcome.journal.path.stat().st_mode) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_folders_made_open_by_an_older_version_are_made_private(home: Path) -> None:
    for folder in (paths.data_dir(), paths.journals_dir()):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o755)
    Journal.new(home / "x.mp4").save()
    for folder in (paths.data_dir(), paths.journals_dir()):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_a_recording_that_cannot_start_creates_nothing_on_cap(
        cap_app: CapApp, home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_app(monkeypatch, cap_app, home)

    def no_room(folder: Path, free_space: object = None) -> str | None:
        raise DiskSpaceError("only 10 MiB free on the disk; capdesk needs 50 MiB")

    monkeypatch.setattr("capdesk.engine.pipeline.check_before_start", no_room)
    recorder = Recorder(synthetic(upload=True))
    with pytest.raises(DiskSpaceError):
        recorder.prepare()
    recorder.close()
    monkeypatch.undo()
    use_app(monkeypatch, cap_app, home)
    # No capture source here (no display): refused before create too.
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("CAPDESK_ALLOW_XWAYLAND", "0")
    recorder = Recorder(RecordingOptions(source=SourceKind.SCREEN, seconds=1.0))
    with pytest.raises(CaptureError):
        recorder.prepare()
    recorder.close()
    assert cap_app.videos() == []
    assert not [r for r in cap_app.server.api_log if r.path.endswith(CREATE)]
    assert not list(paths.recordings_dir().glob("*.mp4"))  # the claimed name is let go


def test_a_retried_create_leaves_no_empty_video_with_a_secret_key(
        cap_app: CapApp, home: Path) -> None:
    fault = cap_app.server.api_faults.drop(path=CREATE, after=True)  # made, answer lost
    size = 6 * 1024 * 1024
    with httpx.Client(timeout=httpx.Timeout(10.0, read=5.0)) as http:
        sdk, rest = clients(cap_app, http)
        path = home / "rec.mp4"
        path.parent.mkdir(parents=True, exist_ok=True)
        journal = Journal.new(path, name="retried", metadata={"team": "qa"})
        uploader = StreamingUploader(sdk, http, journal, rest=rest)
        uploader.start()
        GrowingFile(path, size, on_durable=uploader.notify_durable).start().join()
        uploader.finish(size, 3.0, 640, 360, 30.0, timeout=60)
    assert fault.hits == 1
    assert journal.state == State.COMPLETE, journal.error
    videos = cap_app.videos()
    assert len(videos) == 2  # the lost one and ours
    extra = next(v for v in videos if v["id"] != journal.video_id)
    assert extra["deletedAt"] is not None
    ours = next(v for v in videos if v["id"] == journal.video_id)
    assert ours["deletedAt"] is None
    assert ours["metadata"] == {"team": "qa", "capdeskRecordingId": journal.id}
    assert journal.extra_videos_removed == 1
    assert "1 empty video that a retried create left on Cap was deleted" in summary(journal)


def test_a_damaged_upload_record_is_reported_and_kept(
        cap_app: CapApp, home: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    use_app(monkeypatch, cap_app, home)
    recording = home / "recordings" / "cut.mp4"
    recording.parent.mkdir(parents=True)
    recording.write_bytes(b"\0" * 1000)
    folder = paths.journals_dir()
    folder.mkdir(parents=True)
    damaged = folder / "0123456789abcdef.json"
    text = f'{{"id": "0123456789abcdef", "spool_path": "{recording}", "state": "uploa'
    damaged.write_text(text)
    run = run_cli(capsys, "resume")
    assert damaged.name in run.err and "damaged" in run.err
    assert damaged.read_text() == text  # never deleted, never rewritten
    (item,) = library.scan()
    assert item.status == library.Status.DAMAGED
    assert item.label == "Upload record damaged"
    assert item.exists and item.file == recording
    assert "capdesk upload" in item.reason
    listed = run_cli(capsys, "library", "--json").json()
    assert [row["status"] for row in listed] == ["damaged"]
    assert journals.damaged_journals()[0].spool_path == str(recording)
    with pytest.raises(RuntimeError):
        journals.damaged_journals()[0].placeholder().save()
    assert damaged.read_text() == text
