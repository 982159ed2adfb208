"""A second, independent kind of test server for the load benchmarks: plain stdlib asyncio streams.

Where ``tests/load/stubserver.py`` is a raw ``asyncio.Protocol`` that answers from ``call_later``, this is
the server a developer writes first: ``asyncio.start_server`` with one coroutine per connection that
reads a request (``readuntil``), sleeps its delay (``asyncio.sleep``), writes the status line and
headers, then the body (two writes), and awaits ``drain``. One event loop, the default (selector)
one, pinned to one CPU with ``os.sched_setaffinity`` (``--cpu``). Its connection handling and the
timing of its replies differ from the stub's; that is the point: a load generator's own cost depends
on the server it talks to.

Same delays and log as the stub (``--delays 2ms:90,10ms:8,40ms:2``, handed out in arrival order;
``--log FILE`` written at exit: per request its arrival, its wait from the request being read to the
response being handed to the kernel, the arrival on the monotonic clock, and the entry point).
Prints ``READY <port>``; stops on SIGTERM/SIGINT. Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the stub's helpers live with the load tests

from ecekit import operations as ops
from tests.load.stubserver import _BODIES, Truth, parse_delays

_STATUS = [(r.prefix.encode(), _BODIES[r.operation.name]) for r in ops.routes() if r.operation.is_status]


def _answer(method: bytes, rest: bytes) -> tuple[bytes, bytes]:
    """(head, body) for one request, as separate writes."""
    if method == b"POST":
        return b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", b""
    for prefix, body in _STATUS:
        if rest.startswith(prefix):
            return (b"HTTP/1.1 200 OK\r\nContent-Type: application/xml;charset=UTF-8\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n", body)
    body = b"<error>no such path</error>"
    return b"HTTP/1.1 404 Not Found\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n", body


class Server:
    def __init__(self, truth: Truth, prefix: bytes) -> None:
        self.truth = truth
        self.prefix = prefix

    async def connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
                    return  # the client closed the connection, or the server is stopping
                arrival = time.perf_counter()
                lower = head.lower()
                at = lower.find(b"content-length:")
                if at >= 0:
                    await reader.readexactly(int(lower[at + 15:].split(b"\r\n", 1)[0]))
                line = head.split(b"\r\n", 1)[0].split(b" ")
                path = line[1] if len(line) > 1 else b"/"
                rest = path[len(self.prefix):] if path.startswith(self.prefix) else b"\0"
                head_out, body = _answer(line[0], rest)
                delay = self.truth.next_delay(arrival)
                if delay > 0:
                    await asyncio.sleep(delay)
                writer.write(head_out)
                if body:
                    writer.write(body)
                await writer.drain()
                t = self.truth
                t.log.append((arrival - (t.first or arrival), time.perf_counter() - arrival, arrival,
                              path.rsplit(b"/", 1)[-1].decode("ascii", "replace")))
        finally:
            writer.close()


async def main(args: argparse.Namespace) -> None:
    server = Server(Truth(parse_delays(args.delays) if args.delays else [(0.0, 1.0)], args.seed, None),
                    args.context_root.encode())
    listener = await asyncio.start_server(server.connection, "127.0.0.1", args.port, backlog=4096)
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    print(f"READY {listener.sockets[0].getsockname()[1]}", flush=True)
    await done.wait()
    listener.close()
    if args.log:
        with Path(args.log).open("w", encoding="utf-8") as f:
            for arrival, wait, clock, last in server.truth.log:
                f.write(json.dumps([round(arrival, 6), round(wait, 6), clock, last]) + "\n")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--context-root", default="/system")
    p.add_argument("--delays", default="", help="e.g. 2ms:90,10ms:8,40ms:2")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cpu", type=int, default=-1, help="pin the server to this CPU (default: the last one)")
    p.add_argument("--log", default="")
    ns = p.parse_args()
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {ns.cpu if ns.cpu >= 0 else cpus[-1]})
    asyncio.run(main(ns))
