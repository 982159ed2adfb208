"""What each report shows, computed from a run's JSON: the verdict first, then the evidence.

One function per kind returns a plain dict (the "view") that both the HTML template and the Markdown
summary read, so the page and the CI job summary can never disagree about a verdict. Old runs'
JSON files may lack keys added later (windows, outcomes, seeds): every lookup here tolerates that.
The load and capacity views take today's shapes (``ecekit.run_summaries``); an older file is read
through the same lookups.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Literal

from ecekit import operations
from ecekit.run_summaries import (
    CapacityJson,
    LoadSummary,
    SloCheck,
    StepRow,
    UslFit,
    VisitorWindow,
    WidgetOutcomes,
    WindowStats,
)

_OP_ORDER = {op.name: i for i, op in enumerate(operations.OPERATIONS)}
NONE = "\u2013"  # an en dash: "no value"
_OUTCOME_MARK = {"passed": "\u2713", "failed": "\u2717", "error": "!", "skipped": NONE}


def _op_key(name: str) -> tuple[int, str]:
    return (_OP_ORDER.get(name, 99), name)


def _meta_rows(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The run's provenance: target (secrets already redacted by the writer), version, seed, XSDs."""
    rows: list[tuple[str, str]] = []
    target = data.get("target") or {}
    if target:
        rows.append(("target", str(target.get("base_url") or "embedded reference server")))
        for key in ("faults", "entry_points", "inactive_entry_points", "invalid_entry_points"):
            if target.get(key):
                rows.append((key.replace("_", " "), ", ".join(map(str, target[key]))))
        if target.get("headers"):
            rows.append(("extra headers", ", ".join(f"{k}: {v}" for k, v in target["headers"].items())))
        if target.get("insecure"):
            rows.append(("TLS", "certificate verification OFF (--insecure)"))
    for key, label in (("ecekit_version", "ecekit"), ("seed", "seed"), ("started", "started"),
                       ("duration_s", "duration (s)")):
        if data.get(key) is not None:
            rows.append((label, str(data[key])))
    xsd = data.get("xsd") or {}
    for name, digest in sorted((xsd.get("hashes") or {}).items()):
        rows.append((f"xsd {name}", f"sha256 {digest}"))
    return rows


# ----------------------------------------------------------------------------------------- check
def check(data: dict[str, Any]) -> dict[str, Any]:
    results: list[dict[str, Any]] = list(data.get("results") or [])
    totals: dict[str, int] = defaultdict(int)
    for r in results:
        totals[r.get("outcome", "?")] += 1
    failed = [r for r in results if r.get("outcome") in ("failed", "error")]
    for i, r in enumerate(failed):
        r.setdefault("anchor", f"f{i}")
    if failed:
        verdict = "failed"
    elif totals.get("passed"):
        verdict = "passed"
    else:
        verdict = "nothing checked"

    # the grid: one row per (operation, entry point), one column per check, in the order checks ran
    checks: list[str] = []
    grid: dict[tuple[str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    others: list[dict[str, Any]] = []
    for r in results:
        ep = r.get("entry_point")
        base_check = r.get("test_check") or r.get("check")
        if ep and base_check and base_check != "consistency":
            if base_check not in checks:
                checks.append(base_check)
            grid[(r["operation"], ep)][base_check] = r
        else:
            others.append(r)
    rows = []
    for (op, ep) in sorted(grid, key=lambda k: (_op_key(k[0]), k[1])):
        cells = []
        for name in checks:
            cell = grid[(op, ep)].get(name) or {}
            outcome = cell.get("outcome", "")
            cells.append({"outcome": outcome or "none", "mark": _OUTCOME_MARK.get(outcome, ""),
                          "title": cell.get("headline") or outcome, "anchor": cell.get("anchor")})
        rows.append({"operation": op, "entry_point": ep, "cells": cells,
                     "failed": any(c["outcome"] in ("failed", "error") for c in cells)})

    # what broke, grouped the way people triage: check, then operation, with the entry points
    broke: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in failed:
        broke[(r.get("check") or "error", r.get("operation") or "")].append(r)
    broken = [{"check": c, "operation": op, "count": len(rs),
               "entry_points": sorted({str(r["entry_point"]) for r in rs if r.get("entry_point")}),
               "headline": rs[0].get("headline", ""), "anchor": rs[0].get("anchor")}
              for (c, op), rs in sorted(broke.items(), key=lambda kv: (kv[0][0], _op_key(kv[0][1])))]
    findings = list(data.get("findings") or [])
    summary = ", ".join(f"{n} {k}" for k, n in sorted(totals.items()))
    title = {"failed": f"ecekit check: FAILED ({len(failed)} of {len(results)})",
             "passed": f"ecekit check: passed ({summary})",
             "nothing checked": "ecekit check: nothing could be checked"}[verdict]
    return {"title": title, "verdict": verdict, "totals": dict(totals), "summary": summary,
            "meta": _meta_rows(data), "checks": checks, "rows": rows, "broken": broken,
            "failures": failed, "others": others, "findings": findings,
            "warnings": list(data.get("warnings") or []), "chart_data": {}}


# ------------------------------------------------------------------------------------------ load
def _windows_chart(windows: list[WindowStats], slos: list[SloCheck]) -> dict[str, Any]:
    """Series over time for the page's script: x in seconds since the start, one series per op."""
    if not windows:
        return {}
    xs = [w["t"] for w in windows]
    ops = sorted({op for w in windows for op in (w.get("ops") or {})}, key=_op_key)
    width = windows[1]["t"] - windows[0]["t"] if len(windows) > 1 else (windows[0].get("width_s") or 1)

    def series(op: str, key: Literal["requests", "p50", "p95", "p99"], scale: float = 1.0) -> list[float | None]:
        out: list[float | None] = []
        for w in windows:
            stats = (w.get("ops") or {}).get(op)
            v = stats.get(key) if stats else None
            out.append(None if v is None else round(v * scale, 3))
        return out

    kinds = sorted({k for w in windows for k in (w.get("failures_by_kind") or {})})
    checks = sorted({k for w in windows for k in (w.get("violations_by_check") or {})})
    lat_slos = [{"name": s["name"], "limit": s["limit"]} for s in slos
                if s.get("unit", "ms") == "ms" and str(s.get("name", "")).split(".")[-1].startswith("p")]
    return {
        "x": xs,
        "throughput": {op: series(op, "requests", 1 / width) for op in ops},
        "p50": {op: series(op, "p50") for op in ops},
        "p95": {op: series(op, "p95") for op in ops},
        "p99": {op: series(op, "p99") for op in ops},
        "failures": {k: [(w.get("failures_by_kind") or {}).get(k, 0) for w in windows] for k in kinds},
        "violations": {k: [(w.get("violations_by_check") or {}).get(k, 0) for w in windows] for k in checks},
        "schedule": {"started": [w.get("started", 0) for w in windows],
                     "sent late": [w.get("sent_late", 0) for w in windows],
                     "unsent": [w.get("unsent", 0) for w in windows]},
        "slo_lines": lat_slos,
    }


def _share_series(windows: list[VisitorWindow], shares: list[float]) -> list[float | None]:
    """The shares as the windows hold them; None where a window had no page view (its shares are
    written as 0.0 there, which would draw a drop to nothing that never happened)."""
    return [share if w.get("page_views") else None for w, share in zip(windows, shares, strict=True)]


def outcome_charts(outcomes: Mapping[str, WidgetOutcomes]) -> list[dict[str, Any]]:
    """Per widget, what its visitors saw over the run: the share of page views per first state and the
    share that ever saw an error, per window (x: seconds since the start). A widget with fewer than two
    windows has no chart: one point is no line, and its table says the same. States no page view
    showed in any window are left out (the table lists them at 0 %), so the lines that remain are
    the ones that say something."""
    charts: list[dict[str, Any]] = []
    for widget, o in outcomes.items():
        windows = [w for w in (o.get("windows") or []) if isinstance(w, dict)] if isinstance(o, dict) else []
        if len(windows) < 2:
            continue
        states = list(dict.fromkeys(s for w in windows for s in (w.get("first_state") or {})))
        first_state = {s: _share_series(windows, [(w.get("first_state") or {}).get(s, 0.0) for w in windows])
                       for s in states}
        charts.append({"widget": widget, "x": [w.get("t") for w in windows], "window_s": o.get("window_s"),
                       "first_state": {s: v for s, v in first_state.items() if any(v)},
                       "ever_error": _share_series(windows, [w.get("ever_error", 0.0) for w in windows])})
    return charts


def load(data: LoadSummary) -> dict[str, Any]:
    slo = data.get("slo") or {"passed": True, "checks": []}
    ops = [{"name": name, **stats} for name, stats in sorted((data.get("operations") or {}).items(),
                                                           key=lambda kv: _op_key(kv[0]))]
    total = data.get("total") or {}
    verdict = "passed" if slo.get("passed") else "failed"
    if not total.get("requests"):
        verdict = "nothing checked"
    breached = [c for c in slo.get("checks", []) if not c.get("passed")]
    title = (f"ecekit load: {'SLOs held' if verdict == 'passed' else 'SLO BREACHED' if breached else verdict}"
             f" at {data.get('offered_rate', '?')} page views/s")
    outcomes = data.get("outcomes") or {}
    charts = _windows_chart(list(data.get("windows") or []), slo.get("checks", []))
    over_time = outcome_charts(outcomes)
    if over_time:
        charts["outcomes"] = over_time
    shown: dict[str, Any] = {**data, "target": data.get("target") or {"base_url": data.get("base_url"),
                                                                       "entry_points": data.get("entry_points") or []}}
    return {"title": title, "verdict": verdict, "meta": [*_meta_rows(shown),
                ("profile", str(data.get("profile", NONE))),
                ("offered rate", f"{data.get('offered_rate', '?')} page views/s"),
                ("latency measured from", str(data.get("latency_measured_from", "")))],
            "slos": slo.get("checks", []), "breached": breached, "ops": ops, "total": total,
            "schedule": data.get("schedule") or {}, "outcomes": outcomes,
            "outcome_charts": {c["widget"]: i for i, c in enumerate(over_time)},
            "chart_data": charts}


# ------------------------------------------------------------------------------------------ fuzz
def fuzz(data: dict[str, Any]) -> dict[str, Any]:
    failures = list(data.get("failures") or [])
    families = data.get("families") or {}
    verdict = "failed" if failures else ("passed" if data.get("examples") else "nothing checked")
    names = sorted(families)
    title = (f"ecekit fuzz: {len(failures)} distinct failure(s)" if failures
             else f"ecekit fuzz: no failure in {data.get('examples', 0)} examples")
    return {"title": title, "verdict": verdict, "meta": [*_meta_rows(data),
                ("examples", str(data.get("examples", 0))), ("requests", str(data.get("requests", 0)))],
            "failures": failures, "families": [{"name": n, **families[n]} for n in names],
            "findings": [{"check": "survey_lenient", "message": f"{f.get('family')}: {f.get('description')}",
                          **f} for f in data.get("findings") or []],
            "chart_data": {"families": names,
                           "tried": [families[n].get("examples", 0) for n in names],
                           "failed": [families[n].get("failing", 0) for n in names]} if names else {}}


# -------------------------------------------------------------------------------------- capacity
def _coefficient(usl: Mapping[str, Any], *names: str) -> float | None:
    for name in names:
        value = usl.get(name)
        if isinstance(value, int | float):
            return float(value)
    return None


def usl_curve(usl: UslFit, steps: list[StepRow], points: int = 40) -> dict[str, Any]:
    """The fitted USL curve X(N) = lambda*N / (1 + sigma*(N-1) + kappa*N*(N-1)) over the measured concurrencies and
    beyond, with the measured points on the same x values (for one chart)."""
    lam = _coefficient(usl, "lambda", "lam", "lambda_")
    sigma = _coefficient(usl, "sigma", "alpha")
    kappa = _coefficient(usl, "kappa", "beta")
    measured: dict[float, float] = {}
    for st in steps:
        n = st.get("concurrency")
        if n is None and st.get("achieved_rps") is not None and st.get("mean_ms", st.get("p50")) is not None:
            n = st["achieved_rps"] * st.get("mean_ms", st.get("p50")) / 1000
        if n is not None and st.get("achieved_rps") is not None:
            measured[round(float(n), 4)] = float(st["achieved_rps"])
    if lam is None or sigma is None or kappa is None or not measured:
        return {}
    top = max(measured)
    peak = _coefficient(usl, "peak_concurrency", "n_peak")
    # past the measured range only towards a peak the fit supports (older capacity.json: any peak)
    if peak is not None and peak > top and usl.get("peak_supported", True):
        top = min(peak * 1.5, top * 10)
    xs = sorted(set(measured) | {round(top * 1.2 * i / points, 4) for i in range(1, points + 1)})

    def model(n: float) -> float:
        return round(lam * n / (1 + sigma * (n - 1) + kappa * n * (n - 1)), 3)

    return {"concurrency": xs, "model": [model(n) for n in xs], "measured": [measured.get(n) for n in xs],
            "name": {"linear": "linear fit", "amdahl": "Amdahl fit (no retrograde term)",
                     "usl": "USL fit (extrapolation)"}.get(str(usl.get("model", "usl")), "USL fit (extrapolation)")}


USL_ROWS = ("model", "points", "r2", "lambda", "lambda_ci", "sigma", "sigma_ci", "kappa", "kappa_ci",
            "measured_concurrency", "measured_throughput_rps", "peak_supported", "peak_concurrency",
            "peak_throughput_rps", "peak_beyond_measured", "ceiling_rps", "reason_no_peak", "usl_rejected",
            "selection", "note", "reason")


def usl_rows(usl: UslFit) -> list[tuple[str, Any]]:
    """The fit's rows for the page, in a reading order; the model comparison as one row per model."""
    by_name: Mapping[str, Any] = usl
    rows = [(k, by_name[k]) for k in USL_ROWS if by_name.get(k) is not None]
    rows += [(k, v) for k, v in usl.items() if k not in USL_ROWS and k not in ("comparison", "curve")]
    for name, entry in (usl.get("comparison") or {}).items():
        if isinstance(entry, dict):
            aicc = entry.get("aicc")
            rows.append((f"AICc {name}", aicc if aicc is not None else entry.get("why_not_scored", "not scored")))
    return rows


def capacity(data: CapacityJson) -> dict[str, Any]:
    steps = sorted(data.get("steps") or [], key=lambda s: s.get("rate", 0))
    best = data.get("max_sustainable_rate")
    limited_by = data.get("limited_by", "?")
    verdict = "passed" if best else "failed"
    usl = data.get("usl") or {}
    slo = data.get("slo") or {}
    title = (f"ecekit capacity: {best:g} page views/s within the SLO (limited by {limited_by})"
             if best else "ecekit capacity: no rate held the SLO")
    knee = data.get("knee")
    knee_rate = knee.get("rate") if isinstance(knee, dict) else knee
    knee_text = (knee.get("description") or f"{knee_rate} page views/s") if isinstance(knee, dict) else (
        f"{knee} page views/s" if knee is not None else "")
    return {"title": title, "verdict": verdict, "meta": _meta_rows(data), "steps": steps, "best": best,
            "limited_by": limited_by, "knee": knee_text, "usl": usl, "usl_rows": usl_rows(usl), "slo": slo,
            "verdict_text": data.get("verdict", ""),
            "chart_data": {
                "rate": [s.get("rate") for s in steps],
                "achieved": [s.get("achieved_rps") for s in steps],
                "p50": [s.get("p50") for s in steps], "p95": [s.get("p95") for s in steps],
                "p99": [s.get("p99") for s in steps],
                "error_rate": [None if s.get("error_rate") is None else 100 * s["error_rate"] for s in steps],
                "passed": [bool(s.get("passed")) for s in steps],
                "best": best, "knee": knee_rate,
                "slo_lines": [c for c in (slo.get("checks") or []) if isinstance(c, dict)],
                "usl": {"curve": usl_curve(usl, steps)}}}


# ------------------------------------------------------------------------------------------ diff
_DIFF_SEVERITIES = ("breaking", "slower", "compatible")
_DETAIL_KINDS = ("latency", "not_compared", "contract", "consistency", "schemas_differ", "xsd_",
                 "prefix_changed")


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def change_text(change: dict[str, Any]) -> str:
    """What changed, in a few words: before → after, or the change's own description."""
    kind = str(change.get("kind", ""))
    if kind.startswith(_DETAIL_KINDS) and change.get("detail"):
        return str(change["detail"])
    return f"{_shown(change.get('before'))} → {_shown(change.get('after'))}"


def diff_lines(changes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The differences as people read them: one line per (severity, operation, field, kind), the
    entry points it holds for listed together, the values per entry point when they differ."""
    groups: dict[tuple[str, str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for c in changes:
        groups[(c.get("severity", ""), c.get("operation", ""), c.get("field", ""), c.get("kind", ""))].append(c)
    lines = []
    for (severity, operation, field, kind), same in groups.items():
        eps = [str(c["entry_point"]) for c in same if c.get("entry_point")]
        whats = list(dict.fromkeys(change_text(c) for c in same))
        if len(whats) == 1:
            what = whats[0]
        else:
            per = [f"{c.get('entry_point')}: {change_text(c)}" for c in same]
            what = "; ".join(per[:3]) + (f"; +{len(per) - 3} more" if len(per) > 3 else "")
        lines.append({"severity": severity, "operation": operation, "entry_points": eps, "field": field,
                      "kind": kind, "what": what})
    return lines


def diff(data: dict[str, Any]) -> dict[str, Any]:
    changes = list(data.get("changes") or [])
    counts = {s: int((data.get("counts") or {}).get(s, 0)) for s in _DIFF_SEVERITIES}
    failed = counts["breaking"] or (data.get("fail_on_slower") and counts["slower"])
    verdict = "failed" if failed else "passed"
    summary = ", ".join(f"{counts[s]} {s}" for s in _DIFF_SEVERITIES)
    title = f"ecekit diff: {summary}" if changes else "ecekit diff: no differences"
    lines = diff_lines(changes)
    return {"title": title, "verdict": verdict, "summary": summary, "counts": counts,
            "lines": {s: [ln for ln in lines if ln["severity"] == s] for s in _DIFF_SEVERITIES},
            "meta": [("A", str(data.get("a", ""))), ("B", str(data.get("b", ""))),
                     *(((label, str(data[key])) for key, label in (("ecekit_version", "ecekit"),
                        ("latency_tolerance", "latency tolerance")) if data.get(key) is not None))],
            "chart_data": {}}


# --------------------------------------------------------------------------------------- compare
TONES = {"slower": "bad", "worse": "bad", "moved down": "bad", "faster": "good", "better": "good",
         "moved up": "good", "same": "same"}
"""How each verdict of ``ecekit compare`` is coloured; anything else (inconclusive, a verdict a newer
ecekit adds) is shown as undecided rather than as good news."""
_METRICS = ("p50", "p95", "p99")
NOT_BETWEEN_RUNS = ("run-to-run noise not measured (one run a side): a difference may be the noise between "
                    "two runs of the same server; give each side several runs to measure it")


def tone(verdict: Any) -> str:
    return TONES.get(str(verdict), "unsure")


def _dict(value: Any) -> dict[str, Any]:
    """A section of compare.json as a dict: a damaged one (a list, a string) reads as empty."""
    return value if isinstance(value, dict) else {}


def _num(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _fixed(value: Any, digits: int, unit: str = "", signed: bool = False) -> str:
    v = _num(value)
    if v is None:
        return NONE
    return f"{v:+.{digits}f}{unit}" if signed else f"{v:.{digits}f}{unit}"


def _interval(pair: Any, digits: int, unit: str) -> str:
    if not isinstance(pair, list | tuple) or len(pair) != 2:
        return NONE
    low, high = (_fixed(v, digits) for v in pair)
    return f"[{low}, {high}]{unit}"


def _margin(value: Any, digits: int, unit: str) -> str:
    """The equivalence margin a change is judged against (an older compare.json has none)."""
    v = _num(value)
    return NONE if v is None else f"\u00b1{abs(v):.{digits}f}{unit}"


def _latency_row(metric: str, m: Mapping[str, Any]) -> dict[str, Any]:
    pct = _fixed(m.get("change_pct"), 1, " %", signed=True)
    change = _fixed(m.get("change_ms"), 3, " ms", signed=True)
    return {"metric": metric, "before": _fixed(m.get("before_ms"), 3, " ms"),
            "after": _fixed(m.get("after_ms"), 3, " ms"),
            "change": change if pct == NONE else f"{change} ({pct})",
            "ci95": _interval(m.get("ci95_ms"), 3, " ms"), "margin": _margin(m.get("margin_ms"), 3, " ms"),
            "verdict": str(m.get("verdict") or NONE),
            "tone": tone(m.get("verdict")), "decide": m.get("decide") or ""}


def _share_row(metric: str, m: Mapping[str, Any]) -> dict[str, Any]:
    """A share (error rate, page views that saw an error): before and after in %, the change in
    percentage points."""
    def percent(v: Any) -> str:
        n = _num(v)
        return NONE if n is None else f"{100 * n:.2f} %"

    return {"metric": metric, "before": percent(m.get("before")), "after": percent(m.get("after")),
            "change": _fixed(m.get("change_pp"), 2, " pp", signed=True),
            "ci95": _interval(m.get("ci95_pp"), 2, " pp"), "margin": _margin(m.get("margin_pp"), 2, " pp"),
            "verdict": str(m.get("verdict") or NONE),
            "tone": tone(m.get("verdict")), "decide": m.get("decide") or ""}


def _outcome_row(metric: str, m: Mapping[str, Any]) -> dict[str, Any]:
    """What the visitors saw: the time to the widget's first state (``p50`` ... with ``before_ms``), or a
    share of page views (``ever_error``)."""
    if "before_ms" in m or "change_ms" in m:
        return _latency_row(f"first state {metric}", m)
    return _share_row(metric.replace("_", " "), m)


def _op_verdict(rows: list[dict[str, Any]]) -> str:
    """An operation's verdict in one word, for the summary line: slower if any row is, else faster if
    any is, else inconclusive if any is, else same."""
    verdicts = [r["verdict"] for r in rows]
    for word in ("slower", "faster", "inconclusive"):
        if word in verdicts:
            return word
    return "same" if verdicts and all(v == "same" for v in verdicts) else (verdicts[0] if verdicts else NONE)


def _distribution(name: str, d: Any) -> dict[str, Any] | None:
    """Both sides' latency distributions on a quantile scale, x = -log10(1 - p/100), so p90, p99 and
    p99.9 are one step apart each and the tail is as wide as the middle (percentiles outside (0, 100)
    have no place on it and are left out)."""
    percentiles, before, after = (_dict(d).get(key) for key in ("percentiles", "before_ms", "after_ms"))
    if not (isinstance(percentiles, list) and isinstance(before, list) and isinstance(after, list)):
        return None
    points = [(p, b, a) for p, b, a in zip(percentiles, before, after, strict=False)
              if _num(p) is not None and 0 < p < 100]
    if len(points) < 2:
        return None
    return {"name": name, "percentiles": [p for p, _, _ in points],
            "x": [round(-math.log10(1 - p / 100), 6) for p, _, _ in points],
            "before": [_num(b) for _, b, _ in points], "after": [_num(a) for _, _, a in points]}


def _side_rows(data: Mapping[str, Any], keys: tuple[tuple[str, str], ...]) -> list[tuple[str, str, str]]:
    before, after = _dict(data.get("before")), _dict(data.get("after"))

    def shown(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:g}"
        return NONE if v is None else str(v)

    return [(label, shown(before.get(key)), shown(after.get(key))) for key, label in keys]


def _notes(data: Mapping[str, Any]) -> list[str]:
    notes = [str(n) for n in data.get("notes") or [] if n]
    if data.get("between_runs") is False and not any("run-to-run noise" in n for n in notes):
        notes.append(NOT_BETWEEN_RUNS)
    return notes


def _compare_capacity(data: Mapping[str, Any]) -> dict[str, Any]:
    verdict = str(data.get("verdict") or "inconclusive")
    before, after = _dict(data.get("before")), _dict(data.get("after"))

    def bracket(side: Mapping[str, Any]) -> tuple[float | None, float | None]:
        b = side.get("bracket")
        held, breached = (b[0], b[1]) if isinstance(b, list | tuple) and len(b) == 2 else (None, None)
        return _num(held if held is not None else side.get("max_sustainable_rate")), _num(breached)

    def rate(side: Mapping[str, Any]) -> str:
        best = _num(side.get("max_sustainable_rate"))
        return "none held" if best is None else f"{best:g} page views/s"

    def bracket_text(side: Mapping[str, Any]) -> str:
        held, breached = bracket(side)
        text = "no rate held" if held is None else f"held {held:g}"
        return f"{text}, breached at {breached:g}" if breached is not None else f"{text}, no rate breached"

    title = f"ecekit compare: capacity {verdict} ({rate(before)} \u2192 {rate(after)})"
    sides = [("max sustainable rate", rate(before), rate(after)),
             ("bracket (page views/s)", bracket_text(before), bracket_text(after)),
             *_side_rows(data, (("limited_by", "limited by"), ("path", "run")))]
    (bh, bb), (ah, ab) = bracket(before), bracket(after)
    return {"title": title, "verdict": verdict, "tone": tone(verdict), "capacity": True, "sides": sides,
            "notes": _notes(data), "operations": [], "outcomes": [], "meta": _compare_meta(data),
            "chart_data": {"capacity": {"held": [bh, ah], "breached": [bb, ab]}}
            if any(v is not None for v in (bh, bb, ah, ab)) else {}}


def _compare_meta(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    rows = []
    margin = data.get("margin")
    if isinstance(margin, dict):
        parts = [f"{100 * v:g} % relative" if (v := _num(margin.get("relative"))) is not None else "",
                 f"{v:g} ms absolute" if (v := _num(margin.get("absolute_ms"))) is not None else "",
                 f"{v:g} pp error rate" if (v := _num(margin.get("error_pp"))) is not None else ""]
        rows.append(("margin (smaller changes are the same)", ", ".join(p for p in parts if p) or NONE))
    if "between_runs" in data:
        rows.append(("run-to-run noise", "measured" if data["between_runs"] else "not measured (one run a side)"))
    if data.get("ecekit_version") is not None:
        rows.append(("ecekit", str(data["ecekit_version"])))
    return rows


def compare(data: Mapping[str, Any]) -> dict[str, Any]:
    """``ecekit compare BEFORE AFTER``: the verdict, then per operation each percentile and the error
    rate with its change and 95 % interval, the notes that qualify it, both distributions drawn over
    each other. A capacity comparison (kind ``compare-capacity``) is the same page with its brackets."""
    if data.get("kind") == "compare-capacity":
        return _compare_capacity(data)
    verdict = str(data.get("verdict") or "inconclusive")
    ops_data = _dict(data.get("operations"))
    operations: list[dict[str, Any]] = []
    distributions: list[dict[str, Any]] = []
    for name in sorted(ops_data, key=lambda n: (n == "total", _op_key(n))):
        op = _dict(ops_data[name])
        rows = [_latency_row(m, op[m]) for m in _METRICS if isinstance(op.get(m), dict)]
        if isinstance(op.get("error_rate"), dict):
            rows.append(_share_row("error rate", op["error_rate"]))
        requests = _dict(op.get("requests"))
        dist = _distribution(name, op.get("distribution"))
        op_verdict = _op_verdict(rows)
        operations.append({"name": name, "rows": rows, "verdict": op_verdict, "tone": tone(op_verdict),
                           "requests": (_side(requests.get("before")), _side(requests.get("after"))),
                           "chart": len(distributions) if dist else None})
        if dist:
            distributions.append(dist)
    outcomes_data = _dict(data.get("outcomes"))
    outcomes = [{"widget": widget, "rows": [_outcome_row(metric, m) for metric, m in metrics.items()
                                            if isinstance(m, dict) and metric != "distribution"]}
                for widget, metrics in sorted(outcomes_data.items()) if isinstance(metrics, dict)]
    sides = _side_rows(data, (("path", "run"), ("runs", "runs"), ("profile", "profile"),
                              ("offered_rate", "offered rate (page views/s)"), ("duration_s", "duration (s)")))
    before, after = sides[0][1], sides[0][2]
    return {"title": f"ecekit compare: {verdict} ({before} \u2192 {after})", "verdict": verdict,
            "tone": tone(verdict), "capacity": False, "sides": sides, "notes": _notes(data),
            "operations": operations, "outcomes": outcomes, "meta": _compare_meta(data),
            "chart_data": {"distributions": distributions} if distributions else {}}


def _side(value: Any) -> str:
    return NONE if value is None else str(value)
