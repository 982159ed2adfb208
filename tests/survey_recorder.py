"""A tiny survey server that answers like a careful one (415 / 400 / 204) and records what arrived and
when: the truth of what the fuzzer and ``ecekit check`` sent, for the fuzz and reproducibility tests."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ecekit.fuzz.strategies import is_valid_survey


class Recorder(ThreadingHTTPServer):
    """Answers surveys like a careful server (415 / 400 / 204) and notes when each request arrived,
    and what it carried (Content-Type and body, in order of arrival)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        is_valid_survey(b"<x/>")  # compile the schemas now, not while the first survey waits (seconds when busy)
        self.arrivals: list[float] = []
        self.received: list[tuple[str, bytes]] = []
        self.lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/system"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Recorder

    def do_POST(self) -> None:
        arrived = time.monotonic()  # the request line and headers are in: this is the arrival
        with self.server.lock:
            self.server.arrivals.append(arrived)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.received.append((self.headers.get("Content-Type") or "", body))
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        status = 415 if media not in ("application/xml", "text/xml") else \
            204 if is_valid_survey(body) else 400
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@contextlib.contextmanager
def recording() -> Iterator[Recorder]:
    """A Recorder serving in a thread for the ``with`` block."""
    server = Recorder()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
