"""summary.json and the JUnit report of a load run, built from a Recorder and the SLOs.

The shape of summary.json is a contract with CI scripts: keys may be added, never renamed::

    {"offered_rate": 20.0, "duration_s": 30.0,
     "operations": {"chatAllowed": {"requests": n, "failures": n, "contract_violations": n, "rps": x,
                    "latency_ms": {"p50": x, "p90": x, "p95": x, "p99": x, "p999": x, "max": x}}},
     "total": {...same fields...},
     "slo": {"passed": true, "checks": [{"name": "p99", "limit": 500.0, "actual": 3.2, "passed": true}]},
     "windows": [{"t": 0, "width_s": 1, "ops": {"chatAllowed": {"requests": n, "failures": n,
                  "violations": n, "p50": x, "p95": x, "p99": x, "max": x}}, "failures_by_kind": {},
                  "violations_by_check": {}, "started": n, "sent_late": n, "unsent": n, "unfinished": n}]}

``windows`` are the run over time, by scheduled send time, for charts (coarser histograms: 1 %).
``histograms`` are the full-precision HDR histograms the percentiles are read from (``total`` and each
operation, hdrhistogram's compressed base64 encoding), for ``ecekit compare``.

Operation names are those of :mod:`ecekit.operations`; latencies are milliseconds with microsecond
precision, measured from each request's *scheduled* send time to the last byte of its answer.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from xml.etree import ElementTree

from ecekit import operations
from ecekit.load import evidence
from ecekit.load import slo as slo_mod
from ecekit.load.recorder import PERCENTILES, OpRecord, Recorder, encoded, latencies
from ecekit.run_summaries import LoadSummary, Measured, OpStats, ProgressCounts, RunContext

LATE_AFTER_MS = 10.0
"""A page view started more than this after its scheduled time is counted as sent late."""


def op_stats(record: OpRecord, duration_s: float) -> OpStats:
    return {
        "requests": record.requests,
        "failures": record.failures,
        "contract_violations": record.contract_violations,
        "rps": round(record.requests / duration_s, 3) if duration_s > 0 else 0.0,
        "latency_ms": record.latency_ms(),
        "mean_latency_ms": round(record.histogram.get_mean_value() / 1000, 3) if record.requests else 0.0,
        "failures_by_kind": dict(sorted(record.failures_by_kind.items())),
        "violations_by_check": dict(sorted(record.violations_by_check.items())),
    }


def build(recorder: Recorder, *, offered_rate: float, duration_s: float, slos: Iterable[slo_mod.Slo],
          extra: RunContext | None = None) -> LoadSummary:
    """The whole summary, SLO verdicts included. ``extra`` adds keys (profile, target, workers...)."""
    order = {op.name: i for i, op in enumerate(operations.OPERATIONS)}
    names = sorted((n for n, r in recorder.ops.items() if r.requests), key=lambda n: order.get(n, 99))
    lag = recorder.lag
    sched = recorder.schedule
    total = recorder.total()
    measured: Measured = {
        "offered_rate": round(offered_rate, 3),
        "duration_s": duration_s,
        "operations": {name: op_stats(recorder.ops[name], duration_s) for name in names},
        "total": op_stats(total, duration_s),
        "schedule": {
            "page_views": sched["page_views"],
            "polls": sched["polls"],
            "surveys": sched["surveys"],
            "sent_late": sched["late"],
            "late_after_ms": LATE_AFTER_MS,
            "unsent": sched["unsent"],
            "unfinished": sched["unfinished"],
            "no_free_worker": sched["no_free_worker"],  # late because all max_in_flight workers were busy
            "lag_ms": latencies({name: round(lag.get_value_at_percentile(p) / 1000, 3)
                                 for name, p in PERCENTILES.items()}, round(lag.get_max_value() / 1000, 3)),
        },
        "latency_measured_from": "scheduled send time (coordinated omission corrected)",
        "windows": recorder.windows_summary(),
        # the very histograms the percentiles above are read from, at full precision: ecekit compare
        # pools and resamples runs from them (a percentile cannot be averaged, a histogram can be added)
        "histograms": {"total": encoded(total.histogram),
                       **{name: encoded(recorder.ops[name].histogram) for name in names}},
        **(extra or {}),
    }
    slos = list(slos)
    summary: LoadSummary = {**measured, "slo": slo_mod.evaluate(slos, measured)}
    # how much each verdict rests on (counts, a percentile's confidence interval): ecekit capacity
    # blames the server only for a breach the evidence confirms
    records: dict[str | None, OpRecord] = {None: total}
    records.update(recorder.ops)
    evidence.annotate(summary["slo"]["checks"], slos, records)
    return summary


def write(summary: LoadSummary, directory: str | Path) -> Path:
    """Write summary.json atomically (a reader never sees half a file)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "summary.json"
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def write_junit(summary: LoadSummary, path: str | Path) -> Path:
    """One JUnit test case per SLO, failed when breached, so CI shows which limit broke."""
    from junit_xml import TestCase, TestSuite, to_xml_report_string

    # An SLO is judged once, over the whole run: its case takes no time of its own, and the suite
    # takes the run's time (a case each lasting the whole run would add up to N runs).
    run_s = float(summary.get("elapsed_s") or summary.get("duration_s") or 0)
    cases = []
    for check in summary["slo"]["checks"]:
        case = TestCase(name=check["name"], classname="ecekit.load.slo", elapsed_sec=0.0,
                        stdout=slo_mod.describe(check))
        if not check["passed"]:
            case.add_failure_info(message=slo_mod.describe(check), failure_type="SLOBreached")
        cases.append(case)
    suite = TestSuite("ecekit load", cases, properties={
        "offered_rate": summary.get("offered_rate"), "duration_s": summary.get("duration_s"),
        "requests": summary["total"]["requests"], **summary.get("tls", {})})
    root = ElementTree.fromstring(to_xml_report_string([suite]))  # our own text, not a server's
    for element in root.iter("testsuite"):
        element.set("time", f"{run_s:.3f}")
    root.set("time", f"{run_s:.3f}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ElementTree.tostring(root, encoding="utf-8", xml_declaration=True))
    return path


def render(summary: LoadSummary) -> str:
    """A table for the terminal: one line per operation, the total, the schedule and the SLOs."""
    head = f"{'operation':<20}{'requests':>9}{'fail':>6}{'viol':>6}{'rps':>9}" + "".join(
        f"{k:>10}" for k in ("p50", "p95", "p99", "max")) + "  (ms)"
    lines = [head]
    rows = [*summary["operations"].items(), ("total", summary["total"])]
    for name, s in rows:
        lat = s["latency_ms"]
        lines.append(f"{name:<20}{s['requests']:>9}{s['failures']:>6}{s['contract_violations']:>6}"
                     f"{s['rps']:>9.1f}" + "".join(f"{lat[k]:>10.3f}" for k in ("p50", "p95", "p99", "max")))
    kinds = summary["total"].get("failures_by_kind") or {}
    if kinds:  # what the visitors got instead of an answer, e.g. "timeout 12, too_large 3, http_503 1"
        lines.append("failures by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(),
                                                                                      key=lambda kv: -kv[1])))
    sched = summary.get("schedule", {})
    lines.append(f"page views: {sched.get('page_views', 0)} offered at {summary['offered_rate']:g}/s over "
                 f"{summary['duration_s']:g} s; sent late (>{LATE_AFTER_MS:g} ms): {sched.get('sent_late', 0)};"
                 f" unsent: {sched.get('unsent', 0)}; unfinished: {sched.get('unfinished', 0)}")
    rate = summary.get("request_rate")
    if rate:
        lines.append(f"request rate: {rate['achieved']:g}/s achieved; the profile implies {rate['implied']:g}/s at "
                     "steady state (page views x (calls on load + mean dwell / poll interval))")
    for widget, o in (summary.get("outcomes") or {}).items():
        shares = ", ".join(f"{k} {100 * v:.1f}%" for k, v in o["first_state"].items() if v)
        lines.append(f"visitors ({widget} widget, {o['page_views']} page views): first saw {shares or '-'}; "
                     f"ever an error {100 * o['ever_error']:.2f}%; first state p95 {o['first_state_ms'].get('p95')} ms")
    for check in summary["slo"]["checks"]:
        lines.append("SLO " + slo_mod.describe(check))
    verdict = "passed" if summary["slo"]["passed"] else "FAILED"
    lines.append(f"SLOs {verdict}" if summary["slo"]["checks"] else "no SLOs set")
    if summary.get("tls", {}).get("warning"):
        lines.append(summary["tls"]["warning"])
    return "\n".join(lines)


def progress_line(p: ProgressCounts) -> str:
    """The live line of a run from progress.json's counts; after the last arrival the run waits for
    answers in flight, and says so (never "[11/10 s]")."""
    duration, elapsed = float(p["duration_s"]), float(p["elapsed_s"])
    clock = (f"[{min(elapsed, duration):>5.0f}/{duration:g} s]" if duration <= 0 or elapsed <= duration
             else f"[{duration:>5.0f}/{duration:g} s, draining]")
    return (f"{clock} page views {p['page_views']}, requests {p['requests']}, failures {p['failures']}, "
            f"violations {p['violations']}, sent late {p['late']}")
