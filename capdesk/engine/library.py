"""The Library without widgets: local recordings and their journals, Cap's video list,
thumbnails and the credit balance. The desktop Library window and ``capdesk library``
both use it; nothing here knows Qt.

Local recordings are the journals (``capdesk.engine.journal``): one per recording the
app made (or file it uploaded), newest first. Changing one (rename, delete, resume)
holds the recording's lock, so it never races an upload that is running; a recording
whose lock is held elsewhere is *busy* (being recorded or uploaded right now).

Cap calls go through ``connect.rest``, whose client shares the process-wide budget of
the secret key (``capdesk.cap.budget``) with every other client, uploads included.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any

import httpx

from capdesk import connect, paths
from capdesk.cap.budget import budget_for_key
from capdesk.cap.errors import CapError, NotFound
from capdesk.cap.models import (
    CREATE_MINIMUM_MICRO_CREDITS,
    MICRO_CREDITS_PER_MINUTE,
    Usage,
    Video,
    VideoStatus,
)
from capdesk.cap.rest import DEFAULT_LIMIT
from capdesk.engine import journal as journals
from capdesk.engine.in_use import is_locked
from capdesk.engine.journal import UNFINISHED_STATES, Journal, State
from capdesk.engine.outcome import charged_twice_note
from capdesk.errors import CapdeskError
from capdesk.upload import resume as resuming
from capdesk.upload.lock import lock_for
from capdesk.upload.uploader import UploadProgress

log = logging.getLogger(__name__)

Connector = Callable[[], connect.Connection]

MAX_NAME = 255  # Cap's limit for a video name; the local name keeps to it too
RECENTLY_WRITTEN = 10.0  # seconds: a recording file written this recently is still recording


class Busy(CapdeskError):
    """The recording is being recorded or uploaded right now."""


# -- local recordings ------------------------------------------------------------------------
class Status(StrEnum):
    """What the Library says about a recording's upload (``LocalItem.status``)."""

    RECORDING = "recording"
    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    INTERRUPTED = "interrupted"  # cut off (a crash): resume finishes it
    WAITING_NETWORK = "waiting-network"
    NEEDS_CREDITS = "needs-credits"
    FAILED = "failed"
    LOCAL = "local"  # recorded with uploads off
    DISCARDED = "discarded"
    DAMAGED = "damaged"  # its upload record cannot be read


STATUS_LABELS = {
    Status.RECORDING: "Recording…",
    Status.UPLOADING: "Uploading…",
    Status.UPLOADED: "Uploaded",
    Status.INTERRUPTED: "Upload interrupted",
    Status.WAITING_NETWORK: "Waiting for network",
    Status.NEEDS_CREDITS: "Needs credits",
    Status.FAILED: "Upload failed",
    Status.LOCAL: "Not uploaded",
    Status.DISCARDED: "Discarded",
    Status.DAMAGED: "Upload record damaged",
}

# How each status looks: ok, busy, warn, error or plain.
STATUS_TONES = {
    Status.RECORDING: "busy",
    Status.UPLOADING: "busy",
    Status.UPLOADED: "ok",
    Status.INTERRUPTED: "warn",
    Status.WAITING_NETWORK: "warn",
    Status.NEEDS_CREDITS: "warn",
    Status.FAILED: "error",
    Status.LOCAL: "plain",
    Status.DISCARDED: "plain",
    Status.DAMAGED: "error",
}

_REFUSALS = {
    State.KEY_REFUSED: "Cap refused the key",
    State.ORIGIN_REFUSED: "Cap refused this app's Origin",
}


@dataclass(frozen=True)
class LocalItem:
    """One local recording as the Library shows it (a snapshot)."""

    journal: Journal
    exists: bool
    size: int | None  # bytes on disk now (None: the file is gone)
    busy: bool  # its lock is held: it is being recorded or uploaded right now

    @property
    def id(self) -> str:
        return self.journal.id

    @property
    def name(self) -> str:
        return self.journal.name or Path(self.journal.spool_path).stem

    @property
    def file(self) -> Path:
        return Path(self.journal.spool_path)

    @property
    def created(self) -> datetime:
        return datetime.fromtimestamp(self.journal.created_at, UTC)

    @property
    def duration(self) -> float | None:
        return self.journal.duration_secs

    @property
    def share_url(self) -> str | None:
        return self.journal.share_url

    @property
    def status(self) -> Status:
        state = self.journal.state
        if state == State.COMPLETE:
            return Status.UPLOADED
        if state == State.LOCAL_ONLY:
            return Status.RECORDING if self.busy else Status.LOCAL
        if state == State.DISCARDED:
            return Status.DISCARDED
        if state == State.DAMAGED:
            return Status.DAMAGED
        if state in (State.RECORDING, State.UPLOADING):
            if self.busy:
                return Status.RECORDING if state == State.RECORDING else Status.UPLOADING
            return Status.INTERRUPTED
        if self.busy:  # a retry of a failed upload is running
            return Status.UPLOADING
        if state == State.WAITING_NETWORK:
            return Status.WAITING_NETWORK
        if state == State.NEEDS_CREDITS:
            return Status.NEEDS_CREDITS
        return Status.FAILED

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def tone(self) -> str:
        return STATUS_TONES[self.status]

    @property
    def reason(self) -> str:
        """Why the upload did not finish, in one line ("" when there is nothing to say)."""
        status = self.status
        j = self.journal
        if status == Status.NEEDS_CREDITS:
            if j.needed_micro_credits:
                return (f"It needs {j.needed_micro_credits:,} micro-credits; add credits in "
                        "Cap's developer dashboard, then retry.")
            return "Add credits in Cap's developer dashboard, then retry."
        if status == Status.DAMAGED:
            where = "The recording is kept" if self.exists else "The recording's file is gone"
            return (f"Its upload record cannot be read ({j.error}); it is kept as it is. "
                    f"{where}" + ("; `capdesk upload` sends it to Cap anew." if self.exists
                                  else "."))
        if status == Status.INTERRUPTED:
            return "The app stopped before the upload finished; Resume finishes it."
        if status in (Status.FAILED, Status.WAITING_NETWORK):
            text = first_sentence(j.error or "")
            refusal = _REFUSALS.get(j.state)
            if refusal and not text.startswith(refusal):
                text = f"{refusal}: {text}" if text else refusal
            return text or "The upload did not finish."
        if status == Status.LOCAL and not j.video_id:
            return "Recorded with uploads off; Upload sends it to Cap."
        if status == Status.UPLOADED and j.maybe_charged_twice:
            return charged_twice_note(j)
        return ""

    @property
    def can_resume(self) -> bool:
        """Resume, retry or first upload: the file is here and nothing holds it."""
        return (self.exists and not self.busy
                and (self.journal.state in UNFINISHED_STATES
                     or self.journal.state == State.LOCAL_ONLY))

    @property
    def resume_label(self) -> str:
        if self.journal.state == State.LOCAL_ONLY:
            return "Upload"
        if self.status in (Status.INTERRUPTED, Status.WAITING_NETWORK):
            return "Resume upload"
        return "Retry upload"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "file": str(self.file),
            "exists": self.exists,
            "bytes": self.size,
            "durationSecs": self.duration,
            "createdAt": self.created.isoformat(),
            "state": self.journal.state,
            "status": self.status,
            "busy": self.busy,
            "error": self.journal.error,
            "videoId": self.journal.video_id,
            "shareUrl": self.journal.share_url,
            "maybeChargedTwice": self.journal.maybe_charged_twice,
        }


def first_sentence(text: str) -> str:
    """``CapError.describe()`` text is "<what>: <message>. <hint>"; keep "<what>: <message>"."""
    what, sep, _hint = text.partition(". ")
    return (what + ".") if sep else text


def journal_path(journal_id: str) -> Path:
    if not journal_id or "/" in journal_id or "\\" in journal_id or journal_id.startswith("."):
        raise ValueError(f"not a recording id: {journal_id!r}")
    return paths.journals_dir() / f"{journal_id}.json"


def load(journal_id: str) -> Journal:
    return journals.load(journal_path(journal_id))


def is_busy(journal: Journal) -> bool:
    """Is the recording being recorded or uploaded right now (here or by another process)?"""
    recording = journal.state == State.RECORDING or (
        journal.state == State.LOCAL_ONLY and journal.final_size is None)
    if journal.state not in UNFINISHED_STATES and not recording:
        return False
    if recording and _recently_written(Path(journal.spool_path)):
        return True  # the lock of a recording that is just starting may not be taken yet
    return is_locked(journal)


def _recently_written(path: Path) -> bool:
    try:
        return time.time() - path.stat().st_mtime < RECENTLY_WRITTEN
    except OSError:
        return False


def item_for(journal: Journal) -> LocalItem:
    path = Path(journal.spool_path)
    try:
        size: int | None = path.stat().st_size if path.is_file() else None
    except OSError:
        size = None
    return LocalItem(journal, size is not None, size, is_busy(journal))


def scan(*, include_discarded: bool = False) -> list[LocalItem]:
    """Every local recording, newest first."""
    readable, damaged = journals.scan()
    items = [item_for(j) for j in readable if include_discarded or j.state != State.DISCARDED]
    items += [item_for(d.placeholder()) for d in damaged]
    items.sort(key=lambda item: item.journal.created_at, reverse=True)
    return items


@contextlib.contextmanager
def holding(journal_id: str) -> Iterator[Journal]:
    """Hold a recording's lock and yield its journal as it is on disk now."""
    journal = load(journal_id)
    lock = lock_for(journal)
    if not lock.acquire():
        raise Busy(f"“{journal.name or journal.id}” is being recorded or uploaded right now; "
                   "try again when it is done")
    try:
        yield journals.load(journal_path(journal_id))
    finally:
        lock.release()
        if journal.path is not None and not journal.path.exists():  # forgotten meanwhile
            with contextlib.suppress(OSError):  # removed only once unlocked (Windows)
                lock.path.unlink()


def clean_name(name: str) -> str:
    cleaned = " ".join(name.split())
    if not cleaned:
        raise ValueError("a name cannot be empty")
    if len(cleaned) > MAX_NAME:
        raise ValueError(f"a name can be at most {MAX_NAME} characters")
    return cleaned


def rename(journal_id: str, name: str) -> Journal:
    """Give a recording a new name in the Library. The file keeps its name (and path)."""
    new = clean_name(name)
    with holding(journal_id) as journal:
        journal.update(name=new)
        return journal


def _forget(journal: Journal) -> None:
    """Remove a recording's thumbnails and journal (``holding`` then removes its lock)."""
    for thumb in thumbnails_of(journal.id):
        thumb.unlink(missing_ok=True)
    if journal.path is not None:
        journal.path.unlink(missing_ok=True)


def delete_local(journal_id: str, *, sdk_abort: Callable[[str, str], None] | None = None
                 ) -> Journal | None:
    """Delete the local file; the Cap video stays.

    An uploaded recording stays in the Library (its link still works); one that never
    reached Cap is gone completely. An upload that had not finished can never finish
    without the file: it is aborted on Cap when ``sdk_abort`` is given (best effort).
    Returns the journal kept, or None when the recording was forgotten.
    """
    with holding(journal_id) as journal:
        Path(journal.spool_path).unlink(missing_ok=True)
        for thumb in thumbnails_of(journal.id):
            thumb.unlink(missing_ok=True)
        if journal.state == State.COMPLETE:
            return journal
        if sdk_abort is not None and journal.video_id and journal.upload_id:
            try:
                sdk_abort(journal.video_id, journal.upload_id)
            except CapError as exc:
                log.info("could not abort the upload of %s: %s", journal.id, exc.title)
        _forget(journal)
        return None


def delete_both(journal_id: str, delete_video: Callable[[str], None]) -> None:
    """Delete the video on Cap (soft delete, secret key), then the file and the journal.

    If Cap cannot be reached nothing local is deleted, so the two stay consistent.
    """
    with holding(journal_id) as journal:
        if journal.video_id:
            with contextlib.suppress(NotFound):  # already deleted on Cap
                delete_video(journal.video_id)
        Path(journal.spool_path).unlink(missing_ok=True)
        _forget(journal)


def resume(journal_id: str, connection: Connector = connect.current,
           on_progress: Callable[[UploadProgress], None] | None = None,
           give_up_after: float = 60.0) -> Journal:
    """Resume, retry or start the upload of one recording; blocks until it ends."""
    journal = load(journal_id)
    conn = connection()
    with connect.http_client() as http:
        sdk = connect.sdk(http, conn)
        rest = connect.rest(http, conn) if conn.secret_key else None
        done = resuming.resume_one(journal, sdk, http, rest=rest, on_progress=on_progress,
                                   give_up_after=give_up_after)
    if done is None:
        raise Busy(f"“{journal.name or journal.id}” is being uploaded right now")
    return done


# -- thumbnails --------------------------------------------------------------------------------
THUMB_WIDTH = 256  # pixels; shown at half that on a 2x screen, a quarter less on 1x
THUMB_AT = 1.0  # seconds into the video


def thumbnails_dir() -> Path:
    return paths.data_dir() / "thumbnails"


def thumbnails_of(journal_id: str) -> list[Path]:
    folder = thumbnails_dir()
    return sorted(folder.glob(f"{journal_id}-*.jpg")) if folder.exists() else []


def prune_thumbnails(keep: Iterable[str]) -> int:
    """Delete cached thumbnails of recordings no longer in the Library; returns how many."""
    folder = thumbnails_dir()
    if not folder.exists():
        return 0
    wanted = set(keep)
    removed = 0
    for path in folder.iterdir():
        if path.name.split("-", 1)[0] not in wanted:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def thumbnail_cache_path(item: LocalItem) -> Path | None:
    """Where this recording's thumbnail is cached: keyed by id, size and change time."""
    try:
        stat = item.file.stat()
    except OSError:
        return None
    stamp = hashlib.sha1(f"{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:10]
    return thumbnails_dir() / f"{item.id}-{stamp}.jpg"


def thumbnail(item: LocalItem) -> Path | None:
    """The cached thumbnail of a recording, made now if missing (blocking: run it in a
    worker). None when the file is gone, still being recorded, or unreadable."""
    if not item.exists or item.status == Status.RECORDING:
        return None
    target = thumbnail_cache_path(item)
    if target is None:
        return None
    if target.exists():
        return target
    try:
        data = grab_frame_jpeg(item.file, at=THUMB_AT, width=THUMB_WIDTH)
    except Exception as exc:  # any unreadable file just has no thumbnail
        log.info("no thumbnail for %s: %s", item.file.name, exc)
        return None
    if data is None:
        return None
    for old in thumbnails_of(item.id):
        old.unlink(missing_ok=True)
    paths.private_once(target.parent)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target


def grab_frame_jpeg(path: Path, *, at: float = THUMB_AT, width: int = THUMB_WIDTH
                    ) -> bytes | None:
    """A JPEG of the frame at ``at`` seconds (the last one for a shorter video)."""
    import av  # PyAV is heavy to import; only the thumbnail worker needs it

    with av.open(str(path)) as container:
        if not container.streams.video:
            return None
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        base = stream.time_base or Fraction(1, 90000)
        start = stream.start_time or 0
        chosen = None
        with contextlib.suppress(av.error.FFmpegError):
            for frame in container.decode(stream):
                chosen = frame
                if frame.pts is not None and (frame.pts - start) * base >= at:
                    break
        if chosen is None:
            return None
        src_w, src_h = chosen.width, chosen.height
        height = max(2, round(width * src_h / src_w / 2) * 2)
        small = chosen.reformat(width=width, height=height, format="yuvj420p",
                                interpolation="AREA")
        codec = av.CodecContext.create("mjpeg", "w")
        codec.width, codec.height = width, height
        codec.pix_fmt = "yuvj420p"
        codec.time_base = Fraction(1, 25)
        codec.options = {"q:v": "3"}
        packets = list(codec.encode(small)) + list(codec.encode(None))
        data = b"".join(bytes(p) for p in packets)
        return data or None


# -- Cap videos --------------------------------------------------------------------------------
def share_url(base_url: str, video_id: str) -> str:
    """A Cap video's share link: ``{base}/dev/{id}``."""
    return f"{base_url.rstrip('/')}/dev/{video_id}"


def is_settled(video: Video) -> bool:
    """Nothing more to wait for: ready, and not in the middle of transcribing."""
    return video.ready and video.transcription_status != "PROCESSING"


def with_status(video: Video, status: VideoStatus) -> Video:
    """The list's video updated with a fresher ``status`` answer."""
    return replace(video, duration=status.duration, width=status.width, height=status.height,
                   transcription_status=status.transcription_status)


@dataclass
class VideoPager:
    """The Cap list, page by page (limit/offset; the end is a page shorter than the limit).

    Each id is kept once: a video created while paging shifts the newest-first list,
    so the next page repeats one. A video deleted from the loaded part shifts the rest
    the other way, so the offset goes back by one for each (``removed``).
    """

    user_id: str | None = None
    page_size: int = DEFAULT_LIMIT
    videos: list[Video] = field(default_factory=list)
    offset: int = 0
    at_end: bool = False

    def __post_init__(self) -> None:
        self._ids = {v.id for v in self.videos}

    def accept(self, offset: int, page: list[Video]) -> list[Video]:
        """Take in the page asked for at ``offset`` and return the videos new to the list,
        for the caller to append to ``videos`` (a model announces them first)."""
        if offset != self.offset or self.at_end:
            return []  # a stale answer (the list moved on meanwhile)
        self.offset += len(page)
        if len(page) < self.page_size:
            self.at_end = True
        fresh = []
        for video in page:
            if video.id not in self._ids:
                self._ids.add(video.id)
                fresh.append(video)
        return fresh

    def add_page(self, offset: int, page: list[Video]) -> list[Video]:
        """``accept`` and append."""
        fresh = self.accept(offset, page)
        self.videos.extend(fresh)
        return fresh

    def index_of(self, video_id: str) -> int | None:
        for index, video in enumerate(self.videos):
            if video.id == video_id:
                return index
        return None

    def removed(self, video_id: str) -> int | None:
        """A video was deleted on Cap; returns its index in the list, if it was there."""
        index = self.index_of(video_id)
        if index is None:
            return None
        del self.videos[index]
        self._ids.discard(video_id)
        self.offset = max(0, self.offset - 1)
        return index

    def update_video(self, video: Video) -> int | None:
        index = self.index_of(video.id)
        if index is not None:
            self.videos[index] = video
        return index


class StatusSchedule:
    """Which videos to ask ``status`` about now: only the ones on screen that are not
    settled, a few at a time, each no more often than every ``min_interval`` seconds."""

    def __init__(self, min_interval: float = 10.0, per_round: int = 2,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.min_interval = min_interval
        self.per_round = per_round
        self._clock = clock
        self._checked: dict[str, float] = {}

    def seen(self, video_id: str) -> None:
        """The video's state is fresh now (it came in a page or a status answer)."""
        self._checked[video_id] = self._clock()

    def pick(self, visible: Iterable[Video]) -> list[str]:
        now = self._clock()
        due = [(self._checked.get(v.id, -math.inf), v.id) for v in visible
               if not is_settled(v)
               and now - self._checked.get(v.id, -math.inf) >= self.min_interval]
        due.sort()  # the longest unchecked first
        chosen = [video_id for _, video_id in due[:self.per_round]]
        for video_id in chosen:
            self._checked[video_id] = now
        return chosen


STATUS_RESERVE = 20  # requests a minute a status refresh always leaves to everything else


class CapLibrary:
    """Cap's side of the Library: one HTTP client, the keys read fresh for every call.

    Blocking: call it from worker threads. Every call goes through ``connect.rest``, so
    it spends from the secret key's process-wide request budget.
    """

    def __init__(self, connection: Connector = connect.current) -> None:
        self._connection = connection
        self._http: httpx.Client | None = None
        self._lock = threading.Lock()

    def _client(self) -> httpx.Client:
        with self._lock:
            if self._http is None:
                self._http = connect.http_client()
            return self._http

    def connection(self) -> connect.Connection:
        return self._connection()

    def page(self, user_id: str | None, offset: int, limit: int) -> list[Video]:
        conn = self._connection()
        return connect.rest(self._client(), conn).list_videos(user_id=user_id or None,
                                                               limit=limit, offset=offset)

    def status(self, video_id: str) -> VideoStatus:
        return connect.rest(self._client(), self._connection()).video_status(video_id)

    def spare_requests(self) -> int:
        """Requests the secret key's budget still has in this minute (shared with uploads)."""
        key = (self._connection().secret_key or "").strip()
        if not key:
            return 0
        budget = budget_for_key(key)
        return budget.limit - budget.used()

    def status_if_spare(self, video_id: str, reserve: int = STATUS_RESERVE
                        ) -> VideoStatus | None:
        """``status``, unless the budget is running low: a refresh can always wait."""
        if self.spare_requests() < reserve:
            return None
        return self.status(video_id)

    def delete(self, video_id: str) -> None:
        connect.rest(self._client(), self._connection()).delete_video(video_id)

    def usage(self) -> Usage:
        return connect.rest(self._client(), self._connection()).usage()

    def abort_upload(self, video_id: str, upload_id: str) -> None:
        connect.sdk(self._client(), self._connection()).abort_upload(video_id, upload_id)

    def close(self) -> None:
        with self._lock:
            if self._http is not None:
                self._http.close()
                self._http = None


# -- credits -----------------------------------------------------------------------------------
TYPICAL_RECORDING_MINUTES = 5
LOW_BALANCE_MICRO_CREDITS = TYPICAL_RECORDING_MINUTES * MICRO_CREDITS_PER_MINUTE


@dataclass(frozen=True)
class Credits:
    """The balance in words: ``level`` is ok, low (under a typical recording) or empty
    (too low to create a video)."""

    usage: Usage
    level: str
    minutes_left: float
    balance: str  # "$12.34"
    summary: str  # "$12.34 · about 246 minutes of recording"
    totals: str  # "120 videos · 1,234 minutes on Cap"
    note: str | None  # the warning to show before recording, if any


def describe_credits(usage: Usage) -> Credits:
    micro = usage.balance_micro_credits
    minutes = max(0.0, micro / MICRO_CREDITS_PER_MINUTE)
    balance = f"${usage.balance_dollars:,.2f}"
    if minutes >= 1:
        left = f"about {minutes:,.0f} minute{'s' if round(minutes) != 1 else ''} of recording"
    else:
        left = "less than a minute of recording"
    videos = f"{usage.total_videos:,} video{'s' if usage.total_videos != 1 else ''}"
    totals = f"{videos} · {usage.total_duration_minutes:,.0f} minutes on Cap"
    if micro < CREATE_MINIMUM_MICRO_CREDITS:
        level = "empty"
        note = (f"Your Cap balance is too low to create videos ({balance}). You can still "
                "record: recordings are kept on this computer and upload from the Library "
                "once you add credits in Cap's developer dashboard.")
    elif micro < LOW_BALANCE_MICRO_CREDITS:
        level = "low"
        note = (f"Your Cap balance is low: {left} left ({balance}). A longer recording "
                "will wait in the Library until you add credits.")
    else:
        level, note = "ok", None
    return Credits(usage, level, minutes, balance, f"{balance} · {left}", totals, note)
