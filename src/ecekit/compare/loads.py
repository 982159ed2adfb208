"""compare.json of two sides of load runs: per operation (and all requests) p50, p95, p99 and the error
rate; per widget the first-state time and the share of page views that ever saw an error.

A percentile's within-run standard error is read off its binomial order-statistic interval
(``load.evidence``), from the run's own HDR histogram, which holds every latency: no bootstrap needed,
and exact for any distribution. The distributions drawn in the report are the sides' runs merged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from hdrh.histogram import HdrHistogram

from ecekit.compare import verdict as v
from ecekit.compare.intervals import Z95, Change, Estimate, Side, change_of, proportion_change, ranks
from ecekit.compare.sides import Run, SideRuns
from ecekit.load import evidence
from ecekit.load.recorder import OpRecord, new_histogram

QUANTILES = {"p50": 0.50, "p95": 0.95, "p99": 0.99}
CHART_PERCENTILES = (1, 5, 10, 25, 50, 75, 90, 95, 99, 99.9)
TOTAL = "total"


def decoded(encoded: str | None) -> OpRecord | None:
    """A histogram of summary.json as the record ``load.evidence`` reads; None if absent or unreadable."""
    if not encoded:
        return None
    try:
        histogram = new_histogram()
        histogram.decode_and_add(encoded.encode("ascii"))
    except Exception:  # a damaged file: that run's sampling error is unknown, not a crash
        return None
    n = int(histogram.get_total_count())
    return OpRecord(histogram=histogram, requests=n, max_us=int(histogram.get_max_value()))


def percentile_estimate(record: OpRecord | None, value_ms: float, q: float) -> Estimate:
    """The run's percentile and its standard error from the 95 % order-statistic interval (None when
    there are too few answers for the interval to have both ends)."""
    if record is None or record.requests <= 0:
        return Estimate(value_ms, None)
    low, high = ranks(record.requests, q)
    if low is None or high is None:
        return Estimate(value_ms, None)
    lo_ms, hi_ms = evidence.value_at_rank(record, low), evidence.value_at_rank(record, high)
    return Estimate(value_ms, (hi_ms - lo_ms) / (2 * Z95))


@dataclass(frozen=True)
class Metric:
    """How to read one latency metric's value and histogram out of a run."""

    value: Callable[[Run], float | None]
    histogram: Callable[[Run], str | None]


def _op_metric(name: str, key: str) -> Metric:
    def value(run: Run) -> float | None:
        stats = run.raw["total"] if name == TOTAL else run.raw["operations"].get(name)
        return None if stats is None or not stats["requests"] else float(stats["latency_ms"][key])

    def histogram(run: Run) -> str | None:
        found = run.raw.get("histograms", {}).get(name)
        return found if isinstance(found, str) else None

    return Metric(value, histogram)


def _first_state_metric(widget: str, key: str) -> Metric:
    def value(run: Run) -> float | None:
        section = run.raw.get("outcomes", {}).get(widget)
        found = section["first_state_ms"].get(key) if section else None
        return None if found is None else float(found)

    def histogram(run: Run) -> str | None:
        section = run.raw.get("outcomes", {}).get(widget)
        found = section.get("first_state_histogram") if section else None
        return found if isinstance(found, str) else None

    return Metric(value, histogram)


def latency_row(before: SideRuns, after: SideRuns, metric: Metric, q: float, margin: v.Margin) -> dict[str, Any]:
    def side(s: SideRuns) -> tuple[Side | None, bool]:
        estimates, within_known = [], True
        for run in s.runs:
            value = metric.value(run)
            if value is None:
                continue
            estimate = percentile_estimate(decoded(metric.histogram(run)), value, q)
            within_known &= estimate.se is not None
            estimates.append(estimate)
        return (Side(tuple(estimates)) if estimates else None), within_known

    sb, _ = side(before)
    sa, _ = side(after)
    if sb is None or sa is None:
        return {"before_ms": sb.mean if sb else None, "after_ms": sa.mean if sa else None, "change_ms": None,
                "change_pct": None, "ci95_ms": None, "verdict": v.INCONCLUSIVE,
                "decide": "measured on one side only"}
    change = change_of(sb, sa)
    allowed = margin.latency(sb.mean)
    verdict = v.judge(change, allowed)
    within = [x for x in (sb.within_var, sa.within_var) if x is not None]
    between = [x for x in (sb.between_var, sa.between_var) if x is not None]
    within_dominates = bool(within) and (not between or max(within) >= max(between))
    decide = None if verdict != v.INCONCLUSIVE else v.decide(
        change, allowed, min(sb.k, sa.k), " ms", assumed_sd=v.ASSUMED_RUN_SPREAD * sb.mean,
        within_dominates=within_dominates)
    return {"before_ms": round(sb.mean, 4), "after_ms": round(sa.mean, 4),
            "change_ms": round(sa.mean - sb.mean, 4),
            "change_pct": round(100 * (sa.mean - sb.mean) / sb.mean, 2) if sb.mean else None,
            "ci95_ms": _interval(change, 4), "margin_ms": round(allowed, 4), "verdict": verdict, "decide": decide}


def _interval(change: Change | None, digits: int, scale: float = 1.0) -> list[float] | None:
    return None if change is None else [round(change.low * scale, digits), round(change.high * scale, digits)]


def rate_row(before: Iterable[tuple[int, int]], after: Iterable[tuple[int, int]], margin: float,
             runs: int) -> dict[str, Any]:
    """An error rate's change (counts of failures and of trials per run), in percentage points."""
    b, a = list(before), list(after)
    nb, na = sum(n for _, n in b), sum(n for _, n in a)
    pb = sum(f for f, _ in b) / nb if nb else 0.0
    pa = sum(f for f, _ in a) / na if na else 0.0
    change = proportion_change(b, a)
    verdict = v.judge(change, margin)
    # no spread between runs measured (or none at all, as with no failures on either side): only more
    # requests narrow the interval, so longer runs are what decides
    decide = None if verdict != v.INCONCLUSIVE else v.decide(
        change, margin, runs, " pp", within_dominates=not change.per_run_sd)
    return {"before": round(pb, 6), "after": round(pa, 6), "change_pp": round(100 * (pa - pb), 4),
            "ci95_pp": _interval(change, 4, 100.0), "margin_pp": round(100 * margin, 4), "verdict": verdict,
            "decide": decide}


def _merged(runs: list[Run], metric: Metric) -> HdrHistogram | None:
    merged = None
    for run in runs:
        record = decoded(metric.histogram(run))
        if record is None:
            continue
        if merged is None:
            merged = new_histogram()
        merged.add(record.histogram)
    return merged


def distribution(before: SideRuns, after: SideRuns, metric: Metric) -> dict[str, Any] | None:
    """Both sides' latency distributions (all their runs merged) at CHART_PERCENTILES, for the report."""
    hb, ha = _merged(before.runs, metric), _merged(after.runs, metric)
    if hb is None or ha is None:
        return None

    def at(h: HdrHistogram) -> list[float]:
        return [round(h.get_value_at_percentile(p) / 1000, 4) for p in CHART_PERCENTILES]

    return {"percentiles": list(CHART_PERCENTILES), "before_ms": at(hb), "after_ms": at(ha)}


def _row(before: SideRuns, after: SideRuns, metric: Callable[[str], Metric],
         counts: Callable[[Run], tuple[int, int] | None], error_key: str, margin: v.Margin) -> dict[str, Any]:
    """p50, p95 and p99 of ``metric``, the error rate of ``counts`` (failures, trials per run), and both
    distributions: the same for an operation and for what a widget's visitors saw."""
    row: dict[str, Any] = {key: latency_row(before, after, metric(key), q, margin) for key, q in QUANTILES.items()}
    row[error_key] = rate_row([c for r in before.runs if (c := counts(r))], [c for r in after.runs if (c := counts(r))],
                              margin.error, min(len(before.runs), len(after.runs)))
    chart = distribution(before, after, metric("p50"))
    if chart is not None:
        row["distribution"] = chart
    return row


def operation(before: SideRuns, after: SideRuns, name: str, margin: v.Margin) -> dict[str, Any]:
    def counts(run: Run) -> tuple[int, int] | None:
        stats = run.raw["total"] if name == TOTAL else run.raw["operations"].get(name)
        return None if stats is None else (int(stats["failures"]), int(stats["requests"]))

    requests = {label: sum(c[1] for r in side.runs if (c := counts(r)))
                for label, side in (("before", before), ("after", after))}
    return {"requests": requests,
            **_row(before, after, lambda key: _op_metric(name, key), counts, "error_rate", margin)}


def outcome(before: SideRuns, after: SideRuns, widget: str, margin: v.Margin) -> dict[str, Any]:
    def counts(run: Run) -> tuple[int, int] | None:
        section = run.raw.get("outcomes", {}).get(widget)
        if not section or not section.get("page_views"):
            return None
        views = int(section["page_views"])
        return round(float(section["ever_error"]) * views), views

    return _row(before, after, lambda key: _first_state_metric(widget, key), counts, "ever_error", margin)


def names(before: SideRuns, after: SideRuns) -> list[str]:
    """The operations both sides measured, in the order of ecekit.operations, then all requests."""
    from ecekit import operations

    order = {op.name: i for i, op in enumerate(operations.OPERATIONS)}
    seen: set[str] = set()
    for side in (before, after):
        for run in side.runs:
            seen |= {n for n, s in run.summary["operations"].items() if s["requests"]}
    return [*sorted(seen, key=lambda n: (order.get(n, 99), n)), TOTAL]


def widgets(before: SideRuns, after: SideRuns) -> list[str]:
    found = [{w for r in s.runs for w in r.summary.get("outcomes", {})} for s in (before, after)]
    return sorted(found[0] & found[1])


def verdicts_of(data: dict[str, Any]) -> list[str]:
    """Every metric's verdict in the comparison (operations and outcomes)."""
    found = []
    for section in ("operations", "outcomes"):
        for row in data.get(section, {}).values():
            found += [cell["verdict"] for cell in row.values() if isinstance(cell, dict) and "verdict" in cell]
    return found
