"""Status-endpoint throughput of `ecekit serve` against a bare ASGI app on the same stack, in one run.

Both servers run as subprocesses with one uvicorn worker (httptools, uvloop, no access log), pinned to
CPU 0; the load generator, wrk, is pinned to CPU 1 when the machine has two. Loopback only, bounded
duration. The bare app answers a fixed body of the
same size and headers, so the ratio measures what ecekit's routing, negotiation and caching cost.

    python benchmarks/bench_server.py [--duration 5] [--connections 50] [--rounds 2]

Prints requests/s of each and the ratio; exits 0 (it measures, it does not judge) and says clearly
when no load generator is available (install one with `apt-get install -y wrk`).
Why no locust fallback: a Python load generator saturates its own core long before 15,000
requests/s, so its figure would measure the generator, not the server; the script skips instead.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ecekit import operations as ops
from ecekit.server.embedded import LISTENING, serve_command

STATUS_PATHS = [op.url_path(1001) for op in ops.STATUS_OPERATIONS]

BARE_APP = textwrap.dedent('''
    import sys, uvicorn
    from ecekit.server import runtime
    BODY = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\\n' + b"x" * 230
    START = {"type": "http.response.start", "status": 200,
             "headers": [(b"content-type", b"application/xml;charset=UTF-8"),
                         (b"content-length", str(len(BODY)).encode())]}
    END = {"type": "http.response.body", "body": BODY}
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        await send(START)
        await send(END)
    sock = runtime.bind("127.0.0.1", 0)
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}", flush=True)
    uvicorn.Server(runtime.config(app)).run(sockets=[sock])
''')

WRK_ROTATE = textwrap.dedent('''
    local paths = {%s}
    local i = 0
    request = function()
        i = i + 1
        return wrk.format("GET", paths[(i %% #paths) + 1])
    end
''')


def _pin(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > cpu:
        os.sched_setaffinity(0, {cpu})


@contextmanager
def _server(argv: list[str]) -> Iterator[str]:
    """Start a server pinned to CPU 0; yield its base URL (host:port, no path)."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            preexec_fn=lambda: _pin(0))
    try:
        deadline = time.monotonic() + 20
        assert proc.stdout is not None
        for line in proc.stdout:
            match = LISTENING.search(line)
            if match:
                yield match.group(1)
                return
            if time.monotonic() > deadline:
                break
        raise SystemExit(f"server did not start: {' '.join(argv[:4])}")
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wrk(url: str, paths: list[str], duration: float, connections: int, script_dir: Path) -> float:
    script = script_dir / "rotate.lua"
    script.write_text(WRK_ROTATE % ", ".join(f'"{p}"' for p in paths))
    pin = ["taskset", "-c", "1"] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else []

    def wrk(seconds: float) -> str:
        cmd = [*pin, "wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", str(script), url]
        return subprocess.run(cmd, capture_output=True, text=True, check=False,
                              timeout=seconds + 30).stdout

    wrk(1)  # warm-up
    out = wrk(duration)
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  warning: {errors.group(1)} non-2xx answers from {url}")
    if not match:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    return float(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=2, help="alternating rounds; best of each kept")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("SKIPPED: no load generator: install wrk (apt-get install -y wrk) and run again")
        return 0
    ece = bare = 0.0
    with tempfile.TemporaryDirectory(prefix="ecekit-bench-") as tmp:
        surveys = str(Path(tmp) / "surveys.sqlite3")
        ece_argv = serve_command("--port", "0", "--surveys", surveys, "--log-level", "warning")
        paths = ["/system" + p for p in STATUS_PATHS]
        # Alternate and keep each one's best round: on a shared machine, a neighbour's burst of work
        # during one measurement would otherwise decide the ratio.
        for _ in range(args.rounds):
            with _server(ece_argv) as url:
                ece = max(ece, _wrk(url, paths, args.duration, args.connections, Path(tmp)))
            with _server([sys.executable, "-c", BARE_APP]) as url:
                bare = max(bare, _wrk(url, paths, args.duration, args.connections, Path(tmp)))
    print(f"ecekit serve (5 status operations, entry point 1001): {ece:>10,.0f} requests/s")
    print(f"bare ASGI app, same stack:                          {bare:>10,.0f} requests/s")
    print(f"ratio ecekit / bare:                                {ece / bare:>10.2f}")
    print(f"goal: >= 15,000 requests/s and ratio >= 0.5 -> "
          f"{'met' if ece >= 15_000 and ece / bare >= 0.5 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
