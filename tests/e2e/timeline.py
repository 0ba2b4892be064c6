"""What a recording's result says about its fixed clock, checked against its file."""

from __future__ import annotations

from typing import Any


def check_slots(result: dict[str, Any], decoded: int, seconds: float, *, fps: int = 30,
                most_dropped: float = 0.1) -> None:
    """Each slot of the recording's clock is a frame in the file, a repeat of the one before
    (not encoded) or a counted drop (a late grab); the file holds exactly the frames the
    result reports. A busy machine drops a few slots, never more than ``most_dropped`` of
    them (a capture that stalls fails here)."""
    slots = round(seconds * fps)
    frames, dropped = result["frames"], result["droppedFrames"]
    assert decoded == frames, (decoded, result)
    assert frames + dropped + result.get("repeatedFrames", 0) == slots, result
    assert dropped <= most_dropped * slots, result
