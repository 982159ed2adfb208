"""A status server whose capacity is known exactly: ``workers`` requests served at a time, each taking
``service_s``, so at most workers / service_s answers per second (4 x 20 ms: 200/s). What arrives
beyond that waits in a FIFO queue, as at a servlet container whose thread pool is exhausted.

Stdlib asyncio in a background thread of the test process; bodies from ecekit.server.render (the
reference server's own answers), so the load checks judge real answers. Loopback only.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator

from ecekit import operations as ops
from ecekit.server import render

_BODIES = {ops.CHAT_ALLOWED.name: render.xml(ops.CHAT_ALLOWED, {"allowed": True}),
           ops.AGENT_AVAILABILITY.name: render.xml(ops.AGENT_AVAILABILITY, {"available": True}),
           ops.CAPACITY.name: render.xml(ops.CAPACITY, {"count": 3}),
           ops.LIVE_SESSION_STATUS.name: render.xml(ops.LIVE_SESSION_STATUS, {"waitTime": 1.5, "queueDepth": 1}),
           ops.CHECK_ELIGIBILITY.name: render.xml(ops.CHECK_ELIGIBILITY, {"responseType": 0})}
CONTEXT_ROOT = b"/system"


def _response(status: bytes, body: bytes) -> bytes:
    return (b"HTTP/1.1 " + status + b"\r\nContent-Type: application/xml;charset=UTF-8\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body)


_ROUTES = [(CONTEXT_ROOT + r.prefix.encode(), _response(b"200 OK", _BODIES[r.operation.name]))
           for r in ops.routes() if r.operation.is_status]
_NOT_FOUND = _response(b"404 Not Found", b"<error>no such path</error>")
_BUSY = _response(b"503 Service Unavailable", b"<error>busy</error>")


class PoolServer:
    """``queue``: with a number, at most that many requests wait for a worker; one more is refused at once
    with a 503 (a server that sheds load, so its answers never get slower than service + queue wait)."""

    def __init__(self, workers: int, service_s: float, queue: int | None = None) -> None:
        self.workers, self.service_s, self.queue = workers, service_s, queue
        self.served = 0
        self.inside = 0  # being served or waiting

    @property
    def capacity(self) -> float:
        return self.workers / self.service_s

    def service_time(self, number: int) -> float:
        """Seconds to serve the number-th request (from 1)."""
        return self.service_s

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1]
                answer = next((r for prefix, r in _ROUTES if path.startswith(prefix)), _NOT_FOUND)
                number = self.served = self.served + 1
                if self.queue is not None and self.inside >= self.workers + self.queue:
                    writer.write(_BUSY)
                    continue
                self.inside += 1
                try:
                    async with self.pool:
                        await asyncio.sleep(self.service_time(number))
                finally:
                    self.inside -= 1
                writer.write(answer)
        writer.close()

    @contextlib.contextmanager
    def running(self) -> Iterator[str]:
        """Serve in a background thread; yields the base URL (context root included)."""
        loop = asyncio.new_event_loop()
        started = threading.Event()
        box: dict[str, object] = {}

        async def main() -> None:
            self.pool = asyncio.Semaphore(self.workers)
            server = await asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=4096)
            box["port"] = server.sockets[0].getsockname()[1]
            box["stop"] = stop = asyncio.Event()
            started.set()
            async with server:
                await stop.wait()
            rest = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)

        thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
        thread.start()
        assert started.wait(10)
        try:
            yield f"http://127.0.0.1:{box['port']}{CONTEXT_ROOT.decode()}"
        finally:
            loop.call_soon_threadsafe(box["stop"].set)  # type: ignore[attr-defined]
            thread.join(10)


class NoisyServer(PoolServer):
    """Answers 97 % of requests in ``fast_s`` and 3 % in ``slow_s``, spread evenly (request numbers
    whose (37 n) mod 100 < 3: exactly 3 of every 100 consecutive ones), with workers enough that nothing
    queues: its true p95 is ``fast_s`` at every rate, and a p95 over a few answers is one or two of
    the slow ones."""

    SLOW_PER_100 = 3

    def __init__(self, fast_s: float = 0.001, slow_s: float = 0.060, workers: int = 256) -> None:
        super().__init__(workers=workers, service_s=fast_s)
        self.slow_s = slow_s

    def service_time(self, number: int) -> float:
        return self.slow_s if (37 * number) % 100 < self.SLOW_PER_100 else self.service_s


if __name__ == "__main__":  # a server for trying capacity by hand, for at most --seconds
    import argparse
    import time

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--noisy", action="store_true", help="97 %% x 1 ms, 3 %% x 60 ms")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--service-ms", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=600.0)
    args = parser.parse_args()
    server = NoisyServer() if args.noisy else PoolServer(args.workers, args.service_ms / 1000)
    with server.running() as url:
        print(url, flush=True)
        time.sleep(args.seconds)
