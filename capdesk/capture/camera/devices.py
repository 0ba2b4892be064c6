"""The cameras here, as QtMultimedia sees them, listed by a short-lived worker process
(``qt_worker --list``): Qt never loads in the caller's process.

``list_cameras()`` -> ``[CameraInfo(id, name, is_default), ...]``; an empty list when
there is none. ``id`` and ``name`` are both accepted as ``--camera`` / ``CameraFeed``
sources (the id is stable: ``/dev/video0`` on Linux, a unique id on macOS and Windows).
"""

from __future__ import annotations

from dataclasses import dataclass

from capdesk.capture.camera import CameraError, protocol

LIST_TIMEOUT = 15.0


@dataclass(frozen=True)
class CameraInfo:
    id: str
    name: str
    is_default: bool


def list_cameras(timeout: float = LIST_TIMEOUT) -> list[CameraInfo]:
    """The cameras, the default one flagged; CameraError when they cannot be listed
    (QtMultimedia missing or broken)."""
    try:
        cameras = protocol.run_listing(["--list"], "cameras", what="cameras", timeout=timeout)
    except protocol.ListingFailed as exc:
        raise CameraError(str(exc)) from exc
    return [CameraInfo(str(c.get("id", "")), str(c.get("name", "")), bool(c.get("isDefault")))
            for c in cameras]
