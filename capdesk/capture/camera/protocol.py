"""Between the engine and the camera worker process: how it is started, what it says.

No Qt and nothing heavy here: both sides import it.

**Starting.** ``worker_command(args)`` is ``python -m capdesk.capture.camera.qt_worker
ARGS`` from a Python install, and ``<the app> --camera-worker ARGS`` in a PyInstaller
bundle, where ``sys.executable`` is the app itself (``capdesk.cli.main`` hands
``--camera-worker`` to the worker before argparse sees it). The arguments::

    --list                                   print the cameras, exit
    --source SRC --size N --shm NAME         run: N is the square's side, 0 the full frame

**Talking.** The worker writes one JSON object per line on its stdout (its own stdout
is moved to stderr first, so nothing else lands there):

- ``{"event": "ready", "width": W, "height": H, "name": "..."}`` once the first frame
  is in the shared memory;
- ``{"event": "asking"}`` when the OS is asking people for the camera permission (the
  first time on macOS): the engine then waits longer for the first frame;
- ``{"event": "error", "kind": KIND, "message": "..."}`` just before it exits, KIND
  being one of ``ERROR_KINDS``; the message is a sentence for people;
- with ``--list``: ``{"cameras": [{"id": ..., "name": ..., "isDefault": ...}]}``.

Its stderr is Qt's and FFmpeg's chatter (kept for diagnostics only). The engine stops
it by terminating it; it also exits by itself when its stdin reaches EOF (the OS closes
it when the engine dies) or its parent process is gone. It runs at a lower priority
than the engine (``WORKER_NICE``).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

WORKER_SWITCH = "--camera-worker"  # argv[1] of the bundled app: run the camera worker
WORKER_MODULE = "capdesk.capture.camera.qt_worker"

# Why a worker stopped, each with its sentence made by the worker.
NO_CAMERA = "no-camera"  # none at all, or none with that name or id
IN_USE = "in-use"  # another app holds it
PERMISSION = "permission"  # the OS refused access (macOS privacy settings)
FILE = "file"  # a video file that cannot be played
ENDED = "ended"  # it was working and stopped (unplugged)
FAILED = "failed"  # anything else
ERROR_KINDS = (NO_CAMERA, IN_USE, PERMISSION, FILE, ENDED, FAILED)

# The full-frame mode (``size=None``) keeps the camera's size up to this; larger
# cameras are scaled down to fit, aspect kept.
FULL_FRAME_MAX = (3840, 2160)
VIDEO_SUFFIXES = frozenset({
    ".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".y4m", ".ogv",
})


def worker_command(
    args: list[str], *, module: str = WORKER_MODULE, switch: str = WORKER_SWITCH
) -> list[str]:
    """The command line that runs the worker (the camera's by default; the screen
    capture worker speaks the same protocol) with ``args``."""
    if getattr(sys, "frozen", False):
        return [sys.executable, switch, *args]
    return [sys.executable, "-m", module, *args]


def child_environment() -> dict[str, str]:
    """The worker's environment: from a Python install, it must import this very capdesk
    package (it runs ``python -m``, from whatever folder is current)."""
    env = dict(os.environ)
    if not getattr(sys, "frozen", False):
        root = str(Path(__file__).resolve().parents[3])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    return env


# The worker runs this much nicer than the engine (POSIX; below normal priority on
# Windows): on a busy machine the bubble's camera slows down, never the screen capture.
WORKER_NICE = 10


def popen_flags() -> int:
    """On Windows: no console window (the app has none to share), below normal priority."""
    if sys.platform != "win32":
        return 0
    return (getattr(subprocess, "CREATE_NO_WINDOW", 0)
            | getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0))


def lower_priority() -> None:
    """Called by the worker itself, first thing (POSIX)."""
    if hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(WORKER_NICE)


def is_file_source(source: str) -> bool:
    """Is ``source`` meant as a video file rather than a camera's name or id? A file that
    exists, or something shaped like a path to a video (so a typo says "no such file")."""
    if source == "default":
        return False
    path = Path(source).expanduser()
    if path.is_file():
        return True
    if source.startswith("/dev/"):  # a V4L2 camera's id on Linux
        return False
    return path.suffix.lower() in VIDEO_SUFFIXES or os.sep in source or "/" in source


def encode(message: dict[str, Any]) -> bytes:
    return (json.dumps(message, ensure_ascii=True) + "\n").encode("ascii")


def decode(line: bytes) -> dict[str, Any] | None:
    """One line of the worker's stdout, or None when it is not one of its messages."""
    try:
        message = json.loads(line)
    except ValueError:
        return None
    return message if isinstance(message, dict) else None


def error(kind: str, message: str) -> dict[str, Any]:
    return {"event": "error", "kind": kind if kind in ERROR_KINDS else FAILED,
            "message": message}


class ListingFailed(Exception):
    """A worker's listing could not be had; ``str()`` says why, for people."""


def run_listing(args: list[str], key: str, *, what: str, timeout: float,
                module: str = WORKER_MODULE, switch: str = WORKER_SWITCH) -> list[Any]:
    """Run a worker that prints one ``{key: [...]}`` line and exits (``--list``,
    ``--list-windows``); the list, or ListingFailed naming ``what`` could not be listed."""
    try:
        done = subprocess.run(
            worker_command(args, module=module, switch=switch), stdin=subprocess.DEVNULL,
            capture_output=True, timeout=timeout, env=child_environment(),
            creationflags=popen_flags(), check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ListingFailed(f"the {what} could not be listed: {exc}") from exc
    for line in done.stdout.splitlines():
        message = decode(line)
        if message is not None and isinstance(message.get(key), list):
            return list(message[key])
    last = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
    raise ListingFailed(f"the {what} could not be listed (exit code {done.returncode})"
                        + (f": {last[0][:200]}" if last else ""))
