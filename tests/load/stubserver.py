"""A tiny, fast ECE status server for the load tests and benchmarks, whose every delay is known.

Not the reference server: no model, no admin API, just valid answers (every status operation, any
entry point) from a raw asyncio protocol, fast enough that the load generator, not the server, is the
bottleneck. What it adds is truth for latency measurements:

* ``--delays 2ms:90,10ms:8,40ms:2`` fixes each request's delay in advance: a shuffled sequence (seeded)
  with exactly those shares, handed out in arrival order;
* ``--stall AT:LENGTH`` answers nothing from AT seconds after the first request for LENGTH seconds;
  whatever arrives (or is pending) meanwhile is answered when the stall ends;
* ``--silent-after N`` answers the first N requests and never answers another (a hung server);
* ``--log FILE`` writes, at exit, one line per request: its arrival (s since the first request) and its
  wait in the server (arrival to the response being written, null if never answered), which is the
  truth a load tool's percentiles are compared with.

Prints ``READY <port>`` when listening; stops on SIGTERM/SIGINT (writing the log first).
Loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import signal
import sys
import time
from pathlib import Path

from ecekit import operations as ops
from ecekit.server import render

# The same bodies the reference server renders (ecekit.server.render), so the checks under load
# judge real answers, without the reference server's routing in the timing.
_VALUES: dict[ops.Operation, dict[str, object]] = {
    ops.CHAT_ALLOWED: {"allowed": True},
    ops.AGENT_AVAILABILITY: {"available": True},
    ops.CAPACITY: {"count": 3},
    ops.LIVE_SESSION_STATUS: {"waitTime": 12.5, "queueDepth": 1},
    ops.CHECK_ELIGIBILITY: {"responseType": 0},
}
_BODIES = {op.name: render.xml(op, values) for op, values in _VALUES.items()}


def _response(status: bytes, body: bytes = b"") -> bytes:
    head = b"HTTP/1.1 " + status + b"\r\n"
    if body:
        head += b"Content-Type: application/xml;charset=UTF-8\r\n"
    return head + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body


_ROUTES = [(r.prefix.encode(), _response(b"200 OK", _BODIES[r.operation.name]))
           for r in ops.routes() if r.operation.is_status]
_NO_CONTENT = _response(b"204 No Content")
_NOT_FOUND = _response(b"404 Not Found", b"<error>no such path</error>")


def parse_delays(text: str) -> list[tuple[float, float]]:
    out = []
    for part in text.split(","):
        value, _, share = part.partition(":")
        value = value.strip()
        seconds = float(value[:-2]) / 1000 if value.endswith("ms") else float(value.rstrip("s"))
        out.append((seconds, float(share)))
    return out


class Truth:
    def __init__(self, delays: list[tuple[float, float]], seed: int, stall: tuple[float, float] | None,
                 size: int = 200_000, silent_after: int = -1) -> None:
        total = sum(share for _, share in delays) or 1.0
        seq: list[float] = []
        for seconds, share in delays:
            seq += [seconds] * round(size * share / total)
        random.Random(seed).shuffle(seq)
        self.sequence = seq or [0.0]
        self.stall = stall
        self.silent_after = silent_after
        self.unanswered: list[tuple[float, str]] = []
        self.first: float | None = None
        self.log: list[tuple[float, float]] = []
        self.n = 0

    def next_delay(self, arrival: float) -> float | None:
        """Seconds to hold this request, or None: never answer it."""
        if self.first is None:
            self.first = arrival
        if 0 <= self.silent_after <= self.n:
            self.n += 1
            return None
        delay = self.sequence[self.n % len(self.sequence)]
        self.n += 1
        if self.stall is not None:
            start = self.first + self.stall[0]
            end = start + self.stall[1]
            if arrival < end and arrival + delay > start:
                delay = max(delay, end - arrival)
        return delay


class Http(asyncio.Protocol):
    truth: Truth
    prefix: bytes

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            length = 0
            lower = head.lower()
            at = lower.find(b"content-length:")
            if at >= 0:
                length = int(lower[at + 15:].split(b"\r\n", 1)[0])
            if len(self.buffer) < end + 4 + length:
                return
            self.buffer = self.buffer[end + 4 + length:]
            self.handle(head.split(b" ", 2))

    def handle(self, line: list[bytes]) -> None:
        arrival = time.perf_counter()
        path = line[1] if len(line) > 1 else b"/"
        answer = _NOT_FOUND
        if path.startswith(self.prefix):
            rest = path[len(self.prefix):]
            if line[0] == b"POST":
                answer = _NO_CONTENT
            else:
                for prefix, body in _ROUTES:
                    if rest.startswith(prefix):
                        answer = body
                        break
        delay = self.truth.next_delay(arrival)
        if delay is None:
            self.truth.unanswered.append((arrival, path.rsplit(b"/", 1)[-1].decode("ascii", "replace")))
        elif delay <= 0:
            self.send(answer, arrival, path)
        else:
            asyncio.get_running_loop().call_later(delay, self.send, answer, arrival, path)

    def send(self, answer: bytes, arrival: float, path: bytes = b"") -> None:
        if not self.transport.is_closing():
            self.transport.write(answer)
        t = self.truth
        t.log.append((arrival - (t.first or arrival), time.perf_counter() - arrival, arrival,
                      path.rsplit(b"/", 1)[-1].decode("ascii", "replace")))


async def main(args: argparse.Namespace) -> None:
    stall = None
    if args.stall:
        at, _, length = args.stall.partition(":")
        stall = (float(at), float(length))
    Http.truth = Truth(parse_delays(args.delays) if args.delays else [(0.0, 1.0)], args.seed, stall,
                       silent_after=args.silent_after)
    Http.prefix = args.context_root.encode()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Http, "127.0.0.1", args.port, backlog=4096)
    port = server.sockets[0].getsockname()[1]
    done = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, done.set)
    print(f"READY {port}", flush=True)
    await done.wait()
    server.close()
    if args.log:
        with Path(args.log).open("w", encoding="utf-8") as f:
            t = Http.truth
            rows = [(round(arrival, 6), round(wait, 6), clock, last) for arrival, wait, clock, last in t.log]
            rows += [(round(clock - (t.first or clock), 6), None, clock, last) for clock, last in t.unanswered]
            for row in sorted(rows, key=lambda r: r[2]):
                f.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--context-root", default="/system")
    p.add_argument("--delays", default="", help="e.g. 2ms:90,10ms:8,40ms:2")
    p.add_argument("--stall", default="", help="AT:LENGTH seconds after the first request, e.g. 14:2")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--silent-after", type=int, default=-1, help="answer only the first N requests")
    p.add_argument("--log", default="")
    asyncio.run(main(p.parse_args()))
    sys.exit(0)
