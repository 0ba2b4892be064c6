"""Helpers shared by the SDK and REST handlers: request context, JSON in and out."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakecap.httpbase import Request, Response
from tests.fakecap.s3 import S3Backend
from tests.fakecap.state import App, Store
from tests.fakecap.zod import Schema, js_number, validate

# Hono's test for a JSON body; any other Content-Type validates as {}.
_JSON_TYPE = re.compile(r"^application/([a-z-\.]+\+)?json(\s*;\s*[a-zA-Z0-9\-]+=([^;]+))*$")


def _js_value(value: Any) -> Any:
    """Whole floats print as ints (JSON.stringify writes 5, not 5.0)."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _js_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_js_value(v) for v in value]
    return value


def json_response(status: int, payload: Any) -> Response:
    body = json.dumps(_js_value(payload), separators=(",", ":"), ensure_ascii=False)
    return Response(status, body.encode(), [("Content-Type", "application/json")])


def text_response(status: int, text: str) -> Response:
    return Response(status, text.encode(), [("Content-Type", "text/plain; charset=UTF-8")])


def error(status: int, message: str) -> Response:
    return json_response(status, {"error": message})


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_json(request: Request) -> tuple[Any, Response | None]:
    """Body as Hono's JSON validator sees it: ``{}`` without a JSON
    Content-Type, 400 "Malformed JSON in request body" when it does not parse."""
    content_type = request.header("content-type") or ""
    if not _JSON_TYPE.match(content_type):
        return {}, None
    try:
        text = request.body.decode("utf-8")
        return json.loads(text, parse_float=js_number, parse_constant=_reject_constant), None
    except ValueError:
        return None, text_response(400, "Malformed JSON in request body")


@dataclass
class Ctx:
    """What a handler gets: the request, the authenticated app, path params
    and the server's parts."""

    request: Request
    app: App
    params: dict[str, str]
    store: Store
    s3: S3Backend
    web_url: str
    presign_expiry: int
    errors: list[str]

    def body(self, schema: Schema) -> tuple[dict[str, Any], Response | None]:
        """Parsed, validated JSON body or a ready 400 answer."""
        raw, problem = read_json(self.request)
        if problem is not None:
            return {}, problem
        data, failure = validate(schema, raw)
        if data is None:
            return {}, json_response(400, failure)
        return data, None


Handler = Callable[[Ctx], Response]
Route = tuple[str, str, Handler]  # method, pattern ("/videos/:id"), handler
