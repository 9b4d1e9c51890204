"""A real HTTP receiver on 127.0.0.1 for the webhook tests: it records every request (headers as
sent, body as bytes) and answers as told: a status per request from a script, a redirect, or a
hang until released."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def webhook_id(self) -> str:
        return self.headers["webhook-id"]


@dataclass
class Receiver:
    host: str = "127.0.0.1"
    port: int = 0
    requests: list[Received] = field(default_factory=list)
    # Statuses for the next requests, in order; 200 once the script runs out.
    script: list[int] = field(default_factory=list)
    always: int | None = None
    hang: threading.Event | None = None  # set: the next requests wait until it is cleared
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str = "/hook") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def answer(self) -> int:
        with self.lock:
            if self.script:
                return self.script.pop(0)
            return self.always or 200

    def received(self, path: str | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if path is None or r.path == path]


def serve() -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            with receiver.lock:
                receiver.requests.append(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
            if receiver.hang is not None and receiver.hang.is_set():
                receiver.release.wait(timeout=60)
            status = receiver.answer()
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", receiver.url("/elsewhere"))
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    return receiver, server


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    """The receiver, running; 127.0.0.1 is allowed for this test only (it is refused by default)."""
    settings.WEBHOOK_ALLOWED_NETWORKS = "127.0.0.1/32"
    made, server = serve()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield made
    made.release.set()
    server.shutdown()
    server.server_close()
