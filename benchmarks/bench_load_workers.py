"""`--workers 2` (a locust master and two worker processes, histograms merged on the master) against
one process: same offered load, same fixed-delay server; the request counts and percentiles must
agree within noise. A Poisson count of N has a standard deviation of sqrt(N); each run's percentiles
are also compared with the truth of its own server log.
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
    (n1, l1), (n2, l2) = results[1], results[2]
    sd = math.sqrt(expected)
    print(f"difference in requests: {n2 - n1:+d} ({(n2 - n1) / sd:+.1f} sd of one run's count)")
    print("difference in p50/p95/p99: " + ", ".join(f"{l2[k] - l1[k]:+.3f} ms" for k in ("p50", "p95", "p99")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
