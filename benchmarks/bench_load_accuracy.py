"""Accuracy: ecekit's reported p50/p95/p99 against the truth of the same run.

The stub server's delays are fixed in advance (90 % of requests 2 ms, 8 % 10 ms, 2 % 40 ms, shuffled,
handed out in arrival order) and it logs each request's own wait. With the `one-call` profile every
page view is one chatAllowed request, so the tool's percentiles must match the log's: within 10 % or
1 ms. Run: python benchmarks/bench_load_accuracy.py [--rate 200] [--duration 20]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _loadbench import ms, percentile, run_ecekit, server_log, stub_server
from ecekit import operations


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--duration", type=float, default=20)
    args = ap.parse_args()
    out = Path(tempfile.mkdtemp(prefix="ecekit-accuracy-"))
    with stub_server("--delays", "2ms:90,10ms:8,40ms:2") as (base_url, log, _):
        summary = run_ecekit(base_url, profile="one-call", rate=args.rate, duration=args.duration, out=out)
    waits = [row[1] for row in server_log(log)][1:]  # the first is ecekit's unrecorded warm-up
    reported = summary["operations"][operations.CHAT_ALLOWED.name]["latency_ms"]
    print(f"one-call at {args.rate:g} page views/s for {args.duration:g} s: ecekit counted "
          f"{summary['total']['requests']} requests, the server logged {len(waits)}")
    print(f"{'':6}{'reported ms':>13}{'true ms':>10}{'error':>9}  within 10% or 1 ms")
    ok = True
    for name, p in (("p50", 50), ("p95", 95), ("p99", 99)):
        true = ms(percentile(waits, p))
        got = reported[name]
        good = abs(got - true) <= max(0.10 * true, 1.0)
        ok &= good
        print(f"{name:6}{got:>13.3f}{true:>10.3f}{(got - true) / true:>+9.1%}  {'yes' if good else 'NO'}")
    lag = summary["schedule"]["lag_ms"]
    print(f"generator send lag: p50 {lag['p50']} ms, p99 {lag['p99']} ms; sent late: "
          f"{summary['schedule']['sent_late']}")
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
