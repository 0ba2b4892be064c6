"""The cameras here, as QtMultimedia sees them, listed by a short-lived worker process
(``qt_worker --list``): Qt never loads in the caller's process.

``list_cameras()`` -> ``[CameraInfo(id, name, is_default), ...]``; an empty list when
there is none. ``id`` and ``name`` are both accepted as ``--camera`` / ``CameraFeed``
sources (the id is stable: ``/dev/video0`` on Linux, a unique id on macOS and Windows).
"""

from __future__ import annotations

import subprocess
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
        done = subprocess.run(
            protocol.worker_command(["--list"]), stdin=subprocess.DEVNULL,
            capture_output=True, timeout=timeout, env=protocol.child_environment(),
            creationflags=protocol.popen_flags(), check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CameraError(f"the cameras could not be listed: {exc}") from exc
    for line in done.stdout.splitlines():
        message = protocol.decode(line)
        if message is not None and isinstance(message.get("cameras"), list):
            return [CameraInfo(str(c.get("id", "")), str(c.get("name", "")),
                               bool(c.get("isDefault"))) for c in message["cameras"]]
    last = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
    raise CameraError(f"the cameras could not be listed (exit code {done.returncode})"
                      + (f": {last[0][:200]}" if last else ""))
