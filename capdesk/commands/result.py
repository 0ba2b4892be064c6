"""The one JSON object ``record --json`` and ``upload --json`` print, and the ready poll."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from capdesk.cap.errors import CapError
from capdesk.commands.output import say

if TYPE_CHECKING:  # httpx and the journal load when a command runs, not at start-up
    from capdesk.cap.rest import CapRest
    from capdesk.engine import Journal

READY_TIMEOUT = 60.0


def result_json(
    journal: Journal | None,
    *,
    file: str,
    size: int,
    duration: float,
    width: int,
    height: int,
    fps: float,
    frames: int | None = None,
    dropped: int = 0,
    repeated: int = 0,
    encoder: str | None = None,
    conversion: str | None = None,
    stop_to_complete: float | None = None,
    ready: bool | None = None,
) -> dict[str, Any]:
    from capdesk.engine import JournalState as State

    uploaded = journal is not None and journal.state == State.COMPLETE
    return {
        "videoId": journal.video_id if journal else None,
        "shareUrl": journal.share_url if journal else None,
        "embedUrl": journal.embed_url if journal else None,
        "file": file,
        "bytes": size,
        "durationSecs": duration,
        "width": width,
        "height": height,
        "fps": fps,
        "frames": frames,
        "droppedFrames": dropped,
        "repeatedFrames": repeated,  # unchanged grabs, not encoded again (still screen)
        "encoder": encoder,  # which H.264 encoder ran (None for an uploaded file)
        "conversion": conversion,  # what happened to the pixels before it
        "parts": len(journal.parts) if journal else 0,
        "uploaded": uploaded,
        "stopToCompleteSecs": round(stop_to_complete, 3) if stop_to_complete is not None
        and uploaded else None,
        "ready": ready,
    }


def poll_ready(rest: CapRest | None, journal: Journal, quiet: bool) -> bool | None:
    """With a secret key, wait (polling every 2 s at most) until Cap says ready."""
    from capdesk.engine import JournalState as State

    if rest is None or journal.state != State.COMPLETE or not journal.video_id:
        return None
    try:
        status = rest.wait_until_ready(journal.video_id, timeout=READY_TIMEOUT)
    except CapError as exc:
        if not quiet:
            say(f"Could not check whether the video is ready: {exc.describe()}")
        return False
    if not quiet:
        say("Ready." if status.ready else "Uploaded; Cap has not marked it ready yet.")
    return status.ready
