"""capdesk.engine.library without Qt or a server: states, local changes under the recording's
lock, thumbnails, Cap paging, the lazy status schedule, credits in words."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from capdesk import connect
from capdesk.cap.budget import budget_for_key
from capdesk.cap.errors import CapNetworkError, NotFound
from capdesk.cap.models import Usage, Video
from capdesk.engine import journal as journals
from capdesk.engine import library
from capdesk.engine.journal import Journal, State
from capdesk.engine.library import Busy, LocalItem, Status, StatusSchedule, VideoPager
from capdesk.upload.lock import lock_for
from tests.ui.library_helpers import make_clip


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CAPDESK_HOME", str(tmp_path / "home"))
    return tmp_path


def recording(tmp_path: Path, state: str, *, name: str = "demo", content: bytes = b"x" * 100,
              created_at: float | None = None, old_file: bool = True, **fields: Any
              ) -> Journal:
    path = tmp_path / f"{name}.mp4"
    if content:
        path.write_bytes(content)
        if old_file:  # not "just written": a recording in progress is told by its lock
            os.utime(path, (time.time() - 60, time.time() - 60))
    journal = Journal.new(path, name=name, state=state,
                          created_at=created_at or time.time(), **fields)
    journal.save()
    return journal


# -- states ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("state", "busy", "status", "tone", "resumable", "action"), [
    (State.COMPLETE, False, Status.UPLOADED, "ok", False, "Retry upload"),
    (State.UPLOADING, True, Status.UPLOADING, "busy", False, "Retry upload"),
    (State.RECORDING, True, Status.RECORDING, "busy", False, "Retry upload"),
    (State.UPLOADING, False, Status.INTERRUPTED, "warn", True, "Resume upload"),
    (State.WAITING_NETWORK, False, Status.WAITING_NETWORK, "warn", True, "Resume upload"),
    (State.NEEDS_CREDITS, False, Status.NEEDS_CREDITS, "warn", True, "Retry upload"),
    (State.KEY_REFUSED, False, Status.FAILED, "error", True, "Retry upload"),
    (State.ORIGIN_REFUSED, False, Status.FAILED, "error", True, "Retry upload"),
    (State.FAILED, True, Status.UPLOADING, "busy", False, "Retry upload"),
    (State.LOCAL_ONLY, False, Status.LOCAL, "plain", True, "Upload"),
])
def test_every_state_has_a_status_a_tone_and_an_action(
        tmp_path: Path, state: State, busy: bool, status: Status, tone: str, resumable: bool,
        action: str) -> None:
    journal = recording(tmp_path, state, final_size=100)
    item = LocalItem(journal, exists=True, size=100, busy=busy)
    assert (item.status, item.tone, item.can_resume) == (status, tone, resumable)
    if resumable:
        assert item.resume_label == action
    assert item.label == library.STATUS_LABELS[status]
    assert not LocalItem(journal, exists=False, size=None, busy=False).can_resume


def test_reasons_are_one_plain_line(tmp_path: Path) -> None:
    refused = recording(tmp_path, State.KEY_REFUSED, name="a", error=(
        "Cap refused the key: Invalid or revoked public key. Copy the key again from Cap"))
    assert library.item_for(refused).reason == (
        "Cap refused the key: Invalid or revoked public key.")
    origin = recording(tmp_path, State.ORIGIN_REFUSED, name="b", error="Origin not allowed")
    assert library.item_for(origin).reason == "Cap refused this app's Origin: Origin not allowed"
    credits = recording(tmp_path, State.NEEDS_CREDITS, name="c", needed_micro_credits=12_500)
    assert "12,500 micro-credits" in library.item_for(credits).reason
    cut = recording(tmp_path, State.UPLOADING, name="d")
    assert "Resume" in library.item_for(cut).reason
    local = recording(tmp_path, State.LOCAL_ONLY, name="e")
    assert "uploads off" in library.item_for(local).reason
    done = recording(tmp_path, State.COMPLETE, name="f", share_url="https://cap.so/dev/f")
    assert library.item_for(done).reason == ""


def test_scan_is_newest_first_hides_discarded_and_sees_locks(tmp_path: Path) -> None:
    old = recording(tmp_path, State.COMPLETE, name="old", created_at=1000.0)
    gone = recording(tmp_path, State.COMPLETE, name="gone", created_at=2000.0)
    Path(gone.spool_path).unlink()
    recording(tmp_path, State.DISCARDED, name="thrown", created_at=3000.0, content=b"")
    busy = recording(tmp_path, State.UPLOADING, name="busy", created_at=4000.0)
    lock = lock_for(busy)
    assert lock.acquire()
    try:
        items = library.scan()
        assert [i.name for i in items] == ["busy", "gone", "old"]
        assert items[0].busy and items[0].status == Status.UPLOADING
        assert (items[1].exists, items[1].size) == (False, None)
        assert (items[2].exists, items[2].size) == (True, 100)
        assert [i.name for i in library.scan(include_discarded=True)][1] == "thrown"
        with pytest.raises(Busy):
            library.rename(busy.id, "new name")
    finally:
        lock.release()
    assert library.scan()[0].status == Status.INTERRUPTED
    assert old.id in {i.id for i in library.scan()}


def test_a_recording_just_starting_counts_as_busy_before_its_lock(tmp_path: Path) -> None:
    journal = recording(tmp_path, State.RECORDING, old_file=False)
    assert library.item_for(journal).status == Status.RECORDING
    local = recording(tmp_path, State.LOCAL_ONLY, name="local", old_file=False)
    assert library.item_for(local).status == Status.RECORDING  # no final size yet
    local.update(final_size=100)
    assert library.item_for(local).status == Status.LOCAL


def test_json_for_the_command_line(tmp_path: Path) -> None:
    journal = recording(tmp_path, State.COMPLETE, video_id="v1", share_url="https://c/dev/v1",
                        duration_secs=4.5, created_at=1_700_000_000.0)
    data = library.item_for(journal).to_json()
    assert data == {
        "id": journal.id, "name": "demo", "file": journal.spool_path, "exists": True,
        "bytes": 100, "durationSecs": 4.5, "createdAt": "2023-11-14T22:13:20+00:00",
        "state": "complete", "status": "uploaded", "busy": False, "error": None,
        "videoId": "v1", "shareUrl": "https://c/dev/v1", "maybeChargedTwice": False,
    }


# -- changes -----------------------------------------------------------------------------------
def test_rename_keeps_the_file_and_cleans_the_name(tmp_path: Path) -> None:
    journal = recording(tmp_path, State.COMPLETE)
    renamed = library.rename(journal.id, "  Team   sync\n")
    assert renamed.name == "Team sync"
    assert library.load(journal.id).name == "Team sync"
    assert library.load(journal.id).spool_path == journal.spool_path
    assert Path(journal.spool_path).exists()
    with pytest.raises(ValueError, match="empty"):
        library.rename(journal.id, "   ")
    with pytest.raises(ValueError, match="255"):
        library.rename(journal.id, "x" * 256)
    with pytest.raises(ValueError):
        library.load("../escape")


def test_delete_local_keeps_an_uploaded_recording_and_forgets_the_rest(tmp_path: Path) -> None:
    done = recording(tmp_path, State.COMPLETE, name="done", video_id="v1")
    thumb = library.thumbnails_dir() / f"{done.id}-abc.jpg"
    thumb.parent.mkdir(parents=True)
    thumb.write_bytes(b"jpg")
    assert library.delete_local(done.id) is not None
    assert not Path(done.spool_path).exists() and not thumb.exists()
    assert library.load(done.id).state == State.COMPLETE  # the link is still listed

    local = recording(tmp_path, State.LOCAL_ONLY, name="local")
    assert library.delete_local(local.id) is None
    assert local.path is not None and not local.path.exists()
    assert not local.path.with_suffix(".lock").exists()

    aborted: list[tuple[str, str]] = []

    def abort(video_id: str, upload_id: str) -> None:
        aborted.append((video_id, upload_id))
        raise CapNetworkError("offline")  # best effort: the file goes anyway

    stuck = recording(tmp_path, State.WAITING_NETWORK, name="stuck", video_id="v2",
                      upload_id="u2")
    assert library.delete_local(stuck.id, sdk_abort=abort) is None
    assert aborted == [("v2", "u2")]
    assert [j.id for j in journals.all_journals()] == [done.id]


def test_delete_both_deletes_on_cap_first(tmp_path: Path) -> None:
    journal = recording(tmp_path, State.COMPLETE, video_id="v1")

    def offline(_video_id: str) -> None:
        raise CapNetworkError("could not connect")

    with pytest.raises(CapNetworkError):
        library.delete_both(journal.id, offline)
    assert Path(journal.spool_path).exists() and library.load(journal.id)  # nothing lost

    deleted: list[str] = []
    library.delete_both(journal.id, deleted.append)
    assert deleted == ["v1"]
    assert not Path(journal.spool_path).exists() and journals.all_journals() == []

    again = recording(tmp_path, State.COMPLETE, name="again", video_id="v9")

    def gone(_video_id: str) -> None:
        raise NotFound(404, "Video not found")

    library.delete_both(again.id, gone)  # already deleted on Cap: fine
    assert journals.all_journals() == []


# -- thumbnails --------------------------------------------------------------------------------
def test_thumbnail_is_made_once_cached_and_redone_when_the_file_changes(
        tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "clip.mp4", seconds=1.5, size=(320, 180))
    journal = Journal.new(clip, name="clip", state=State.COMPLETE, final_size=1)
    journal.save()
    item = library.item_for(journal)
    thumb = library.thumbnail(item)
    assert thumb is not None and thumb.parent == library.thumbnails_dir()
    data = thumb.read_bytes()
    assert data[:2] == b"\xff\xd8" and len(data) > 500  # a JPEG
    made = thumb.stat().st_mtime_ns
    assert library.thumbnail(library.item_for(journal)) == thumb
    assert thumb.stat().st_mtime_ns == made  # from the cache

    make_clip(clip, seconds=1.0, palette="green")  # the file changed
    again = library.thumbnail(library.item_for(journal))
    assert again is not None and again != thumb and not thumb.exists()

    clip.unlink()
    assert library.thumbnail(library.item_for(journal)) is None
    broken = recording(tmp_path, State.COMPLETE, name="broken", content=b"not a video" * 50)
    assert library.thumbnail(library.item_for(broken)) is None


def test_thumbnails_of_forgotten_recordings_are_pruned(tmp_path: Path) -> None:
    folder = library.thumbnails_dir()
    folder.mkdir(parents=True)
    for name in ("keep-1.jpg", "gone-1.jpg", "gone-2.jpg"):
        (folder / name).write_bytes(b"jpg")
    assert library.prune_thumbnails(["keep"]) == 2
    assert [p.name for p in folder.iterdir()] == ["keep-1.jpg"]


def test_grab_frame_of_a_clip_shorter_than_a_second(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "short.mp4", seconds=0.3, size=(160, 90))
    data = library.grab_frame_jpeg(clip, at=1.0, width=64)
    assert data is not None and data[:2] == b"\xff\xd8"


# -- Cap paging --------------------------------------------------------------------------------
def video(video_id: str, *, ready: bool = True, transcript: str | None = None) -> Video:
    return Video(id=video_id, app_id="app", external_user_id=None, name=video_id,
                 duration=10.0 if ready else None, width=1920 if ready else None,
                 height=1080, fps=30.0, s3_key=None, transcription_status=transcript,
                 metadata=None, deleted_at=None, created_at=None, updated_at=None)


class FakeList:
    """Cap's newest-first list, with videos added at the front and deleted anywhere."""

    def __init__(self, count: int) -> None:
        self.ids = [f"v{i}" for i in range(count, 0, -1)]
        self.new = 0

    def page(self, offset: int, limit: int) -> list[Video]:
        return [video(i) for i in self.ids[offset:offset + limit]]

    def add(self) -> None:
        self.new += 1
        self.ids.insert(0, f"new{self.new}")


def load_all(pager: VideoPager, server: FakeList, between: Any = None) -> None:
    while not pager.at_end:
        pager.add_page(pager.offset, server.page(pager.offset, pager.page_size))
        if between:
            between()


def test_pager_ends_on_a_short_page_and_on_an_empty_one() -> None:
    server = FakeList(25)
    pager = VideoPager(page_size=10)
    load_all(pager, server)
    assert [v.id for v in pager.videos] == server.ids and pager.offset == 25
    exact = VideoPager(page_size=5)
    load_all(exact, server)  # 25 = 5 pages of 5, then an empty one
    assert len(exact.videos) == 25 and exact.at_end


def test_pager_keeps_each_video_once_when_new_ones_arrive_while_paging() -> None:
    server = FakeList(30)
    start = list(server.ids)
    pager = VideoPager(page_size=10)
    load_all(pager, server, between=server.add)
    assert [v.id for v in pager.videos] == start  # shifted pages repeat, never twice


def test_pager_skips_nothing_after_a_delete() -> None:
    server = FakeList(30)
    pager = VideoPager(page_size=10)
    pager.add_page(0, server.page(0, 10))
    for victim in ("v28", "v25"):  # delete two loaded videos on Cap
        server.ids.remove(victim)
        assert pager.removed(victim) is not None
    assert pager.offset == 8
    load_all(pager, server)
    assert [v.id for v in pager.videos] == server.ids  # nothing skipped, nothing twice
    assert pager.removed("unknown") is None


def test_pager_ignores_a_stale_page() -> None:
    pager = VideoPager(page_size=2)
    assert pager.add_page(0, [video("a"), video("b")])
    assert pager.add_page(0, [video("a"), video("b")]) == []  # asked twice: once is enough
    assert pager.offset == 2


# -- lazy status -------------------------------------------------------------------------------
def test_status_schedule_picks_few_unsettled_visible_rows_and_waits_between() -> None:
    now = [100.0]
    schedule = StatusSchedule(min_interval=10.0, per_round=2, clock=lambda: now[0])
    rows = [video("ready"), video("p1", ready=False), video("p2", ready=False),
            video("p3", ready=False), video("t1", transcript="PROCESSING"),
            video("done", transcript="COMPLETE")]
    schedule.seen("p3")
    assert schedule.pick(rows) == ["p1", "p2"]
    assert schedule.pick(rows) == ["t1"]  # p3 was fresh; p1, p2 just asked
    now[0] += 5
    assert schedule.pick(rows) == []
    now[0] += 5
    assert sorted(schedule.pick(rows)) == ["p1", "p2"]
    assert library.is_settled(rows[0]) and library.is_settled(rows[5])
    assert not library.is_settled(rows[4])


def test_status_refresh_waits_when_the_budget_is_low(monkeypatch: pytest.MonkeyPatch) -> None:
    key = "csk_" + os.urandom(8).hex()
    conn = connect.Connection(base_url="https://cap.example.com", origin=None, public_key=None,
                              secret_key=key)
    cap = library.CapLibrary(lambda: conn)
    asked: list[str] = []
    monkeypatch.setattr(cap, "status", lambda video_id: asked.append(video_id))
    budget = budget_for_key(key)
    assert cap.spare_requests() == budget.limit
    for _ in range(budget.limit - library.STATUS_RESERVE + 1):
        budget.acquire()  # an upload is busy with the same key
    assert cap.status_if_spare("v1") is None and asked == []
    cap.close()
    no_key = library.CapLibrary(lambda: connect.Connection("https://x.example", None, None,
                                                           None))
    assert no_key.spare_requests() == 0


def test_share_url() -> None:
    assert library.share_url("https://cap.so/", "abc") == "https://cap.so/dev/abc"


# -- credits -----------------------------------------------------------------------------------
def usage(micro: int) -> Usage:
    return Usage(balance_micro_credits=micro, balance_dollars=micro / 100_000,
                 total_videos=3, total_duration_minutes=12.4)


@pytest.mark.parametrize(("micro", "level"), [
    (0, "empty"), (4_999, "empty"), (5_000, "low"), (24_999, "low"), (25_000, "ok"),
    (10_000_000, "ok"),
])
def test_credit_levels(micro: int, level: str) -> None:
    credits = library.describe_credits(usage(micro))
    assert credits.level == level
    assert (credits.note is None) == (level == "ok")


def test_credit_words() -> None:
    ok = library.describe_credits(usage(1_234_500))
    assert ok.balance == "$12.35"
    assert ok.summary == "$12.35 · about 247 minutes of recording"
    assert ok.totals == "3 videos · 12 minutes on Cap"
    low = library.describe_credits(usage(10_000))
    assert low.note is not None and "about 2 minutes of recording left" in low.note
    empty = library.describe_credits(usage(3_000))
    assert empty.note is not None and "too low to create videos" in empty.note
    assert "You can still record" in empty.note
    assert empty.summary.endswith("less than a minute of recording")
