"""The XXE canary: a tiny HTTP listener of ecekit's own that the hostile DOCTYPE surveys point at.

A status code cannot tell a server that *ignored* an external DTD or entity from one that *fetched* it
(an XXE, a server-side request forgery: a defect whatever it answered). So the hostile surveys name a
URL of this listener instead of a dead one, each with a token of its own, and every request that
reaches the listener is recorded: a fetch is proof, and its token names the survey that caused it.

* The strategies write :data:`PLACEHOLDER` (port 9, where nothing listens) into the bodies they
  generate, so they stay pure and shrinkable; :meth:`Canary.arm` rewrites it, at send time, into
  ``<canary URL>/<token>/`` and remembers which survey carried the token. The curl line of the
  exchange shows the body as sent.
* Where it listens (:func:`for_target`): on 127.0.0.1, a free port, when the server under test is on
  this machine (the embedded server, a loopback base URL); at ``--canary-url`` (target key
  ``canary_url``) for a remote server that can reach this machine; nowhere otherwise: fetches then
  cannot be observed, which the run says (a note, not a failure).
* Fetches may come late (a server that parses after answering 204): :meth:`Canary.settle` waits up to
  :data:`GRACE` seconds after the last armed survey before the fetches are judged.
* Bounded: the listener answers every request with an empty 200 (an empty DTD or entity, so a
  fetching server goes on and its status code says nothing either way), keeps at most
  :data:`MAX_FETCHES` records, reads no request body, and stops with the run.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from ecekit.errors import ConfigError
from ecekit.loopback import is_loopback

PLACEHOLDER = "http://127.0.0.1:9/"
"""Written into hostile DOCTYPEs by the strategies; replaced by a canary URL with a token when sent."""
PATH = "/ecekit-canary"
GRACE = 2.0  # seconds after the last armed survey during which a late fetch still counts
MAX_FETCHES = 1000
MAX_ARMED = 100_000
_TOKEN = re.compile(r"/([0-9a-f]{16})(?:/|$)")


@dataclass(frozen=True)
class Fetch:
    """One request that reached the canary."""

    method: str
    url: str  # the canary URL as requested
    token: str | None
    peer: str
    user_agent: str
    at: float  # time.monotonic()


@dataclass
class Armed:
    """One survey sent with a canary token: what it was, and the exchange once sent."""

    token: str
    description: str
    sent_at: float
    exchange: Any = None  # ecekit.client.Exchange, attached by the sender after the call


class _Handler(BaseHTTPRequestHandler):
    server: _Listener
    protocol_version = "HTTP/1.0"

    def _record(self) -> None:
        canary = self.server.canary
        canary.record(self.command, self.path, self.client_address[0], self.headers.get("User-Agent") or "")
        self.send_response(200)
        self.send_header("Content-Type", "application/xml-dtd")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD = do_POST = do_PUT = do_OPTIONS = _record

    def log_message(self, *_: object) -> None:
        pass


class _Listener(ThreadingHTTPServer):
    daemon_threads = True
    canary: Canary


@dataclass
class Canary:
    """A running canary: ``url`` is what surveys name (it includes :data:`PATH`)."""

    url: str
    _listener: _Listener | None = None
    _thread: threading.Thread | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    armed: dict[str, Armed] = field(default_factory=dict)
    fetches: list[Fetch] = field(default_factory=list)
    dropped: int = 0
    last_armed: float | None = None

    def arm(self, body: bytes, description: str) -> tuple[bytes, Armed | None]:
        """``body`` with every :data:`PLACEHOLDER` pointed at this canary under a fresh token."""
        marker = PLACEHOLDER.encode()
        if marker not in body:
            return body, None
        token = secrets.token_hex(8)
        armed = Armed(token, description, time.monotonic())
        with self._lock:
            if len(self.armed) < MAX_ARMED:
                self.armed[token] = armed
            self.last_armed = armed.sent_at
        return body.replace(marker, f"{self.url}/{token}/".encode()), armed

    def record(self, method: str, path: str, peer: str, user_agent: str) -> None:
        match = _TOKEN.search(path)
        root = self.url[: len(self.url) - len(urlsplit(self.url).path)]
        fetch = Fetch(method, root + path, match.group(1) if match else None, peer, user_agent[:200],
                      time.monotonic())
        with self._lock:
            if len(self.fetches) < MAX_FETCHES:
                self.fetches.append(fetch)
            else:
                self.dropped += 1

    def settle(self, grace: float = GRACE) -> None:
        """Wait until ``grace`` seconds have passed since the last armed survey (late fetches)."""
        if self.last_armed is None:
            return
        left = self.last_armed + grace - time.monotonic()
        if left > 0:
            time.sleep(min(left, grace))

    def recorded(self) -> list[tuple[Fetch, Armed | None]]:
        """Every fetch so far, with the survey whose token it carries (None: no survey of this run)."""
        with self._lock:
            return [(f, self.armed.get(f.token or "")) for f in self.fetches]

    def close(self) -> None:
        if self._listener is not None:
            self._listener.shutdown()
            self._listener.server_close()
            self._listener = None


def canary_url(value: Any) -> str:
    """Validate ``--canary-url``: http://HOST:PORT[/path], the address the server under test can reach."""
    if not isinstance(value, str):
        raise ValueError("an http URL with a port, e.g. http://10.0.0.5:8765")
    url = value.strip().rstrip("/")
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme != "http" or not parts.hostname or port is None or parts.query or parts.fragment:
        raise ValueError("an http URL with an explicit port, e.g. http://10.0.0.5:8765 (the address of "
                         "this machine the server under test can reach)")
    return url


def _start(bind: tuple[str, int], public: str | None) -> Canary:
    listener = _Listener(bind, _Handler)
    port = listener.server_address[1]
    base = public if public is not None else f"http://127.0.0.1:{port}"
    canary = Canary(base + PATH, listener)
    listener.canary = canary
    canary._thread = threading.Thread(target=listener.serve_forever, kwargs={"poll_interval": 0.2},
                                      name="ecekit-canary", daemon=True)
    canary._thread.start()
    return canary


@contextmanager
def for_target(base_url: str | None, configured: str | None) -> Iterator[Canary | None]:
    """The canary of a run: at ``configured`` (``--canary-url``), else on loopback for a server on
    this machine (``base_url`` None is the embedded one), else None (fetches cannot be observed)."""
    canary: Canary | None = None
    if configured:
        parts = urlsplit(configured)
        host = "127.0.0.1" if is_loopback(parts.hostname) else ""  # "": every interface of this machine
        try:
            canary = _start((host, parts.port or 0), configured)
        except OSError as exc:
            raise ConfigError(f"--canary-url {configured}: cannot listen on port {parts.port}: {exc.strerror}",
                              remedy="choose a free port the server under test can reach, or leave out "
                              "--canary-url") from None
    elif base_url is None or is_loopback(urlsplit(base_url).hostname):
        canary = _start(("127.0.0.1", 0), None)
    try:
        yield canary
    finally:
        if canary is not None:
            canary.close()


UNOBSERVED = ("external DTD and entity fetches (XXE) could not be observed: the server is not on this "
              "machine and no --canary-url was given (target key canary_url); pass the URL of this "
              "machine the server can reach, e.g. --canary-url http://10.0.0.5:8765")
