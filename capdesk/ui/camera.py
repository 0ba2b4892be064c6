"""The camera in the app: what cameras there are (looked up off the GUI thread), a video
file standing in for one, and where the on-screen preview puts the recording's bubble.

``CAPDESK_CAMERA_FILE=/path/video.mp4`` adds "Video file (name)" to the list: the file
plays, looping, as if it were a camera (tests and demos, on machines without one).

Placement: the preview's centre and diameter on screen (Qt's logical pixels) become
physical pixels (``capdesk.engine.geometry``), then fractions of the recorded area: the
centre of its width and height, the diameter of its height (``BubblePlacement``). So the
bubble lands in the recording where the preview was, at the size it had.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from capdesk.engine import BubblePlacement

FILE_ENV = "CAPDESK_CAMERA_FILE"
NO_CAMERA = "No camera found"
FRAME_SIZE = 480  # the side of the square the feed delivers (the preview and the bubble)
Rect = tuple[int, int, int, int]


@dataclass(frozen=True)
class Camera:
    id: str  # what CameraFeed takes: a camera's id, or a video file's path
    name: str
    is_default: bool = False


@dataclass(frozen=True)
class CameraOffer:
    cameras: list[Camera] = field(default_factory=list)
    problem: str = ""  # why there is none ("" when there is one)


def probe_cameras() -> CameraOffer:
    """List the cameras (a child process, about a second). Blocking: run it in a worker."""
    from capdesk.engine import CameraError, list_cameras

    cameras: list[Camera] = []
    problem = ""
    try:
        cameras = [Camera(c.id, c.name, c.is_default) for c in list_cameras()]
    except CameraError as exc:
        problem = str(exc)
    except Exception as exc:  # a broken multimedia setup: no camera, say why
        problem = f"the cameras cannot be listed: {exc}"
    cameras.extend(stand_in_cameras().cameras)
    if cameras:
        problem = ""
    return CameraOffer(cameras, problem)


def stand_in_cameras() -> CameraOffer:
    """Only the video file of ``CAPDESK_CAMERA_FILE``, if set (no device look-up)."""
    stand_in = os.environ.get(FILE_ENV, "").strip()
    if not stand_in:
        return CameraOffer([], NO_CAMERA)
    return CameraOffer([Camera(stand_in, f"Video file ({Path(stand_in).name})")])


def no_cameras() -> CameraOffer:
    """An offer without cameras (until the first look-up is back)."""
    return CameraOffer([], NO_CAMERA)


def parse_position(text: str) -> tuple[float, float] | None:
    """The saved "x,y" (fractions of the area), or None (the default corner)."""
    try:
        x, y = (float(v) for v in text.split(","))
    except ValueError:
        return None
    if 0.0 <= x <= 1.0 and 0.0 <= y <= 1.0:
        return x, y
    return None


def format_position(x: float, y: float) -> str:
    return f"{min(1.0, max(0.0, x)):.4f},{min(1.0, max(0.0, y)):.4f}"


def placement_for(center: tuple[float, float], diameter: float,
                  screens: Sequence[tuple[float, ...]], area: Rect) -> BubblePlacement:
    """Where the bubble goes in a recording of ``area`` (physical pixels), for a preview
    with this ``center`` and ``diameter`` (logical pixels, on ``screens``)."""
    from capdesk.engine import BubblePlacement, geometry

    x, y = geometry.logical_point_to_physical(screens, center[0], center[1])
    ratio = geometry.screen_at_logical(screens, center[0], center[1]).ratio
    ax, ay, aw, ah = area
    return BubblePlacement(
        center_x=min(1.0, max(0.0, (x - ax) / aw)),
        center_y=min(1.0, max(0.0, (y - ay) / ah)),
        diameter=min(1.0, max(0.01, diameter * ratio / ah)),
    )
