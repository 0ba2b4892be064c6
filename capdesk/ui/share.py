"""What the app shows about a finished recording: the ``Share`` card model (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from capdesk.engine import Journal
from capdesk.engine import JournalState as State
from capdesk.ui import wording


@dataclass
class Share:
    journal: Journal
    file: Path
    link: str | None
    state: str  # the journal state
    headline: str
    detail: str = ""  # what happened, in plain words
    hint: str = ""  # how to fix it
    status_line: str = ""  # after complete: processing, ready, transcription
    can_retry: bool = False
    retry_label: str = "Retry upload"  # "Upload now" for a recording that never tried
    fix_in_settings: bool = False
    duration: float | None = None
    size_bytes: int | None = None

    @property
    def embed_code(self) -> str:
        """An iframe of the video's embed page ("" before the video exists on Cap)."""
        url = self.journal.embed_url if self.link else None
        if not url:
            return ""
        title = escape(self.journal.name or "Cap video", quote=True)
        return (f'<iframe src="{escape(url, quote=True)}" width="640" height="360" '
                f'title="{title}" frameborder="0" allowfullscreen></iframe>')

    @property
    def ok(self) -> bool:
        return self.state in (State.COMPLETE, State.LOCAL_ONLY)

    def facts(self) -> str:
        """``0:42 · 12.3 MB · 1920×1080``"""
        bits = []
        duration = self.duration if self.duration is not None else self.journal.duration_secs
        if duration is not None:
            bits.append(wording.clock(duration))
        size = self.size_bytes if self.size_bytes is not None else self.journal.final_size
        if size:
            bits.append(wording.size(size))
        if self.journal.width and self.journal.height:
            bits.append(f"{self.journal.width}×{self.journal.height}")
        return " · ".join(bits)


def share_from_journal(journal: Journal, *, upload_note: str | None = None,
                       duration: float | None = None,
                       size_bytes: int | None = None) -> Share:
    state = journal.state
    share = Share(
        journal=journal,
        file=Path(journal.spool_path),
        link=journal.share_url if state == State.COMPLETE else None,
        state=state,
        headline=wording.STATE_HEADLINES.get(state, state),
        duration=duration,
        size_bytes=size_bytes,
    )
    if state == State.COMPLETE:
        share.headline = "Your link is ready"
        share.status_line = "Uploaded"
    elif state == State.LOCAL_ONLY:
        share.detail = wording.for_people(upload_note or "Uploads are off.")
        share.hint = f"The video is in {share.file}."
    else:
        share.detail, share.hint = _split(wording.for_people(journal.error or ""))
        prefix = f"{share.headline}: "
        if share.detail.startswith(prefix):  # the headline already says it
            rest = share.detail[len(prefix):]
            share.detail = f"Cap said: {rest[:1].upper()}{rest[1:]}"
        if not share.hint:
            share.hint = f"The recording is kept in {share.file}; Retry uploads it."
        share.can_retry = Path(journal.spool_path).exists()
        share.fix_in_settings = state in wording.SETTINGS_FIXES
    return share


def _split(described: str) -> tuple[str, str]:
    """``CapError.describe()`` text is "<what>: <server message>. <hint>"; split off the hint."""
    what, sep, hint = described.partition(". ")
    if not sep:
        return described, ""
    return what + ".", hint
