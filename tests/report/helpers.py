"""What the report tests share: how they run ecekit, the secret no report may show, the kinds of run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ENV = {**os.environ, "NO_COLOR": "1"}
ENV.pop("GITHUB_STEP_SUMMARY", None)
SECRET = "s3cr3t-token-never-shown"


def ecekit(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ecekit",
                           *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=ENV)


KINDS = {"check_pass": "check", "check_fail": "check", "fuzz": "fuzz", "load": "load", "capacity": "capacity",
         "capacity_real": "capacity", "compare": "compare", "compare_capacity": "compare",
         "load_outcomes": "load"}


def _latency(before: float, after: float, ci: list[float], verdict: str, decide: str | None = None) -> dict[str, Any]:
    change = round(after - before, 3)
    return {"before_ms": before, "after_ms": after, "change_ms": change,
            "change_pct": round(100 * change / before, 1), "ci95_ms": ci, "margin_ms": round(0.1 * before, 3),
            "verdict": verdict, "decide": decide}


PERCENTILES = [1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9]


def _operation(requests: tuple[int, int], p50: dict[str, Any], p95: dict[str, Any], p99: dict[str, Any],
               error_rate: dict[str, Any], shift: float) -> dict[str, Any]:
    before = [1.0, 1.2, 1.4, 1.8, 2.1, 2.6, 3.4, 4.0, 6.5, 12.0]
    return {"requests": {"before": requests[0], "after": requests[1]}, "p50": p50, "p95": p95, "p99": p99,
            "error_rate": error_rate,
            "distribution": {"percentiles": PERCENTILES, "before_ms": before,
                             "after_ms": [round(v + shift, 3) for v in before]}}


ERRORS = {"before": 0.0, "after": 0.001, "change_pp": 0.1, "ci95_pp": [0.0, 0.2], "margin_pp": 0.1,
          "verdict": "same", "decide": None}
COMPARE: dict[str, Any] = {
    "kind": "compare", "verdict": "slower",
    "before": {"path": "runs/a", "runs": 5, "profile": "one-call", "offered_rate": 200.0, "duration_s": 10.0},
    "after": {"path": "runs/b", "runs": 4, "profile": "one-call", "offered_rate": 200.0, "duration_s": 10.0},
    "margin": {"relative": 0.10, "absolute_ms": 0.1, "error_pp": 0.1},
    "between_runs": True,
    "notes": ["after ran 4 runs, before 5"],
    "operations": {
        "total": _operation((9000, 9100), _latency(2.1, 3.1, [0.8, 1.2], "slower"),
                            _latency(4.0, 5.0, [0.7, 1.3], "slower"), _latency(6.5, 7.5, [-0.2, 2.2], "inconclusive"),
                            ERRORS, 1.0),
        "chatAllowed": _operation((9000, 9100), _latency(2.1, 3.1, [0.8, 1.2], "slower"),
                                  _latency(4.0, 5.0, [0.7, 1.3], "slower"),
                                  _latency(6.5, 7.5, [-0.2, 2.2], "inconclusive", "about 12 runs a side would decide"),
                                  ERRORS, 1.0)},
    "outcomes": {"chat": {"ever_error": {"before": 0.0, "after": 0.0, "change_pp": 0.0, "ci95_pp": [-0.1, 0.1],
                                         "verdict": "same", "decide": None}}}}

COMPARE_CAPACITY: dict[str, Any] = {
    "kind": "compare-capacity", "verdict": "moved down",
    "before": {"path": "runs/cap-a", "max_sustainable_rate": 400.0, "bracket": [400.0, 800.0], "limited_by": "server"},
    "after": {"path": "runs/cap-b", "max_sustainable_rate": 200.0, "bracket": [200.0, 400.0], "limited_by": "server"},
    "notes": ["both searches doubled the rate each step: each bracket is a factor 2 wide"]}
