"""The per-recording journal: the upload's memory across crashes and reboots.

One small JSON file per recording, replaced atomically (``fileio.write_json_atomic``)
every time a step completes, so after a crash the upload resumes exactly where it
stood: parts with an ETag are confirmed and never sent again; parts without one
were planned (their byte range is fixed) and are sent again.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from capdesk import paths
from capdesk.fileio import read_json, write_json_atomic

VERSION = 1


class State(StrEnum):
    """Where a recording's upload stands (the journal's ``state``)."""

    RECORDING = "recording"  # still capturing; parts go up as they are durable
    UPLOADING = "uploading"  # capture finished; tail and complete pending
    WAITING_NETWORK = "waiting-network"  # gave up for now on network/server errors
    NEEDS_CREDITS = "needs-credits"  # 402 at create or complete
    KEY_REFUSED = "key-refused"  # 401: fix the key, then resume
    ORIGIN_REFUSED = "origin-refused"  # 403: fix the Origin, then resume
    FAILED = "failed"  # something else; see ``error``
    COMPLETE = "complete"  # Cap has the whole video
    LOCAL_ONLY = "local-only"  # recorded with uploads off
    DISCARDED = "discarded"  # the user threw it away; the upload was aborted
    DAMAGED = "damaged"  # the journal file cannot be read (shown, kept, never rewritten)



UNFINISHED_STATES = frozenset({
    State.RECORDING, State.UPLOADING, State.WAITING_NETWORK, State.NEEDS_CREDITS,
    State.KEY_REFUSED, State.ORIGIN_REFUSED, State.FAILED,
})
FINAL_STATES = frozenset({State.COMPLETE, State.DISCARDED})  # nothing more happens to these


@dataclass
class Part:
    number: int
    offset: int
    size: int
    etag: str | None = None  # None: planned but not confirmed

    @property
    def end(self) -> int:
        return self.offset + self.size


@dataclass
class Journal:
    id: str
    spool_path: str
    state: State = State.RECORDING
    name: str | None = None
    user_id: str | None = None
    metadata: dict[str, Any] | None = None
    content_type: str = "video/mp4"
    video_id: str | None = None
    share_url: str | None = None
    embed_url: str | None = None
    s3_key: str | None = None
    upload_id: str | None = None
    parts: list[Part] = field(default_factory=list)
    final_size: int | None = None  # known once the recording has stopped
    duration_secs: float | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    error: str | None = None
    needed_micro_credits: int | None = None
    created_at: float = field(default_factory=time.time)
    completed_at: float | None = None
    complete_call_secs: float | None = None  # how long the successful complete took
    # A ``complete`` was sent and its outcome is not settled yet (a lost or unusable
    # answer, a crash): the next attempt must first ask whether it went through.
    complete_sent: bool = False
    # Cap answered a ``complete`` with a 5xx: it debits before asking S3 to finish, so
    # that attempt may have been charged even though the upload stayed open.
    complete_server_error: bool = False
    # ``complete`` was called again after such a 5xx: Cap may have charged twice.
    maybe_charged_twice: bool = False
    extra_videos_removed: int = 0  # empty videos a retried create left, deleted again
    version: int = VERSION
    path: Path | None = field(default=None, repr=False, compare=False)
    _lock: threading.Lock = field(
        default_factory=threading.Lock, repr=False, compare=False
    )

    @classmethod
    def new(cls, spool_path: Path, **fields: Any) -> Journal:
        journal = cls(id=uuid.uuid4().hex[:16], spool_path=str(spool_path), **fields)
        journal.path = paths.journals_dir() / f"{journal.id}.json"
        return journal

    # -- persistence -------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        data = {
            f.name: getattr(self, f.name)
            for f in dataclasses.fields(self)
            if f.name not in ("path", "_lock", "parts")
        }
        data["parts"] = [dataclasses.asdict(p) for p in self.parts]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], path: Path | None = None) -> Journal:
        known = {f.name for f in dataclasses.fields(cls)} - {"path", "_lock", "parts"}
        journal = cls(**{k: v for k, v in data.items() if k in known})
        journal.state = State(journal.state)  # ValueError for a state no version wrote
        journal.parts = [Part(**p) for p in data.get("parts", [])]
        journal.path = path
        return journal

    def save(self) -> None:
        """Replace the journal on disk atomically (thread-safe)."""
        if self.state == State.DAMAGED:
            raise RuntimeError("a damaged upload record is kept as it is, never rewritten")
        with self._lock:
            if self.path is None:
                self.path = paths.journals_dir() / f"{self.id}.json"
            paths.private_once(self.path.parent)
            write_json_atomic(self.path, self.to_json())

    def update(self, **changes: Any) -> None:
        with self._lock:
            for key, value in changes.items():
                setattr(self, key, value)
        self.save()

    # -- parts ---------------------------------------------------------------
    def planned_end(self) -> int:
        """The first byte not yet assigned to a part."""
        return max((p.end for p in self.parts), default=0)

    def confirmed_bytes(self) -> int:
        return sum(p.size for p in self.parts if p.etag)

    def unconfirmed(self) -> list[Part]:
        return [p for p in self.parts if not p.etag]

    def plan_part(self, offset: int, size: int) -> Part:
        with self._lock:
            part = Part(number=len(self.parts) + 1, offset=offset, size=size)
            self.parts.append(part)
        self.save()
        return part

    def confirm(self, part: Part, etag: str) -> None:
        with self._lock:
            part.etag = etag
        self.save()


def load(path: Path) -> Journal:
    return Journal.from_json(read_json(path), path)


@dataclass(frozen=True)
class DamagedJournal:
    """A journal file that cannot be read. It is reported and kept, never deleted."""

    path: Path
    problem: str
    spool_path: str | None  # the recording it names, if that much can be read

    def placeholder(self) -> Journal:
        """A read-only stand-in for lists (state ``damaged``; ``save`` refuses it)."""
        journal = Journal(id=self.path.stem, spool_path=self.spool_path or "",
                          state=State.DAMAGED, error=self.problem)
        journal.created_at = self.path.stat().st_mtime if self.path.exists() else 0.0
        return journal

    def warning(self) -> str:
        where = f" for {self.spool_path}" if self.spool_path else ""
        return (f"the upload record {self.path}{where} is damaged ({self.problem}); it is "
                "kept as it is, and the recording can be uploaded anew with `capdesk upload`")


_SPOOL_PATH = re.compile(r'"spool_path"\s*:\s*"((?:[^"\\]|\\.)*)"')


def _damaged(path: Path, exc: Exception) -> DamagedJournal:
    problem = (f"not valid JSON: {exc.msg} at line {exc.lineno}"
               if isinstance(exc, json.JSONDecodeError) else
               f"{type(exc).__name__}: {exc}")
    spool: str | None = None
    try:
        found = _SPOOL_PATH.search(path.read_text(encoding="utf-8", errors="replace"))
        if found:
            spool = json.loads(f'"{found.group(1)}"')
    except (OSError, ValueError):
        spool = None
    return DamagedJournal(path, problem, spool)


def scan() -> tuple[list[Journal], list[DamagedJournal]]:
    """Every journal, newest first, and the journal files that cannot be read."""
    folder = paths.journals_dir()
    if not folder.exists():
        return [], []
    journals, damaged = [], []
    for path in sorted(folder.glob("*.json")):
        try:
            journal = load(path)
            if not isinstance(journal.spool_path, str) or not isinstance(journal.state, str):
                raise TypeError("the recording's file or state is missing")
            journals.append(journal)
        except FileNotFoundError:
            continue  # forgotten meanwhile
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            damaged.append(_damaged(path, exc))
    journals.sort(key=lambda j: j.created_at, reverse=True)
    return journals, damaged


def all_journals() -> list[Journal]:
    """Every readable journal, newest first (see ``scan`` for the damaged ones)."""
    return scan()[0]


def damaged_journals() -> list[DamagedJournal]:
    return scan()[1]
