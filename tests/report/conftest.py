"""Real runs for the report tests: one of each kind, made once per session in a temporary folder."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ecekit.report import publish
from tests.report.helpers import COMPARE, COMPARE_CAPACITY, SECRET, ecekit
from tests.starved import machine_short_of_cpu

CAPACITY = {
    "max_sustainable_rate": 180.0, "limited_by": "server", "knee": {"rate": 170.0},
    "slo": {"passed": True, "checks": [{"name": "p95", "limit": 50.0, "unit": "ms", "passed": True, "actual": 20.0}]},
    "steps": [
        {"rate": r, "achieved_rps": a, "p50": p50, "p95": p95, "p99": p99, "error_rate": e, "passed": ok,
         "generator_ok": True}
        for r, a, p50, p95, p99, e, ok in [(50, 50, 20.1, 21, 22, 0, True), (100, 99.5, 20.4, 23, 25, 0, True),
                                           (150, 149, 21.5, 30, 38, 0, True), (180, 178, 25, 45, 70, 0.001, True),
                                           (200, 195, 80, 300, 500, 0.02, False)]],
    "usl": {"lambda": 50.0, "sigma": 0.02, "kappa": 0.001, "peak_concurrency": 31.0},
}

OUTCOMES = {"page_views": 300, "first_state": {"available": 0.8, "unavailable": 0.0, "busy": 0.1, "closed": 0.0,
                                               "error": 0.1},
            "ever_error": 0.12, "first_state_ms": {"p50": 3.0, "p95": 9.0, "p99": 20.0}, "state_changes": {}}
OUTCOME_WINDOWS = [{"t": t, "page_views": 100, "ever_error": err,
                    "first_state": {"available": 1 - busy - err, "unavailable": 0.0, "busy": busy, "closed": 0.0,
                                    "error": err}}
                   for t, busy, err in ((0, 0.0, 0.0), (10, 0.1, 0.05), (20, 0.2, 0.25))]


@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """check passing, check failing (with a secret header), fuzz failing, load, capacity: the first four
    side by side (their verdicts do not rest on timing), then the real capacity search alone; then
    pages from hand-made JSON: capacity and compare rendered by ``ecekit report``, the load run with
    outcomes over several windows and a capacity comparison rendered again in process."""
    base = tmp_path_factory.mktemp("runs")
    out = {name: base / name for name in ("check_pass", "check_fail", "fuzz", "load", "capacity")}
    commands = {
        "check_pass": ["check", "-q", "--out", str(out["check_pass"])],
        "check_fail": ["check", "-q", "--fault", "eligibility-out-of-range", "--fault", "capacity-500",
                       "--header", f"Authorization: Bearer {SECRET}", "--out", str(out["check_fail"])],
        "fuzz": ["fuzz", "-q", "--fault", "survey-500-malformed", "--no-database", "--max-examples", "60",
                 "--seed", "1", "--out", str(out["fuzz"])],
        "load": ["load", "-q", "--rate", "20", "--duration", "3", "--slo", "p99=1ms", "--out", str(out["load"])],
    }
    with ThreadPoolExecutor(len(commands)) as pool:
        futures = {name: pool.submit(ecekit, *args, cwd=base) for name, args in commands.items()}
        procs = {name: f.result() for name, f in futures.items()}
    # from 80 page views/s: one 1-second step holds enough answers for a p95 verdict (72), so no rate needs
    # the longer repeats that a slower start does; the warm-up keeps the processes' start-up out of it
    procs["capacity_real"] = ecekit("capacity", "--profile", "one-call", "--slo", "p95=50ms", "--start", "80",
                                    "--factor", "2", "--max", "320", "--step-duration", "1", "--warmup", "1",
                                    "--out", str(base / "capacity_real"), cwd=base)
    out["capacity_real"] = base / "capacity_real"
    expected = {"check_pass": 0, "check_fail": 1, "fuzz": 1, "load": 1, "capacity_real": 0}
    capacity = procs["capacity_real"]
    if machine_short_of_cpu(capacity.returncode, capacity.stdout):
        # CI's 2 cores under the other xdist workers: told so, rightly; the report holds the steps measured
        expected["capacity_real"] = 2
    for name, proc in procs.items():
        assert proc.returncode == expected[name], f"{name}: {proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    out["capacity"].mkdir()
    (out["capacity"] / "capacity.json").write_text(json.dumps(CAPACITY), encoding="utf-8")
    proc = ecekit("report", str(out["capacity"]), cwd=base)
    assert proc.returncode == 0, proc.stderr
    load = json.loads((out["load"] / "summary.json").read_text(encoding="utf-8"))
    load["outcomes"] = {"chat": {**OUTCOMES, "windows": OUTCOME_WINDOWS, "window_s": 10}}
    for name, data in (("compare", COMPARE), ("compare_capacity", COMPARE_CAPACITY), ("load_outcomes", load)):
        out[name] = base / name
        out[name].mkdir()
        publish.write_json(data, out[name] / ("summary.json" if name == "load_outcomes" else "compare.json"))
    proc = ecekit("report", str(out["compare"]), cwd=base)
    assert proc.returncode == 0 and proc.stdout.startswith("compare report: "), proc.stdout + proc.stderr
    for name in ("compare_capacity", "load_outcomes"):
        publish.render_again(out[name])
    return out
