"""A local HTTP server that answers like a social network's API, scripted per test.

Each route holds replies served in order (the last one repeats); every request is recorded with
its arrival time, so tests can check what a listener sent and when. A streamed reply either
drops its connection after its lines or holds it open until the client hangs up (recorded
too) or the test ends, so a test waits on what happened, never on how long it took.
"""

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = b""
    headers: dict[str, str] = field(default_factory=dict)
    lines: list[bytes] | None = None  # streamed one by one, then the connection is dropped…
    line_gap: float = 0.05
    keep_alive: bytes | None = None  # …unless this is set: then sent every line_gap, held open

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


Responder = Reply | Callable[[Request], Reply]


def json_reply(body: Any, status: int = 200, **headers: str) -> Reply:
    return Reply(status, body, {"Content-Type": "application/json", **headers})


class FakeApi:
    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Responder]] = {}
        self.requests: list[Request] = []
        self.hangups: list[Request] = []  # held streams the client closed
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._closing = threading.Event()
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                api._serve(self)

            def do_POST(self) -> None:
                api._serve(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def route(self, method: str, path: str, *replies: Responder) -> None:
        self.routes[(method, path)] = list(replies)

    def calls(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def hung_up(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.hangups if r.path == path]

    def wait_for(self, check: Callable[[], bool], what: str, timeout: float = 60) -> None:
        """Until `check` holds, re-checked on every request and hang-up; `timeout` only bounds
        a failing test."""
        with self._changed:
            if not self._changed.wait_for(check, timeout):
                raise AssertionError(f"not within {timeout:.0f}s: {what}")

    def close(self) -> None:
        self._closing.set()  # held streams end
        self.server.shutdown()
        self.server.server_close()

    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        request = Request(
            handler.command,
            parts.path,
            {k: v[0] for k, v in parse_qs(parts.query).items()},
            {k.lower(): v for k, v in handler.headers.items()},
            handler.rfile.read(length) if length else b"",
            time.monotonic(),
        )
        with self._changed:
            self.requests.append(request)
            self._changed.notify_all()
            replies = self.routes.get((handler.command, parts.path))
            responder: Responder | None = None
            if replies:
                responder = replies.pop(0) if len(replies) > 1 else replies[0]
        if responder is None:
            reply = json_reply({"error": f"no route {handler.command} {parts.path}"}, 404)
        else:
            reply = responder(request) if callable(responder) else responder
        if reply.lines is not None:
            self._stream(handler, request, reply)
        else:
            _write(handler, reply)

    def _stream(self, handler: BaseHTTPRequestHandler, request: Request, reply: Reply) -> None:
        """As the networks stream: one HTTP chunk per line, and no end marker when dropped."""
        assert reply.lines is not None

        def send(line: bytes) -> None:
            data = line + b"\r\n"
            handler.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            handler.wfile.flush()

        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        handler.close_connection = True
        try:
            for line in reply.lines:
                send(line)
                time.sleep(reply.line_gap)
            if reply.keep_alive is None:
                return  # dropped: the client must reconnect
            while not self._closing.wait(reply.line_gap):
                send(reply.keep_alive)
        except OSError:  # the client closed the connection
            with self._changed:
                self.hangups.append(request)
                self._changed.notify_all()


def _write(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    handler.send_response(reply.status)
    for name, value in reply.headers.items():
        handler.send_header(name, value)
    payload = reply.payload() if reply.status != 304 else b""
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


@contextmanager
def fake_api() -> Iterator[FakeApi]:
    api = FakeApi()
    try:
        yield api
    finally:
        api.close()
