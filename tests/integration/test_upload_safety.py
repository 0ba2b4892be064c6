"""Nothing billed twice, nothing lost: the uploader and ``resume`` against answers that
are neither a clear success nor a clear refusal, Cap's own 5xx after its debit, two
resumes at once, and a storage that refuses parts for a checksum."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from capdesk.engine import journal as journals
from capdesk.engine import library
from capdesk.engine.journal import Journal, State
from capdesk.engine.outcome import summary
from capdesk.upload.planner import MIB
from capdesk.upload.resume import resume_one
from capdesk.upload.uploader import StreamingUploader
from tests.fakecap.fixtures import CapApp
from tests.integration.upload_helpers import GrowingFile, clients, sha256

SIZE = 11 * MIB + 777  # two full parts and a tail
COMPLETE = "/api/developer/sdk/v1/upload/multipart/complete"
ONE_CHARGE = int(max(12.5, SIZE / 2_500_000) / 60 * 5000)


pytestmark = pytest.mark.usefixtures("private_home")


def upload(app: CapApp, http: httpx.Client, path: Path, *, secret: bool = True,
           give_up_after: float = 30.0) -> Journal:
    sdk, rest = clients(app, http)
    journal = Journal.new(path, name="test")
    uploader = StreamingUploader(sdk, http, journal, rest=rest if secret else None,
                                 give_up_after=give_up_after)
    uploader.start()
    GrowingFile(path, SIZE, on_durable=uploader.notify_durable).start().join()
    return uploader.finish(SIZE, 12.5, 1920, 1080, 30.0, timeout=90)


def completes(app: CapApp) -> int:
    return sum(1 for r in app.server.api_log if r.path.endswith(COMPLETE))


def charged(app: CapApp, before: int) -> int:
    return before - app.balance


def assert_uploaded(app: CapApp, journal: Journal, path: Path) -> None:
    assert journal.state == State.COMPLETE, journal.error
    assert journal.video_id
    assert sha256(app.server.video_bytes(journal.video_id)) == sha256(path)
    assert app.server.video(journal.video_id)["duration"] == 12.5


@pytest.mark.parametrize("secret", [True, False], ids=["secret-key", "public-key-only"])
@pytest.mark.parametrize("body", ["<html><body>Bad gateway page</body></html>", b""],
                         ids=["html", "empty"])
def test_unusable_2xx_after_complete_went_through_charges_once(
        cap_app: CapApp, http: httpx.Client, tmp_path: Path, secret: bool, body: object) -> None:
    before = cap_app.balance
    fault = cap_app.server.api_faults.status(200, body, path=COMPLETE, after=True)
    journal = upload(cap_app, http, tmp_path / "rec.mp4", secret=secret)
    assert fault.hits == 1
    assert_uploaded(cap_app, journal, tmp_path / "rec.mp4")
    assert completes(cap_app) == 1  # settled by asking, never called again
    # A later resume has nothing to do and calls nothing.
    sdk, rest = clients(cap_app, http)
    assert resume_one(journal, sdk, http, rest=rest) is not None
    assert completes(cap_app) == 1
    assert charged(cap_app, before) == ONE_CHARGE


def test_complete_answered_empty_object_is_not_taken_as_done(
        cap_app: CapApp, http: httpx.Client, tmp_path: Path) -> None:
    """``200 {}`` without the work done: no object, no debit. It is ambiguous, so the
    uploader asks, learns the upload is still open, and completes it for real."""
    before = cap_app.balance
    fault = cap_app.server.api_faults.status(200, {}, path=COMPLETE)
    journal = upload(cap_app, http, tmp_path / "rec.mp4")
    assert fault.hits == 1
    assert_uploaded(cap_app, journal, tmp_path / "rec.mp4")
    assert completes(cap_app) == 2
    assert charged(cap_app, before) == ONE_CHARGE
    assert not journal.maybe_charged_twice


def test_ambiguous_complete_then_give_up_is_settled_by_resume_without_a_second_call(
        cap_app: CapApp, http: httpx.Client, tmp_path: Path) -> None:
    """The unsettled ``complete`` is kept in the journal: a resume asks before calling."""
    before = cap_app.balance
    server = cap_app.server
    api_fault = server.api_faults.status(200, "<html>oops</html>", path=COMPLETE, after=True)
    # Asking whether it went through fails until the uploader gives up.
    status_fault = server.api_faults.status(503, {"error": "down"}, path="/status", times=None)
    path = tmp_path / "rec.mp4"
    journal = upload(cap_app, http, path, give_up_after=3.0)
    assert api_fault.hits == 1 and status_fault.hits >= 1
    assert journal.path is not None
    stored = journals.load(journal.path)
    assert stored.state != State.COMPLETE
    assert stored.complete_sent  # unsettled, on disk
    assert completes(cap_app) == 1
    server.api_faults.clear()
    sdk, rest = clients(cap_app, http)
    done = resume_one(stored, sdk, http, rest=rest)
    assert done is not None
    assert_uploaded(cap_app, done, path)
    assert completes(cap_app) == 1
    assert charged(cap_app, before) == ONE_CHARGE


def test_s3_failure_inside_complete_is_settled_and_a_possible_double_charge_is_said(
        cap_app: CapApp, http: httpx.Client, tmp_path: Path) -> None:
    """Cap debits, then S3 fails: 500 "Failed to complete upload" and the debit stays.
    The upload is still open, so a second complete is the only way on; it debits again,
    and the result and the Library say so, with the video id."""
    before = cap_app.balance
    cap_app.server.s3.fail_completes = 1
    journal = upload(cap_app, http, tmp_path / "rec.mp4")
    assert cap_app.server.s3.fail_completes == 0  # the fault fired
    assert_uploaded(cap_app, journal, tmp_path / "rec.mp4")
    assert completes(cap_app) == 2
    assert charged(cap_app, before) == 2 * ONE_CHARGE  # Cap's behaviour, not ours
    assert journal.maybe_charged_twice
    text = summary(journal)
    assert "may have charged twice" in text and str(journal.video_id) in text
    item = library.item_for(journals.load(journal.path or Path()))
    assert "may have charged twice" in item.reason and str(journal.video_id) in item.reason
    assert item.to_json()["maybeChargedTwice"] is True


def interrupted_before_complete(app: CapApp, http: httpx.Client, path: Path) -> Journal:
    """All parts confirmed, complete refused for now (no credits): a journal to resume."""
    refusal = app.server.api_faults.status(402, {"error": "Insufficient credits"},
                                           path=COMPLETE)
    journal = upload(app, http, path)
    assert refusal.hits == 1
    assert journal.state == State.NEEDS_CREDITS
    assert not journal.complete_sent  # a clear refusal: nothing to settle
    assert all(p.etag for p in journal.parts) and journal.planned_end() == SIZE
    return journal


def test_two_resumes_at_once_complete_once(cap_app: CapApp, http: httpx.Client,
                                           tmp_path: Path) -> None:
    path = tmp_path / "rec.mp4"
    first = interrupted_before_complete(cap_app, http, path)
    before = cap_app.balance
    assert first.path is not None
    # Two processes each read the journal, then race (flock conflicts between threads
    # too: each lock opens the file anew).
    copies = [journals.load(first.path), journals.load(first.path)]
    results: list[Journal | None] = [None, None]
    start = threading.Barrier(2)

    def run(index: int) -> None:
        with httpx.Client(timeout=10.0) as own:
            sdk, rest = clients(cap_app, own)
            start.wait()
            results[index] = resume_one(copies[index], sdk, own, rest=rest)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert completes(cap_app) == 2  # the refused one (402) and one more
    assert charged(cap_app, before) == ONE_CHARGE
    on_disk = journals.load(first.path)
    assert on_disk.state == State.COMPLETE
    assert_uploaded(cap_app, on_disk, path)
    for result in results:  # each either skipped (held) or saw it complete
        assert result is None or result.state == State.COMPLETE


def test_resume_from_a_stale_journal_leaves_a_finished_one_alone(
        cap_app: CapApp, http: httpx.Client, tmp_path: Path) -> None:
    path = tmp_path / "rec.mp4"
    first = interrupted_before_complete(cap_app, http, path)
    assert first.path is not None
    stale = journals.load(first.path)  # read by a second `capdesk resume` ...
    sdk, rest = clients(cap_app, http)
    done = resume_one(journals.load(first.path), sdk, http, rest=rest)  # ... the first wins
    assert done is not None and done.state == State.COMPLETE
    before, calls = cap_app.balance, completes(cap_app)
    again = resume_one(stale, sdk, http, rest=rest)
    assert again is not None and again.state == State.COMPLETE
    assert completes(cap_app) == calls
    assert cap_app.balance == before
    assert journals.load(first.path).state == State.COMPLETE  # not overwritten
    assert_uploaded(cap_app, journals.load(first.path), path)


def test_storage_refusing_parts_for_a_checksum_is_said_plainly_and_stays_resumable(
        cap_app: CapApp, http: httpx.Client, tmp_path: Path) -> None:
    server = cap_app.server
    server.s3.checksum_in_presign = True  # what Cap's presigned URLs carry
    assert server.front is not None
    server.front.strict_checksums = True  # a strict S3 checks it
    path = tmp_path / "rec.mp4"
    journal = upload(cap_app, http, path, give_up_after=10.0)
    assert journal.state == State.FAILED
    assert "storage refused the part" in (journal.error or "")
    assert "checksum" in (journal.error or "")
    refused = [r for r in server.s3_log if r.method == "PUT" and r.status == 400]
    assert refused and len(refused) <= 3  # not retried forever
    assert path.exists() and path.stat().st_size == SIZE
    assert "uploaded once it is" in summary(journal) or "resume" in summary(journal)
    # The storage is fixed: the same recording goes up.
    server.front.strict_checksums = False
    sdk, rest = clients(cap_app, http)
    done = resume_one(journal, sdk, http, rest=rest)
    assert done is not None
    assert_uploaded(cap_app, done, path)


def test_rest_metadata_as_a_json_string(cap_app: CapApp, http: httpx.Client) -> None:
    sdk, rest = clients(cap_app, http)
    created = sdk.create_video("m", metadata={"recording": "abc123", "n": 2})
    cap_app.server.store.metadata_as_string = True
    assert rest.get_video(created.video_id).metadata == {"recording": "abc123", "n": 2}
    listed = {v.id: v for v in rest.list_videos()}
    assert listed[created.video_id].metadata == {"recording": "abc123", "n": 2}
