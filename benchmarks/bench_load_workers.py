"""`--workers 2` (a locust master and two worker processes, histograms merged on the master) against
one process: same offered load, same fixed-delay server; the request counts and percentiles must
agree within noise. A Poisson count of N has a standard deviation of sqrt(N); each run's percentiles
are also compared with the truth of its own server log. Exits 1 when they disagree: request counts
more than 4 sd apart, a run that lost requests (its count is not the server's), a worker count not in
the summary, or a percentile off its own truth (or the other run's) by more than 15 % + 1 ms.
Run: python benchmarks/bench_load_workers.py [--rate 200] [--duration 20]
"""

from __future__ import annotations

import argparse
import math
import tempfile
from pathlib import Path

from _loadbench import ms, percentile, run_ecekit, server_log, stub_server


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--duration", type=float, default=20)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="ecekit-workers-"))
    expected = args.rate * args.duration
    print(f"one-call at {args.rate:g} page views/s for {args.duration:g} s: expected {expected:.0f} "
          f"± {math.sqrt(expected):.0f} requests (1 sd)")
    print(f"{'':10}{'requests':>9}{'server':>8}{'p50':>9}{'p95':>9}{'p99':>9}   truth p50/p95/p99 (ms)")
    results = {}
    problems: list[str] = []
    for workers in (1, 2):
        with stub_server("--delays", "2ms:90,10ms:8,40ms:2") as (base_url, log, _):
            s = run_ecekit(base_url, profile="one-call", rate=args.rate, duration=args.duration,
                           out=tmp / f"w{workers}", workers=workers)
        waits = [r[1] for r in server_log(log)][workers:]  # each stream's unrecorded warm-up call
        lat = s["total"]["latency_ms"]
        true = [ms(percentile(waits, p)) for p in (50, 95, 99)]
        results[workers] = (s["total"]["requests"], lat)
        print(f"{workers} worker{'s' if workers > 1 else ' '} {s['total']['requests']:>9}{len(waits):>8}"
              f"{lat['p50']:>9.3f}{lat['p95']:>9.3f}{lat['p99']:>9.3f}   {true[0]} / {true[1]} / {true[2]}"
              f"   (workers in summary: {s['workers']})")
        if s["workers"] != workers:
            problems.append(f"{workers} workers: summary says {s['workers']}")
        if s["total"]["requests"] != len(waits):
            problems.append(f"{workers} workers: {s['total']['requests']} requests reported, "
                            f"{len(waits)} in the server's log")
        for key, value in zip(("p50", "p95", "p99"), true, strict=True):
            if not close(lat[key], value):
                problems.append(f"{workers} workers: {key} {lat[key]} ms, truth {value} ms")
    (n1, l1), (n2, l2) = results[1], results[2]
    sd = math.sqrt(expected)
    print(f"difference in requests: {n2 - n1:+d} ({(n2 - n1) / sd:+.1f} sd of one run's count)")
    print("difference in p50/p95/p99: " + ", ".join(f"{l2[k] - l1[k]:+.3f} ms" for k in ("p50", "p95", "p99")))
    if abs(n2 - n1) > 4 * math.sqrt(2) * sd:  # the difference of two Poisson counts has sd sqrt(2N)
        problems.append(f"request counts differ by {n2 - n1:+d}, more than 4 sd")
    problems += [f"{k}: 1 worker {l1[k]} ms, 2 workers {l2[k]} ms" for k in ("p50", "p95", "p99")
                 if not close(l2[k], l1[k])]
    for problem in problems:
        print("DISAGREE: " + problem)
    print("FAIL" if problems else "PASS: one process and two workers agree")
    return 1 if problems else 0


def close(measured: float, reference: float) -> bool:
    """Within 15 % plus 1 ms: HDR resolution and a shared machine's scheduling noise."""
    return abs(measured - reference) <= 0.15 * reference + 1.0


if __name__ == "__main__":
    raise SystemExit(main())
