"""A local HTTP server that answers like a social network's API, scripted per test.

Each route holds replies served in order (the last one repeats); every request is recorded with
its arrival time, so tests can check what a listener sent and when.
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
    lines: list[bytes] | None = None  # streamed one by one, then the connection is dropped
    line_gap: float = 0.05

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
        self._lock = threading.Lock()
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

    def close(self) -> None:
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
        with self._lock:
            self.requests.append(request)
            replies = self.routes.get((handler.command, parts.path))
            responder: Responder | None = None
            if replies:
                responder = replies.pop(0) if len(replies) > 1 else replies[0]
        if responder is None:
            reply = json_reply({"error": f"no route {handler.command} {parts.path}"}, 404)
        else:
            reply = responder(request) if callable(responder) else responder
        _write(handler, reply)


def _write(handler: BaseHTTPRequestHandler, reply: Reply) -> None:
    handler.send_response(reply.status)
    for name, value in reply.headers.items():
        handler.send_header(name, value)
    if reply.lines is not None:
        handler.send_header("Connection", "close")
        handler.end_headers()
        for line in reply.lines:
            handler.wfile.write(line + b"\r\n")
            handler.wfile.flush()
            time.sleep(reply.line_gap)
        handler.close_connection = True  # dropped: no end marker, the client must reconnect
        return
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
