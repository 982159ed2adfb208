"""A deadline on a whole answer, head included: the socket of a request that outlives it is shut.

Socket timeouts bound each read, not the answer: a server that sends its status line and then one
header byte every half second never trips a 10 s read timeout, and ``http.client`` reads up to 100
header lines of 64 KiB each. The body loop of :mod:`ecekit.client` checks its deadline between reads;
the head is read inside ``http.client``, out of reach of such a check. So a timer shuts the
connection's socket when the deadline passes, which ends whatever read is blocked on it (the caller
sees an error and asks :attr:`Guard.fired` whether it was the deadline).

For ``requests`` the connection is learnt through urllib3's public extension points: a session adapter
whose pools use a connection class that notes itself when it sends a request
(``HTTPConnectionPool.ConnectionCls``, ``PoolManager.pool_classes_by_scheme``). A plain
``http.client`` connection (the up-front probe) is handed to :func:`guard` directly.
"""

from __future__ import annotations

import contextlib
import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import requests
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.connection import HTTPConnection, HTTPSConnection

_current = threading.local()  # the Guard of the request this thread is sending, if any


class Guard:
    """One answer's deadline; ``conn`` is the connection to shut when it passes."""

    def __init__(self, seconds: float, conn: Any = None) -> None:
        self.seconds = seconds
        self.conn = conn
        self.fired = False
        self.done = False
        self.lock = threading.Lock()

    def fire(self) -> None:
        with self.lock:
            if self.done:
                return
            self.fired = True
            sock = getattr(self.conn, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Watch:
    """One daemon thread for every guard of the process: a heap of deadlines (a timer thread per
    request would cost a thread start per answer)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Guard]] = []
        self._wake = threading.Condition()
        self._count = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, guard: Guard) -> None:
        with self._wake:
            heapq.heappush(self._heap, (time.monotonic() + guard.seconds, next(self._count), guard))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="ecekit-deadlines", daemon=True)
                self._thread.start()
            elif self._heap[0][2] is guard:
                self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._wake.wait()
                    continue
                when, _, guard = self._heap[0]
                left = when - time.monotonic()
                if left > 0:
                    self._wake.wait(left)
                    continue
                heapq.heappop(self._heap)
            guard.fire()


_WATCH = _Watch()


@contextlib.contextmanager
def guard(seconds: float, conn: Any = None) -> Iterator[Guard]:
    """Shut the connection's socket if the block is still running after ``seconds``. Without
    ``conn``, the connection a :func:`mount`-ed session sends this thread's next request on."""
    g = Guard(seconds, conn)
    previous = getattr(_current, "guard", None)
    _current.guard = g
    _WATCH.add(g)
    try:
        yield g
    finally:
        with g.lock:
            g.done = True
        _current.guard = previous


def _note(conn: Any) -> None:
    g = getattr(_current, "guard", None)
    if g is not None:
        with g.lock:
            g.conn = conn
        if g.fired:  # the deadline passed before the request was sent: send nothing
            raise TimeoutError(f"not sent: the deadline of {g.seconds:g}s passed while connecting")


class _Connection(HTTPConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        _note(self)
        super().request(*args, **kwargs)


class _TLSConnection(HTTPSConnection):
    def request(self, *args: Any, **kwargs: Any) -> None:
        _note(self)
        super().request(*args, **kwargs)


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _TLSConnection


_POOLS = {"http": _Pool, "https": _TLSPool}


class _Adapter(requests.adapters.HTTPAdapter):
    """Pools (direct or through a proxy) whose connections tell the guard which socket to shut."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _POOLS
        return manager


def mount(session: requests.Session) -> None:
    """Make every http(s) request of ``session`` one that :func:`guard` can cut short."""
    adapter = _Adapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
