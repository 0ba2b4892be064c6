"""What Cap's ``create`` accepts, measured the way Cap measures it.

Cap validates in JavaScript (zod): a string's length, and the length of
``JSON.stringify(metadata)``, count UTF-16 code units, not code points or bytes.
An emoji is two units, so ``name[:255]`` can still be refused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

NAME_MAX = 255  # name, in UTF-16 code units
USER_ID_MAX = 255  # userId, in UTF-16 code units
METADATA_MAX = 8192  # JSON.stringify(metadata).length, in UTF-16 code units


def utf16_length(text: str) -> int:
    """The length JavaScript gives ``text``: characters beyond U+FFFF count twice."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def cut_utf16(text: str, limit: int) -> str:
    """The longest start of ``text`` at most ``limit`` UTF-16 code units long.

    Cuts between code points, so never inside a surrogate pair.
    """
    if limit < 0:
        raise ValueError("limit must be 0 or more")
    if len(text) * 2 <= limit:  # fast path: fits whatever the characters are
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def sendable(text: str) -> str:
    """``text`` with anything that cannot travel as UTF-8 (a lone surrogate, e.g. from an
    undecodable file name) replaced by U+FFFD."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # Through UTF-16: a surrogate pair becomes its character, a lone one U+FFFD.
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return text


def compact_json(value: Any) -> str:
    """JSON as it goes on the wire (and as ``JSON.stringify`` writes it): no spaces,
    non-ASCII kept as is; ValueError for NaN or infinities."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def check_metadata(value: Any) -> dict[str, Any]:
    """``value`` if Cap would take it as ``metadata``; otherwise ValueError saying why."""
    if not isinstance(value, Mapping):
        raise ValueError("must be a JSON object, like {\"project\": \"demo\"}")
    try:
        text = compact_json(dict(value))
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("holds text that is not valid Unicode (a lone surrogate)") from None
    except (ValueError, TypeError) as exc:  # NaN, Infinity, or a value JSON has no form for
        raise ValueError(f"is not strict JSON ({exc})") from None
    length = utf16_length(text)
    if length > METADATA_MAX:
        raise ValueError(
            f"is {length} characters of compact JSON, over Cap's limit of {METADATA_MAX} "
            "(8 KiB); keep less in it, e.g. an id or a link to the rest"
        )
    return dict(value)
