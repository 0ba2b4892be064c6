"""The empty videos a retried ``create`` leaves on Cap, found and removed.

``create`` is retried when its answer is lost (a read timeout, a 5xx): if the lost
one went through, Cap holds an extra, empty video. Every video capdesk creates
carries the local recording's id in its metadata, so with a secret key the
extras can be found among the newest videos and deleted.
"""

from __future__ import annotations

import logging
from typing import Any

from capdesk.cap.errors import CapError
from capdesk.cap.limits import METADATA_MAX, compact_json, utf16_length
from capdesk.cap.rest import MAX_LIMIT, CapRest

log = logging.getLogger(__name__)

RECORDING_ID_KEY = "capdeskRecordingId"


def with_recording_id(metadata: dict[str, Any] | None, recording_id: str) -> dict[str, Any]:
    """The user's metadata plus the recording's id; without the id if it would not fit."""
    merged = {**(metadata or {}), RECORDING_ID_KEY: recording_id}
    if utf16_length(compact_json(merged)) > METADATA_MAX:
        return dict(metadata or {})
    return merged


def remove_empty_extras(rest: CapRest, recording_id: str, keep: str,
                        user_id: str | None = None) -> int:
    """Delete the videos with this recording's id other than ``keep`` that hold no
    upload (no duration). Returns how many were deleted; never raises a CapError."""
    removed = 0
    try:
        for video in rest.list_videos(user_id=user_id, limit=MAX_LIMIT):
            if video.id == keep or video.duration is not None:
                continue
            if (video.metadata or {}).get(RECORDING_ID_KEY) != recording_id:
                continue
            rest.delete_video(video.id)
            removed += 1
    except CapError as exc:
        log.warning("could not remove the empty videos a retried create left: %s", exc.title)
    return removed
