"""A hostile HTTP server for the tests: every answer is one that must cost ecekit a bounded time and
a bounded amount of memory (decompression bombs, bodies that never end, drips, lying lengths).

Loopback only, port 0, and bounded itself: no connection lives longer than ``max_seconds``. Any
request (GET or POST, any path) gets the mode's answer, then the connection is closed. Run it in a
thread (:func:`serving`) for unit tests, or as a script for runs of the CLI in other processes::

    python tests/hostile.py gzip-bomb        # prints "READY <port>", serves until killed

Modes (``MODES``):

* ``gzip-bomb``, ``deflate-bomb`` (zlib-wrapped), ``raw-deflate-bomb``, ``br-bomb``: a valid body of
  about 1 MiB (brotli: 0.2 MiB) that inflates to ``inflated`` bytes of zeros (1 GiB). gzip and
  deflate are built in milliseconds: after a full flush the compressed form of each 1 MiB of zeros
  is the same bytes, so the stream is one piece repeated, with the checksum computed apart.
* ``endless-chunked``: a chunked body sent as fast as it is read, never finished.
* ``huge-length``: ``Content-Length`` of 10^15, and bytes as fast as they are read.
* ``lying-length``: ``Content-Length`` of 1 GiB, 100 bytes sent, then silence with the socket open.
* ``drip``: a chunked body of one byte every ``interval`` seconds, never finished.
* ``drip-head``: the status line, then header bytes one every ``interval`` seconds, never finished
  (each read of the head is quick; only a deadline on the whole answer ends it).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import select
import socket
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GIB = 1 << 30
MIB = 1 << 20
BOMBS = ("gzip-bomb", "deflate-bomb", "raw-deflate-bomb", "br-bomb")
MODES = (*BOMBS, "endless-chunked", "huge-length", "lying-length", "drip", "drip-head")
ENCODING = {"gzip-bomb": "gzip", "deflate-bomb": "deflate", "raw-deflate-bomb": "deflate", "br-bomb": "br"}


@functools.lru_cache(maxsize=8)
def bomb(mode: str, inflated: int = GIB) -> bytes:
    """A valid compressed body of ``inflated`` zero bytes (a whole number of MiB)."""
    if mode == "br-bomb":
        import brotli

        return bytes(brotli.compress(bytes(inflated), quality=1))
    wbits = {"gzip-bomb": 31, "deflate-bomb": 15, "raw-deflate-bomb": -15}[mode]
    zeros = bytes(MIB)
    co = zlib.compressobj(9, zlib.DEFLATED, wbits)
    head = co.compress(zeros) + co.flush(zlib.Z_FULL_FLUSH)  # with the gzip/zlib header
    piece = co.compress(zeros) + co.flush(zlib.Z_FULL_FLUSH)  # every further MiB: these same bytes
    n = inflated // MIB
    end = b"\x03\x00"  # an empty final block
    if mode == "gzip-bomb":
        crc = 0
        for _ in range(n):
            crc = zlib.crc32(zeros, crc)
        end += struct.pack("<II", crc, inflated & 0xFFFFFFFF)
    elif mode == "deflate-bomb":
        end += struct.pack(">I", ((inflated % 65521) << 16) | 1)  # adler32 of zeros: a = 1, b = n mod 65521
    return head + piece * (n - 1) + end


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, mode: str, *, inflated: int = GIB, interval: float = 0.5, max_seconds: float = 60.0,
                 host: str = "127.0.0.1") -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
        self.mode, self.inflated, self.interval, self.max_seconds = mode, inflated, interval, max_seconds
        self.requests = 0
        self.lock = threading.Lock()
        if mode in BOMBS:
            bomb(mode, inflated)  # built before the first request, not inside its timing
        super().__init__((host, 0), _Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/system"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HostileServer

    def log_message(self, *_: object) -> None:
        pass

    def do_GET(self) -> None:
        self._hostile()

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length", "0")
        if length.isdigit():
            self.rfile.read(min(int(length), MIB))
        self._hostile()

    def _head(self, *headers: tuple[str, str]) -> None:
        lines = ["HTTP/1.1 200 OK", "Content-Type: application/xml", "Connection: close",
                 *(f"{k}: {v}" for k, v in headers)]
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    def _hostile(self) -> None:
        srv = self.server
        with srv.lock:
            srv.requests += 1
        self.close_connection = True
        ends = time.monotonic() + srv.max_seconds
        mode = srv.mode
        with contextlib.suppress(OSError):  # the client gave up: that is the point
            if mode in BOMBS:
                body = bomb(mode, srv.inflated)
                self._head(("Content-Encoding", ENCODING[mode]), ("Content-Length", str(len(body))))
                self.wfile.write(body)
            elif mode in ("endless-chunked", "huge-length"):
                chunked = mode == "endless-chunked"
                self._head(("Transfer-Encoding", "chunked") if chunked else ("Content-Length", str(10**15)))
                block = b"<a>" + b"x" * (64 * 1024 - 7) + b"</a>"
                piece = f"{len(block):x}\r\n".encode() + block + b"\r\n" if chunked else block
                while time.monotonic() < ends:
                    self.wfile.write(piece)
            elif mode == "lying-length":
                self._head(("Content-Length", str(GIB)))
                self.wfile.write(b"<a>" + b"x" * 97)
                sock = self.connection
                while time.monotonic() < ends:  # silence until the client closes, or the bound
                    ready, _, _ = select.select([sock], [], [], 0.1)
                    if ready and not sock.recv(4096):
                        break
            elif mode == "drip":
                self._head(("Transfer-Encoding", "chunked"))
                while time.monotonic() < ends:
                    self.wfile.write(b"1\r\nx\r\n")
                    time.sleep(srv.interval)
            elif mode == "drip-head":
                self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Drip: ")
                while time.monotonic() < ends:
                    self.wfile.write(b"x")
                    time.sleep(srv.interval)
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)


@contextlib.contextmanager
def serving(mode: str, **kwargs: float) -> Iterator[HostileServer]:
    """The server in a daemon thread for the duration of the block."""
    srv = HostileServer(mode, **kwargs)  # type: ignore[arg-type]
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


@contextlib.contextmanager
def process(mode: str, *args: str) -> Iterator[str]:
    """The server as a process of its own (its memory and CPU apart from the process measured);
    yields its base URL."""
    cmd = [sys.executable, __file__, mode, *args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.startswith("READY "):
            raise RuntimeError(f"hostile server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}/system"
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("--inflated", type=int, default=GIB, help="bytes a bomb inflates to (MiB multiple)")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between drips")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="longest life of a connection")
    args = parser.parse_args()
    srv = HostileServer(args.mode, inflated=args.inflated, interval=args.interval, max_seconds=args.max_seconds)
    print(f"READY {srv.port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        srv.serve_forever(poll_interval=0.1)


if __name__ == "__main__":
    main()
