"""Reading answers defensively: bounded size, any shape, never trusted."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import httpx

ERROR_BODY_LIMIT = 64 * 1024
SUCCESS_BODY_LIMIT = 8 * 1024 * 1024
MESSAGE_LIMIT = 300

_KEY_PATTERN = re.compile(r"c[sp]k_[A-Za-z0-9_\-]+")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def read_bounded(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    """Read at most ``limit`` bytes of a streamed response; say whether it was cut."""
    chunks: list[bytes] = []
    size = 0
    truncated = False
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            truncated = True
            break
    data = b"".join(chunks)
    return data[:limit], truncated


def redact(text: str) -> str:
    """Remove anything that looks like a Cap key."""
    return _KEY_PATTERN.sub("[key]", text)


def clean(text: str) -> str:
    text = _SPACE.sub(" ", text).strip()
    text = "".join(ch for ch in text if ch.isprintable())
    if len(text) > MESSAGE_LIMIT:
        text = text[: MESSAGE_LIMIT - 1] + "…"
    return redact(text)


def zod_issues(error: Any) -> list[str] | None:
    """The issues of a zod error object, as readable lines, or None if it is not one."""
    if not isinstance(error, dict):
        return None
    issues = error.get("issues")
    if not isinstance(issues, list):
        return None
    lines = []
    for issue in issues[:20]:
        if not isinstance(issue, dict):
            lines.append(clean(str(issue)))
            continue
        path = issue.get("path")
        where = ".".join(str(p) for p in path) if isinstance(path, list) and path else ""
        message = issue.get("message")
        text = str(message) if message is not None else json.dumps(issue)[:120]
        lines.append(clean(f"{where}: {text}" if where else text))
    return lines


def describe_error_body(data: bytes, content_type: str) -> tuple[str, list[str] | None]:
    """Turn any error body into (message, zod issues or None)."""
    text = data.decode("utf-8", errors="replace")
    if not text.strip():
        return "(empty answer)", None
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):  # deeply nested JSON raises RecursionError
        parsed = None
    if isinstance(parsed, dict):
        error = parsed.get("error")
        if isinstance(error, str):
            return clean(error), None
        issues = zod_issues(error)
        if issues is not None:
            return clean("; ".join(issues) or "invalid request"), issues
        for field in ("message", "detail", "title"):
            value = parsed.get(field)
            if isinstance(value, str):
                return clean(value), None
        return clean(json.dumps(parsed)), None
    if parsed is not None:
        return clean(json.dumps(parsed)), None
    if "html" in content_type.lower() or text.lstrip().startswith("<"):
        match = _TITLE.search(text)
        title = clean(html.unescape(match.group(1))) if match else ""
        body = clean(html.unescape(_TAGS.sub(" ", text)))
        summary = title or body
        return f"an HTML page instead of JSON ({summary})" if summary else "an HTML page", None
    return clean(text), None


def parse_json_object(data: bytes) -> dict[str, Any]:
    """Parse a success body that must be a JSON object."""
    try:
        parsed = json.loads(data.decode("utf-8"))
    except RecursionError:  # deeply nested JSON
        raise ValueError("JSON nested too deeply") from None
    if not isinstance(parsed, dict):
        raise ValueError("expected a JSON object")
    return parsed
