"""Generator efficiency: one ecekit locust process (scheduler, contract checks, HDR histograms) against
a bare FastHttpUser making the same chatAllowed calls without checks, in the same run, same server.

Both generators run *at the same time, pinned to the same CPU*, each flat out with 10 requests in
flight: ecekit at an offered rate far above what it can send (its pool stays full), the bare user in
a closed loop with no wait. The kernel shares that CPU fairly between two busy processes, so the
ratio of the rates they reach is the ratio of their efficiency, and whatever else the machine is
doing slows both alike. The server (stub, on the other CPU) counts each one's requests by entry point
over the steady middle of the run; its own CPU use is shown to prove it was not the bottleneck.
Acceptance: ecekit / bare >= 0.85. ECEKIT_CHECK_MEMO=0 is also measured (every body parsed and
validated afresh, no verdict memo). Run: python benchmarks/bench_load_efficiency.py [--phase 20]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _loadbench import HERE, cpu_seconds, profile_file, run_ecekit, server_log, stub_server

CONCURRENCY = 10
PROFILE = f"""description = "one-call, saturated: efficiency benchmark"
timeout = 2.0
max_in_flight = {CONCURRENCY}
[[call]]
operation = "chatAllowed"
"""


def _pin(cmd: list[str], cpu: int) -> list[str]:
    return ["taskset", "-c", str(cpu), *cmd] if shutil.which("taskset") else cmd


def phase(base_url: str, log_pid: int, seconds: float, out: Path, prof: Path, memo: bool) -> dict:
    bare = subprocess.Popen(
        _pin([sys.executable, "-m", "locust", "-f", str(HERE / "bare_locustfile.py"), "--headless",
              "-u", str(CONCURRENCY), "-r", str(CONCURRENCY), "-t", f"{seconds + 4:g}s", "--host", base_url,
              "--only-summary", "--loglevel", "WARNING"], 0),
        env={**os.environ, "ECEKIT_ENTRY_POINT": "1002"}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    start = time.perf_counter()
    os.environ["ECEKIT_CHECK_MEMO"] = "1" if memo else "0"
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # the ecekit process inherits it
    cpu0 = cpu_seconds(log_pid)
    run_ecekit(base_url, profile=str(prof), rate=20000, duration=seconds, out=out, entry_point="1001")
    server_cpu = (cpu_seconds(log_pid) - cpu0) / (time.perf_counter() - start)
    bare.wait(60)
    return {"window": (start + 5, start + seconds - 1), "server_cpu": server_cpu}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--phase", type=float, default=20, help="seconds per phase")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ecekit-efficiency-"))
    prof = profile_file(tmp, "saturated", PROFILE)
    phases = {}
    with stub_server(cpu=1) as (base_url, log, pid):
        for memo in (True, False):
            phases[memo] = phase(base_url, pid, args.phase, tmp / f"memo-{memo}", prof, memo)
    rows = server_log(log)
    ok = True
    for memo, info in phases.items():
        lo, hi = info["window"]
        counts = {"1001": 0, "1002": 0}
        for _, _, clock, ep in rows:
            if lo <= clock < hi and ep in counts:
                counts[ep] += 1
        ecekit, bare = counts["1001"] / (hi - lo), counts["1002"] / (hi - lo)
        ratio = ecekit / bare
        label = "verdict memo on (default)" if memo else "memo off: every body parsed + validated"
        print(f"{label}: ecekit {ecekit:,.0f} req/s, bare FastHttpUser {bare:,.0f} req/s, sharing one CPU; "
              f"ratio {ratio:.3f}; server CPU {info['server_cpu']:.0%}")
        if memo:
            ok = ratio >= 0.85
    print("acceptance (memo on, the default): ratio >= 0.85:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
