"""The hot request of a load run: a status GET whose bytes are built once, not on every call.

Each latency runs from the page view's scheduled time, so whatever the generator does between that
time and the request's first byte is in the number. A status operation's GET is the same bytes for
an entry point every time (method, URI, the session's headers), yet geventhttpclient's
``HTTPClient.request`` merges the headers, checks each one against RFC 9110's grammar and formats the
request on every call: 80 µs at the median, measured between the page view's time and its first
byte (caches are cold after the generator slept). ``PreparedGets`` builds each request once, with the
client's own ``_build_request`` (so the bytes are exactly those ``request`` would send), and sends it
on a socket of the client's own pool (its timeouts, keep-alive, TLS), with a browser's rule for a
kept-alive connection the server closed meanwhile: try again, once, on another (GET is idempotent, RFC
9110 9.2.2). Only a socket that has answered before is retried: a new connection closed without an
answer is the server dropping the request, and counts as a ``connection`` failure. (The client's own
rule retries any closed connection up to pool size + 1 times: a server that drops 30 % of its
connections showed no dropped GET at all.) The response is geventhttpclient's own. The socket itself
is taken from the pool before the page view's time (``ready``). Where an older or newer
geventhttpclient lacks these pieces, ``of`` returns None and the caller keeps to ``HTTPClient.request``.

Imports geventhttpclient (gevent, not locust): only ``locust_user`` uses it, inside a locust process.
"""

from __future__ import annotations

import contextlib
import errno
import weakref
from collections.abc import Mapping
from typing import Any

from geventhttpclient.response import HTTPConnectionClosed, HTTPSocketPoolResponse

_STALE = (errno.ECONNRESET, errno.EPIPE)


class PreparedGets:
    """GETs on one HTTPClient, each URI's request bytes built on first use."""

    def __init__(self, client: Any, headers: Mapping[str, Any]) -> None:
        self.pool = client._connection_pool
        self.build = client._build_request
        self.block_size = client.block_size
        self.headers_type = client.headers_type
        self.headers = headers
        self.requests: dict[str, bytes] = {}
        self.spare: Any = None  # a socket taken from the pool ahead of the next request (see ready)
        self.answered: weakref.WeakSet[Any] = weakref.WeakSet()  # sockets that have carried an answer

    @classmethod
    def of(cls, client: Any, headers: Mapping[str, Any]) -> PreparedGets | None:
        try:
            prepared = cls(client, headers)
            prepared.prepare("/")  # the private pieces answer as expected, or we do not use them
        except (AttributeError, TypeError):
            return None
        prepared.requests.clear()
        return prepared

    def prepare(self, uri: str) -> bytes:
        request = self.requests.get(uri)
        if request is None:
            text = self.build("GET", uri, body=b"", headers=self.headers)
            request = self.requests[uri] = text.encode("latin-1")
        return request

    def ready(self) -> None:
        """Take a socket from the pool now, for the next GET: the leader calls this before it sleeps
        until a page view's time, so the pool's checks (a semaphore, a queue, a select() to see that
        the kept-alive socket is still open) are not in that page view's latency."""
        if self.spare is None:
            # refused, unreachable: the request itself meets it again and counts it as a failure
            with contextlib.suppress(OSError):
                self.spare = self.pool.get_socket()

    def get(self, uri: str) -> HTTPSocketPoolResponse:
        """Send the GET and read the response's head; the caller reads the body."""
        request = self.requests.get(uri) or self.prepare(uri)
        pool = self.pool
        retried = False
        while True:
            sock, self.spare = self.spare, None
            if sock is None:
                sock = pool.get_socket()
            kept = sock in self.answered  # kept alive: the server may have closed it while it was idle
            stale = kept and not retried
            try:
                sock.sendall(request)
            except OSError as exc:
                pool.release_socket(sock)
                if exc.errno in _STALE and stale:
                    retried = True
                    continue
                raise
            except BaseException:  # the caller's deadline, or the greenlet killed: the socket goes back
                pool.release_socket(sock)
                raise
            try:
                response = HTTPSocketPoolResponse(sock, pool, block_size=self.block_size, method="GET",
                                                  headers_type=self.headers_type)
            except HTTPConnectionClosed:  # the response released the socket itself
                if stale:
                    retried = True
                    continue
                raise
            if not kept:
                self.answered.add(sock)
            return response
