"""A real HTTP webhook receiver for tests: http.server on 127.0.0.1 in a thread, keeping every request.

It answers 200 by default; set `status` to answer 500 (or anything), `stall` to hold requests
until released, stop() to refuse connections and start() to come back on the same port. Like a
careful receiver, `unique()` drops duplicates by event id, and `verify()` recomputes signatures.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    answered: int

    @property
    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def event_id(self) -> str:
        return self.headers["Horseshoe-Event-Id"]

    def verify(self, secret: str) -> bool:
        """Recompute `v1=` HMAC-SHA256 over "{timestamp}.{raw body}" as a receiver would."""
        stamp = self.headers["Horseshoe-Timestamp"]
        expected = "v1=" + hmac.new(secret.encode(), f"{stamp}.".encode() + self.body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.headers["Horseshoe-Signature"])


class Receiver:
    def __init__(self, port: int = 0) -> None:
        self.port = port
        self.status = 200
        self.answer: dict | None = None  # JSON to answer requests with
        self.extra_headers: dict[str, str] = {}  # e.g. Retry-After
        self.received: list[Received] = []
        self.stall = threading.Event()  # set: requests wait for release
        self.release = threading.Event()
        self.arrived = threading.Event()  # set whenever a request arrives
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        if self._server is None:
            self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler_for(self))
            self._server.daemon_threads = True
            self.port = self._server.server_address[1]
            threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Shut down and close the socket: connections are refused until start()."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def accepted(self) -> list[Received]:
        return [r for r in self.received if 200 <= r.answered < 300]

    def unique(self) -> list[Received]:
        """Accepted requests with duplicates (same event id) dropped, in first-arrival order."""
        seen: set[str] = set()
        kept = []
        for request in self.accepted():
            if request.event_id not in seen:
                seen.add(request.event_id)
                kept.append(request)
        return kept


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            receiver.arrived.set()
            if receiver.stall.is_set():
                receiver.release.wait(timeout=60)
            status = receiver.status
            receiver.received.append(Received(self.path, dict(self.headers.items()), body, status))
            answer = json.dumps(receiver.answer or {}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            for name, value in receiver.extra_headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args) -> None:
            pass

    return Handler


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def running_receiver() -> Iterator[Receiver]:
    """For a test module's `receiver` fixture: a receiver on a fresh local port, stopped afterwards.

    It listens on loopback, so subscriptions to it need the admin's allow_private.
    """
    running = Receiver(unused_port()).start()
    yield running
    running.release.set()
    running.stop()
