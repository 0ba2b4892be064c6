"""Just enough of zod (v3) to reproduce Cap's 400 answers.

Cap validates request bodies with ``@hono/zod-validator``; a body that fails
gets ``400 {"success": false, "error": {"issues": [...], "name": "ZodError"}}``
with zod v3 issue objects. Values come from ``json.loads`` with
:func:`js_number` for floats, so 1.0 is the int 1 as in JavaScript.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

Issue = dict[str, Any]
Path = list[str | int]


class _Missing:
    def __repr__(self) -> str:
        return "undefined"


MISSING: Any = _Missing()


def js_number(text: str) -> int | float:
    """``parse_float`` hook: JSON numbers that are whole become ints, as in JS."""
    value = float(text)
    if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def js_length(text: str) -> int:
    """String length in UTF-16 code units, as JavaScript counts it."""
    return len(text.encode("utf-16-le")) // 2


def js_stringify(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def js_type(value: Any) -> str:
    if value is MISSING:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _invalid_type(expected: str, value: Any, path: Path) -> Issue:
    received = js_type(value)
    message = "Required" if value is MISSING else f"Expected {expected}, received {received}"
    return {
        "code": "invalid_type",
        "expected": expected,
        "received": received,
        "path": path,
        "message": message,
    }


class Schema:
    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        raise NotImplementedError


@dataclass
class Str(Schema):
    max: int | None = None

    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        if not isinstance(value, str):
            issues.append(_invalid_type("string", value, path))
            return value
        if self.max is not None and js_length(value) > self.max:
            issues.append({
                "code": "too_big",
                "maximum": self.max,
                "type": "string",
                "inclusive": True,
                "exact": False,
                "message": f"String must contain at most {self.max} character(s)",
                "path": path,
            })
        return value


@dataclass
class Num(Schema):
    """``checks`` in declaration order: ("int",), ("gt"|"ge"|"le", bound)."""

    checks: tuple[tuple[Any, ...], ...] = ()

    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            issues.append(_invalid_type("number", value, path))
            return value
        for check in self.checks:
            issue = self._check(check, value)
            if issue is not None:
                issue["path"] = path
                issues.append(issue)
        return value

    @staticmethod
    def _check(check: tuple[Any, ...], value: float) -> Issue | None:
        kind = check[0]
        if kind == "int":
            if isinstance(value, int):
                return None
            return {
                "code": "invalid_type",
                "expected": "integer",
                "received": "float",
                "message": "Expected integer, received float",
            }
        bound = check[1]
        if kind in ("gt", "ge"):
            inclusive = kind == "ge"
            if value > bound or (inclusive and value == bound):
                return None
            words = "greater than or equal to" if inclusive else "greater than"
            return {
                "code": "too_small",
                "minimum": bound,
                "type": "number",
                "inclusive": inclusive,
                "exact": False,
                "message": f"Number must be {words} {bound}",
            }
        if value <= bound:
            return None
        return {
            "code": "too_big",
            "maximum": bound,
            "type": "number",
            "inclusive": True,
            "exact": False,
            "message": f"Number must be less than or equal to {bound}",
        }


@dataclass
class Opt(Schema):
    inner: Schema

    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        if value is MISSING:
            return MISSING
        return self.inner.parse(value, path, issues)


@dataclass
class Arr(Schema):
    item: Schema

    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        if not isinstance(value, list):
            issues.append(_invalid_type("array", value, path))
            return value
        return [self.item.parse(v, [*path, i], issues) for i, v in enumerate(value)]


@dataclass
class Record(Schema):
    """``z.record(z.unknown())`` with an optional refine (max JSON length)."""

    max_json_length: int | None = None
    refine_message: str = ""

    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        if not isinstance(value, dict):
            issues.append(_invalid_type("object", value, path))
            return value
        limit = self.max_json_length
        if limit is not None and js_length(js_stringify(value)) > limit:
            issues.append({"code": "custom", "message": self.refine_message, "path": path})
        return value


@dataclass
class Obj(Schema):
    fields: dict[str, Schema] = field(default_factory=dict)

    def parse(self, value: Any, path: Path, issues: list[Issue]) -> Any:
        if not isinstance(value, dict):
            issues.append(_invalid_type("object", value, path))
            return value
        out: dict[str, Any] = {}
        for name, schema in self.fields.items():
            parsed = schema.parse(value.get(name, MISSING), [*path, name], issues)
            if parsed is not MISSING:
                out[name] = parsed
        return out


def validate(schema: Schema, value: Any) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Return ``(data, {})`` on success or ``(None, error_body)`` on failure."""
    issues: list[Issue] = []
    data = schema.parse(value, [], issues)
    if issues:
        return None, {"success": False, "error": {"issues": issues, "name": "ZodError"}}
    return data, {}
