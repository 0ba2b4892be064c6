"""A small threaded HTTP/1.1 server with fault injection and a request log.

Both the fake Cap API and the S3 front are a :class:`Service` (something with
``handle(request) -> Response``) served by :class:`ServiceServer`, which reads
each request, applies the service's :class:`~tests.fakecap.faults.FaultPlan`,
calls the service and records the request in a :class:`RequestLog`.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol

from tests.fakecap.faults import Fault, FaultPlan


@dataclass(frozen=True)
class Request:
    """One HTTP request as received. Header names are lower-case."""

    method: str
    path: str  # raw path, still percent-encoded, without the query
    query: str  # raw query string, without "?"
    headers: dict[str, str]
    body: bytes
    raw_headers: list[tuple[str, str]] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RequestRecord:
    """A logged request, logged when it arrives (the log is in arrival order).
    ``status`` is set once answered and stays None when the connection was
    dropped; ``fault`` names the injected fault ("status", "drop", "delay",
    "network_down") or is None. ``time`` is ``time.time()`` at arrival."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body_size: int
    time: float
    status: int | None
    fault: str | None

    @property
    def authorization(self) -> str | None:
        return self.headers.get("authorization")

    @property
    def origin(self) -> str | None:
        return self.headers.get("origin")


class RequestLog:
    """Thread-safe, append-only list of :class:`RequestRecord`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def append(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def records(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def bytes_received(self) -> int:
        """Sum of request body sizes (what the server read off the wire)."""
        return sum(r.body_size for r in self.records())

    def max_in_window(self, authorization: str | None = None, seconds: float = 60.0) -> int:
        """Most requests in any sliding window of ``seconds`` (optionally only
        those with this exact Authorization header value)."""
        times = sorted(
            r.time
            for r in self.records()
            if authorization is None or r.authorization == authorization
        )
        best, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] >= seconds:
                start += 1
            best = max(best, end - start + 1)
        return best


class Service(Protocol):
    @property
    def faults(self) -> FaultPlan: ...

    @property
    def log(self) -> RequestLog: ...

    @property
    def server_version(self) -> str: ...

    def handle(self, request: Request) -> Response: ...


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    service: Service
    errors: list[str]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else Nagle + delayed ACK cost 40 ms a request
    server: _Server
    timeout = 300

    def version_string(self) -> str:
        return self.server.service.server_version

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _dispatch(self) -> None:
        service = self.server.service
        arrived = time.time()
        path, _, query = self.path.partition("?")
        raw_headers = list(self.headers.items())
        headers: dict[str, str] = {}
        for name, value in raw_headers:
            key = name.lower()
            headers[key] = f"{headers[key]}, {value}" if key in headers else value

        def record(size: int, fault: str | None) -> RequestRecord:
            entry = RequestRecord(self.command, path, query, headers, size, arrived, None, fault)
            service.log.append(entry)
            return entry

        if service.faults.network_down:
            record(0, "network_down")
            self._drop()
            return
        fault = service.faults.take(self.command, path)
        body = self._read_body(headers)
        if body is None:
            record(0, None).status = 400
            self._write(Response(400, b"bad request body"), close=True)
            return
        entry = record(len(body), fault.kind if fault else None)
        request = Request(self.command, path, query, headers, body, raw_headers)
        if fault is not None and fault.kind == "drop" and not fault.after:
            self._drop()
            return
        if fault is not None and fault.kind == "delay":
            time.sleep(fault.seconds)
        response = self._respond(request, fault)
        if fault is not None and fault.kind == "drop":
            self._drop()
            return
        entry.status = response.status
        self._write(response)

    do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_HEAD = do_PATCH = _dispatch

    def _respond(self, request: Request, fault: Fault | None) -> Response:
        if fault is not None and fault.kind == "status":
            if fault.after:
                self._handle(request)  # the call takes effect; its answer is replaced
            if fault.responder is not None:
                return fault.responder(request)
            return Response(fault.status, fault.body, list(fault.headers.items()))
        return self._handle(request)

    def _handle(self, request: Request) -> Response:
        try:
            return self.server.service.handle(request)
        except Exception:
            self.server.errors.append(traceback.format_exc())
            print(traceback.format_exc(), file=sys.stderr)
            return Response(500, b"Internal Server Error", [("Content-Type", "text/plain")])

    def _read_body(self, headers: dict[str, str]) -> bytes | None:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self._read_chunked()
        length = headers.get("content-length")
        if length is None:
            return b""
        try:
            return self.rfile.read(int(length))
        except ValueError:
            return None

    def _read_chunked(self) -> bytes | None:
        chunks: list[bytes] = []
        while True:
            line = self.rfile.readline(65537)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                return None
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline(3)

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def _write(self, response: Response, close: bool = False) -> None:
        try:
            self.send_response(response.status)
            names = {name.lower() for name, _ in response.headers}
            for name, value in response.headers:
                self.send_header(name, value)
            if "content-length" not in names:
                self.send_header("Content-Length", str(len(response.body)))
            if close:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            if self.command != "HEAD" and response.body:
                self.wfile.write(response.body)
            self.wfile.flush()
        except OSError:
            self.close_connection = True


class ServiceServer:
    """Serves one :class:`Service` on ``host:port`` (0 = ephemeral) in a thread."""

    def __init__(self, service: Service, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = _Server((host, port), _Handler)
        self._server.service = service
        self._server.errors = []
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        host = self._server.server_address[0]
        return f"http://{host!s}:{self.port}"

    @property
    def errors(self) -> list[str]:
        """Tracebacks of exceptions raised by the service (bugs in the fake)."""
        return self._server.errors

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fakecap-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
