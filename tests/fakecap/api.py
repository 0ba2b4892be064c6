"""The fake Cap HTTP API: routing, CORS, rate limit, keys and Origin checks.

Order per request, as in Cap: CORS (an OPTIONS preflight is answered here),
the rate limiter (every other request counts, whatever its key), then for a
path under one of the API's sub-apps the key check (and, for production apps
on the SDK API, the Origin check), then the route; no route is a bare
``404 Not Found``.
"""

from __future__ import annotations

from urllib.parse import unquote

from tests.fakecap import rest, sdk
from tests.fakecap.common import Ctx, Handler, Route, error, text_response
from tests.fakecap.faults import FaultPlan
from tests.fakecap.httpbase import Request, RequestLog, Response
from tests.fakecap.s3 import S3Backend
from tests.fakecap.state import KEY_PREFIX, App, KeyKind, RateLimiter, Store

SDK_BASE = "/api/developer/sdk/v1"
REST_BASE = "/api/developer/v1"


class _Api:
    def __init__(
        self, base: str, kind: KeyKind, routes: list[Route], prefixes: tuple[str, ...], methods: str
    ) -> None:
        self.base = base
        self.kind = kind
        self.routes = routes
        self.prefixes = prefixes
        self.methods = methods

    def match(self, method: str, sub: str) -> tuple[Handler, dict[str, str]] | None:
        segments = sub.split("/")
        for route_method, pattern, handler in self.routes:
            wanted = pattern.split("/")
            if route_method != method or len(wanted) != len(segments):
                continue
            params: dict[str, str] = {}
            for want, got in zip(wanted, segments, strict=True):
                if want.startswith(":") and got:
                    params[want[1:]] = got
                elif want != got:
                    break
            else:
                return handler, params
        return None

    def in_sub_app(self, sub: str) -> bool:
        return any(sub == p or sub.startswith(p + "/") for p in self.prefixes)


_APIS = (
    _Api(SDK_BASE, "public", sdk.ROUTES, sdk.PREFIXES, "GET,POST,OPTIONS"),
    _Api(REST_BASE, "secret", rest.ROUTES, rest.PREFIXES, "GET,POST,DELETE,OPTIONS"),
)
CORS_ALLOW_HEADERS = "Content-Type,Authorization"


class CapApi:
    """The service behind the API server (see :mod:`tests.fakecap.httpbase`)."""

    server_version = "fakecap"

    def __init__(self, store: Store, s3: S3Backend, limiter: RateLimiter) -> None:
        self.store = store
        self.s3 = s3
        self.limiter = limiter
        self.web_url = ""
        self.presign_expiry = 3600
        self.faults = FaultPlan()
        self.log = RequestLog()
        self.errors: list[str] = []

    def handle(self, request: Request) -> Response:
        path = unquote(request.path)
        api = next((a for a in _APIS if path == a.base or path.startswith(a.base + "/")), None)
        if api is None:
            return text_response(404, "404 Not Found")
        if request.method == "OPTIONS":
            return Response(204, b"", [
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", api.methods),
                ("Access-Control-Allow-Headers", CORS_ALLOW_HEADERS),
            ])
        response = self._route(api, path[len(api.base):], request)
        response.headers.append(("Access-Control-Allow-Origin", "*"))
        return response

    def _route(self, api: _Api, sub: str, request: Request) -> Response:
        limit_key = (
            request.header("authorization") or request.header("x-forwarded-for") or "unknown"
        )
        if not self.limiter.allow(limit_key):
            return error(429, "Rate limit exceeded")
        app: App | None = None
        if api.in_sub_app(sub):
            checked = self._authenticate(api.kind, request)
            if isinstance(checked, Response):
                return checked
            app = checked
        method = "GET" if request.method == "HEAD" else request.method
        found = api.match(method, sub)
        if found is None or app is None:
            return text_response(404, "404 Not Found")
        handler, params = found
        ctx = Ctx(
            request, app, params, self.store, self.s3, self.web_url, self.presign_expiry,
            self.errors,
        )
        return handler(ctx)

    def _authenticate(self, kind: KeyKind, request: Request) -> App | Response:
        header = request.header("authorization")
        words = header.split(" ") if header is not None else []
        token = words[1] if len(words) > 1 else ""
        if not token.startswith(KEY_PREFIX[kind]):
            return error(401, f"Invalid {kind} key")
        app = self.store.app_for_key(token, kind)
        if app is None:
            return error(401, f"Invalid or revoked {kind} key")
        if kind == "public" and app.environment == "production":
            origin = request.header("origin")
            if not origin:
                return error(403, "Origin header required for production apps")
            if origin not in app.origins:
                return error(403, "Origin not allowed")
        return app

