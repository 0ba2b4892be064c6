"""``capdesk windows``: the windows ``record --source window --window`` can record.

On X11 they come from the window manager (id, title, app, size); on Windows and macOS
from QtMultimedia, by title. On Wayland single windows cannot be recorded: it says
so (exit 1). ``--json`` prints a list of ``{"id", "title", "app", "width", "height",
"x", "y"}``.
"""

from __future__ import annotations

import argparse
from typing import Any

from capdesk.commands.output import emit_json, fail, say, table


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "windows", help="list the windows (for record --source window --window)",
        description="List the windows that record --source window can record, with the "
        "ids and titles --window takes.",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON list")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from capdesk.engine import CaptureError, list_windows

    try:
        windows = list_windows()
    except CaptureError as exc:
        return fail(exc)
    if args.json:
        emit_json([{"id": w.id, "title": w.title, "app": w.app, "width": w.width,
                    "height": w.height, "x": w.x, "y": w.y} for w in windows])
        return 0
    if not windows:
        say("No window to record.")
        return 0
    print(table(["ID", "TITLE", "APP", "SIZE"],
                [[w.id, w.title, w.app, f"{w.width}x{w.height}"] for w in windows]))
    return 0
