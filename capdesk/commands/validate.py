"""Argument checks shared by the commands: bad input is refused before anything starts.

Each function is an argparse ``type``: it returns the parsed value or raises
``ArgumentTypeError``, which argparse prints after ``argument --NAME:`` with
exit code 2 (usage). Values that look like a Cap key are never echoed.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from collections.abc import Callable
from typing import Any

from capdesk.cap.limits import USER_ID_MAX, check_metadata, utf16_length

_KEY_LIKE = re.compile(r"c[sp]k_[A-Za-z0-9_-]+")
# Cap's video ids are nanoids (15 of [0-9a-z] today); allow what any id could need, and
# nothing that could change the request's path (/, ., %, ?, #).
_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
# A value like -5,0,100,100 or -3 is a value, not an option (Python 3.13 argparse agrees).
_DASHED_VALUE = re.compile(r"-\.?\d")


def hide_keys(text: str) -> str:
    """``text`` with anything shaped like a Cap key replaced by its prefix."""
    return _KEY_LIKE.sub(lambda m: m.group(0)[:4] + "…", text)


def shown(text: str, limit: int = 80) -> str:
    """A user's value quoted for an error message: keys hidden, long values cut."""
    text = hide_keys(text)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def allow_dashed_values(parser: argparse.ArgumentParser) -> None:
    """Let ``--region -5,0,100,100`` through: a dash followed by a digit starts a value.

    Only for parsers with no option that itself looks like a negative number.
    """
    parser._negative_number_matcher = _DASHED_VALUE


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (JSON has no NaN or Infinity); use null or a string")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e400
        raise ValueError(f"{text} is too large a number for JSON; write it as a string")
    return value


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # thousands of digits: Python refuses to convert it
        raise ValueError(
            f"a number of {len(text)} digits is not usable; write it as a string"
        ) from None


def metadata(text: str) -> dict[str, Any]:
    """``--metadata``: a strict JSON object that Cap's 8 KiB limit lets through."""
    try:
        value = json.loads(text, parse_constant=_reject_constant, parse_float=_finite,
                           parse_int=_whole)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(
            f"not valid JSON ({exc}); give an object like '{{\"project\": \"demo\"}}'"
        ) from None
    except ValueError as exc:  # NaN, Infinity, 1e400, a number of thousands of digits
        raise argparse.ArgumentTypeError(str(exc)) from None
    try:
        return check_metadata(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def user_id(text: str) -> str:
    """``--user-id``: Cap takes at most 255 UTF-16 units; cutting it would mix users up."""
    length = utf16_length(text)
    if length > USER_ID_MAX:
        raise argparse.ArgumentTypeError(
            f"is {length} characters long; Cap takes at most {USER_ID_MAX}, so use a shorter id"
        )
    return text


def video_id(text: str) -> str:
    """A Cap video id, checked locally so it can never change the request's path."""
    if _KEY_LIKE.match(text):
        raise argparse.ArgumentTypeError(
            "that is a Cap key, not a video id; keys never go on the command line "
            "(see `capdesk config set`), and video ids come from `capdesk videos list`"
        )
    if not _VIDEO_ID.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not a Cap video id: ids are 1-64 letters, digits, - or _; "
            "`capdesk videos list` shows them"
        )
    return text


def whole_number(low: int, high: int | None = None) -> Callable[[str], int]:
    """A whole number from ``low`` up to ``high`` (no upper bound if None)."""
    wanted = f"a whole number {low}-{high}" if high is not None else (
        f"a whole number, {low} or more")

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {shown(text)}") from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"expected {wanted}, got {shown(text)}")
        return value

    return parse


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(
            f"expected a positive number of seconds, got {shown(text)}"
        )
    return value
