"""Shared command-line output: JSON for scripts, tables and errors for people."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from capdesk import errors


def emit_json(data: Any) -> None:
    json.dump(data, sys.stdout, default=str)
    sys.stdout.write("\n")
    sys.stdout.flush()


def say(message: str, end: str = "\n") -> None:
    """Progress and notes for people: always stderr, so stdout stays clean for --json."""
    print(message, file=sys.stderr, end=end, flush=True)


def fail(error: BaseException) -> int:
    """Print an error for people and return its exit code (both from ``capdesk.errors``)."""
    say(f"error: {errors.describe(error)}")
    return errors.exit_code(error)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))
    lines = ["  ".join(h.ljust(widths[i]) for i, h in enumerate(headers)).rstrip()]
    for row in cells:
        lines.append("  ".join(v.ljust(widths[i]) for i, v in enumerate(row)).rstrip())
    return "\n".join(lines)


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
