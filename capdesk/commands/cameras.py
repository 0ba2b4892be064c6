"""``capdesk cameras``: the cameras here, with the names and ids ``record --camera`` takes.

They are listed by a short-lived camera worker process (QtMultimedia), never in this one.
``--json`` prints a list of ``{"id", "name", "isDefault"}`` (``[]`` when there is none).
"""

from __future__ import annotations

import argparse
from typing import Any

from capdesk.commands.output import emit_json, fail, say, table


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "cameras", help="list the cameras (for record --camera)",
        description="List the cameras, with the names and ids that record --camera takes.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON list")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from capdesk.engine import CameraError, list_cameras

    try:
        cameras = list_cameras()
    except CameraError as exc:
        return fail(exc)
    if args.json:
        emit_json([{"id": c.id, "name": c.name, "isDefault": c.is_default} for c in cameras])
        return 0
    if not cameras:
        say("No camera found. record --camera also takes a video file, played as if it "
            "were a camera.")
        return 0
    print(table(["NAME", "ID", "DEFAULT"],
                [[c.name, c.id, "yes" if c.is_default else ""] for c in cameras]))
    return 0
