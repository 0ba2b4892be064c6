"""``capdesk library``: every local recording and where its upload stands."""

from __future__ import annotations

import argparse
from typing import Any

from capdesk.commands.output import emit_json, format_duration, table


def register(sub: Any) -> None:
    parser = sub.add_parser("library", help="list local recordings and their upload state")
    parser.add_argument("--all", action="store_true",
                        help="include recordings that were discarded")
    parser.add_argument("--json", action="store_true", help="print a JSON list")
    parser.set_defaults(func=run)


def _size(num: int | None) -> str:
    if num is None:
        return "gone"
    return f"{num / 1e6:,.1f} MB"


def run(args: argparse.Namespace) -> int:
    from capdesk.engine import library  # httpx, the journals

    items = library.scan(include_discarded=args.all)
    if args.json:
        emit_json([item.to_json() for item in items])
        return 0
    if not items:
        print("No recordings yet.")
        return 0
    rows = []
    for item in items:
        state = item.label
        reason = item.reason
        if reason and item.status != library.Status.LOCAL:
            state += f" ({reason})"
        rows.append((item.id, item.name, item.created.astimezone().strftime("%Y-%m-%d %H:%M"),
                     format_duration(item.duration), _size(item.size), state,
                     item.share_url or ""))
    print(table(("ID", "NAME", "CREATED", "LENGTH", "SIZE", "STATE", "LINK"), rows))
    return 0
