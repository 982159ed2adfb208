"""What each report shows, computed from a run's JSON: the verdict first, then the evidence.

One function per kind returns a plain dict (the "view") that both the HTML template and the Markdown
summary read, so the page and the CI job summary can never disagree about a verdict. Old runs'
JSON files may lack keys added later (windows, outcomes, seeds): every lookup here tolerates that.
The load and capacity views take today's shapes (``ecekit.run_summaries``); an older file is read
through the same lookups.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Literal

from ecekit import operations
from ecekit.run_summaries import CapacityJson, LoadSummary, SloCheck, StepRow, UslFit, WindowStats

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
    shown: dict[str, Any] = {**data, "target": data.get("target") or {"base_url": data.get("base_url"),
                                                                       "entry_points": data.get("entry_points") or []}}
    return {"title": title, "verdict": verdict, "meta": [*_meta_rows(shown),
                ("profile", str(data.get("profile", NONE))),
                ("offered rate", f"{data.get('offered_rate', '?')} page views/s"),
                ("latency measured from", str(data.get("latency_measured_from", "")))],
            "slos": slo.get("checks", []), "breached": breached, "ops": ops, "total": total,
            "schedule": data.get("schedule") or {}, "outcomes": data.get("outcomes") or {},
            "chart_data": _windows_chart(list(data.get("windows") or []), slo.get("checks", []))}


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
