"""Coordinated omission: what a 2 s stall does to the reported p95/p99, open model vs closed model.

The stub server answers nothing from 14 s to 16 s after its first request; whatever arrives meanwhile
is answered when the stall ends. Visitors keep arriving at 100 page views/s regardless, so about 200
of ~3000 requests wait between 2 s and ~0 s: the true p95 is about 0.5 s and the true p99 about 1.7 s.

* ecekit, `one-call` profile at 100 page views/s for 30 s (open model, latency from the scheduled
  send time): its p95/p99 must be within 15 % of the truth, the waits the server logged in that run;
* locust as commonly used, closed model: 10 FastHttpUsers pacing themselves to 10 calls/s each
  (constant_throughput), the same 100 requests/s while the server is healthy;
* k6's open-model `constant-arrival-rate` executor, if the k6 binary is on PATH.

For each: the percentiles it reports, those of the server's log of its own run, and how many requests
arrived during the stall. Run: python benchmarks/bench_load_stall.py
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _loadbench import HERE, ms, percentile, run_ecekit, server_log, stub_server
from ecekit import operations

RATE, DURATION, STALL_AT, STALL_FOR = 100, 30, 14.0, 2.0
K6_SCRIPT = """
import http from 'k6/http';
export const options = {
  scenarios: {pv: {executor: 'constant-arrival-rate', rate: %d, timeUnit: '1s', duration: '%ds',
                   preAllocatedVUs: 400, maxVUs: 1000}},
  summaryTrendStats: ['p(50)', 'p(95)', 'p(99)', 'max'],
};
export default function () { http.get(__ENV.URL); }
"""


def truth(log: Path, skip_first: bool = False) -> tuple[float, float, int, int]:
    rows = server_log(log)[1 if skip_first else 0:]
    waits = [r[1] for r in rows]
    during = sum(1 for r in rows if STALL_AT <= r[0] < STALL_AT + STALL_FOR)
    return ms(percentile(waits, 95)), ms(percentile(waits, 99)), during, len(rows)


def closed_locust(base_url: str, tmp: Path) -> tuple[float, float]:
    prefix = tmp / "closed"
    subprocess.run([sys.executable, "-m", "locust", "-f", str(HERE / "bare_locustfile.py"), "--headless",
                    "-u", "10", "-r", "10", "-t", f"{DURATION}s", "--host", base_url, "--csv", str(prefix),
                    "--only-summary", "--loglevel", "WARNING"],
                   env={**os.environ, "ECEKIT_PACE": "10"}, check=True, timeout=DURATION + 60,
                   capture_output=True)
    with open(f"{prefix}_stats.csv", newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == "Aggregated")
    return float(row["95%"]), float(row["99%"])


def k6(base_url: str, tmp: Path) -> tuple[float, float] | None:
    if shutil.which("k6") is None:
        return None
    script = tmp / "k6.js"
    script.write_text(K6_SCRIPT % (RATE, DURATION))
    out = tmp / "k6.json"
    subprocess.run(["k6", "run", "--quiet", "--no-usage-report", "--summary-export", str(out), str(script)],
                   env={**os.environ, "URL": base_url + operations.CHAT_ALLOWED.url_path("1001"),
                        "K6_NO_USAGE_REPORT": "true"},
                   check=True, timeout=DURATION + 60, capture_output=True)
    metric = json.loads(out.read_text())["metrics"]["http_req_duration"]
    return round(metric["p(95)"], 3), round(metric["p(99)"], 3)


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="ecekit-stall-"))
    stall = ("--stall", f"{STALL_AT:g}:{STALL_FOR:g}")
    with stub_server(*stall) as (base_url, log, _):
        summary = run_ecekit(base_url, profile="one-call", rate=RATE, duration=DURATION, out=tmp / "ecekit")
    lat = summary["operations"][operations.CHAT_ALLOWED.name]["latency_ms"]
    t95, t99, during, n = truth(log, skip_first=True)  # the first is ecekit's unrecorded warm-up
    rows = [("ecekit (open, scheduled time)", lat["p95"], lat["p99"], t95, t99, during, n)]
    with stub_server(*stall) as (base_url, log, _):
        c95, c99 = closed_locust(base_url, tmp)
    rows.append(("locust closed model (10 users)", c95, c99, *truth(log)))
    with stub_server(*stall) as (base_url, log, _):
        k = k6(base_url, tmp)
    if k is not None:
        rows.append(("k6 constant-arrival-rate", k[0], k[1], *truth(log)))
    print(f"{RATE} requests/s for {DURATION} s, server silent from {STALL_AT:g} s to {STALL_AT + STALL_FOR:g} s")
    print(f"{'tool':<32}{'reported p95':>13}{'p99 (ms)':>10}{'server-log p95':>16}{'p99 (ms)':>10}"
          f"{'arrivals in stall':>19}{'requests':>10}")
    for name, r95, r99, s95, s99, d, total in rows:
        print(f"{name:<32}{r95:>13.1f}{r99:>10.1f}{s95:>16.1f}{s99:>10.1f}{d:>19}{total:>10}")
    e95, e99 = abs(lat["p95"] - t95) / t95, abs(lat["p99"] - t99) / t99
    ok = e95 <= 0.15 and e99 <= 0.15
    print(f"ecekit vs the truth of its run: p95 {e95:+.1%}, p99 {e99:+.1%} (acceptance within 15%): "
          + ("PASS" if ok else "FAIL"))
    print(f"ecekit schedule: sent late {summary['schedule']['sent_late']}, unsent {summary['schedule']['unsent']}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
