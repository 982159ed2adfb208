"""capacity.json and the terminal text of a capacity search.

capacity.json (latencies in ms, rates in page views/s, ``achieved_rps`` in answered requests/s,
``error_rate`` a fraction of requests)::

    {"max_sustainable_rate": 195.3, "limited_by": "server" | "generator" | "max" | "inconclusive",
     "verdict": "...", "slo": {"checks": [{"name": "p95", "limit": 150.0, "unit": "ms"}]},
     "steps": [{"rate": x, "achieved_rps": x, "p50": x, "p95": x, "p99": x, "error_rate": x,
                "passed": b, "generator_ok": b, "phase": "ladder" | "refine" | "repeat",
                "verdict": "held" | "breached" | "unsettled", "evidence": {...}, "summary": "steps/..."}],
     "knee": {...}, "usl": {...}, ...}
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ecekit.capacity import usl, workers
from ecekit.capacity.evidence import HELD, UNSETTLED
from ecekit.capacity.search import GENERATOR, INCONCLUSIVE, MAX, NO_ANSWER, SERVER, Outcome
from ecekit.capacity.step import LOST, Step, kinds_text, verdict
from ecekit.load import evidence as evidence_stats
from ecekit.load.slo import Slo
from ecekit.run_summaries import CapacityReport, CapacitySettings, Knee, StepRow, UslFit

KNEE_SHARE = 0.5
"""The knee: where the SLO's latency percentile first uses more than this share of its limit. Measured
against the SLO, not against the lowest step's latency: p95 going from 1.5 to 4.7 ms is a tripling,
and nothing at all against a 20 ms SLO."""
GENERATOR_REMEDY = ("raise the generator's limit: --workers N (one process per core), or --distributed "
                    "across machines (docs/capacity.md), then search again")
UNSETTLED_REMEDY = ("lengthen --step-duration (more answers per step) or raise --repeat, then search again; "
                    "a percentile needs enough answers for its confidence interval to clear the limit")


def _knee_check(slos: Sequence[Slo]) -> Slo | None:
    """The latency percentile SLO on all requests the knee is measured against (the first one set)."""
    return next((s for s in slos if s.operation is None and s.metric in evidence_stats.PERCENTILE_METRICS), None)


def _settled(steps: Iterable[Step]) -> list[Step]:
    """One step per rate, the last try (it carries the rate's verdict), generator kept up, answers seen."""
    by_rate: dict[float, Step] = {}
    for s in steps:
        if s.generator_ok and s.requests:
            by_rate[s.rate] = s
    return sorted(by_rate.values(), key=lambda s: s.rate)


def knee(steps: Iterable[Step], slos: Sequence[Slo] = ()) -> Knee:
    """Where latency turns up against the SLO: the offered rate at which the SLO's percentile first
    exceeds KNEE_SHARE of its limit, interpolated between the two steps around the crossing. Only
    steps the generator kept up with; not reported without a latency percentile SLO."""
    check = _knee_check(slos)
    if check is None:
        reason = "no latency percentile SLO on all requests to measure it against"
        return {"rate": None, "rule": "", "reason": reason, "description": f"not reported: {reason}"}
    threshold = KNEE_SHARE * check.limit
    rule = f"{check.metric} first above {100 * KNEE_SHARE:g}% of its SLO ({threshold:g} of {check.limit:g} ms)"
    ok: list[tuple[Step, float]] = []
    for s in _settled(steps):
        value = s.actual(check.name)
        value = value if value is not None else getattr(s, check.metric, None)
        if value is not None:
            ok.append((s, float(value)))
    if not ok:
        reason = "needs a step the generator kept up with"
        return {"rate": None, "rule": rule, "reason": reason, "description": f"not seen: {reason}"}
    if ok[0][1] > threshold:
        reason = f"{check.metric} was above {threshold:g} ms already at the lowest rate, {ok[0][0].rate:g}/s"
        return {"rate": None, "rule": rule, "threshold_ms": threshold, "reason": reason,
                "description": f"not seen: {reason}"}
    for (before, v0), (after, v1) in itertools.pairwise(ok):
        if v1 > threshold:
            frac = (threshold - v0) / (v1 - v0) if v1 > v0 else 1.0
            rate = before.rate + max(0.0, min(1.0, frac)) * (after.rate - before.rate)
            return {"rate": round(rate, 3), "rule": rule, "threshold_ms": threshold,
                    "between": [before.rate, after.rate], "description": f"{rate:.4g} page views/s ({rule})"}
    top = max(v for _, v in ok)
    reason = f"{check.metric} stayed at or below {top:g} ms, within {threshold:g} ms, up to {ok[-1][0].rate:g}/s"
    return {"rate": None, "rule": rule, "threshold_ms": threshold, "reason": reason,
            "description": f"not seen: {reason}"}


def usl_fit(steps: Iterable[Step]) -> UslFit:
    """The USL over the steps the generator kept up with: X = answered requests/s, N = X x mean latency."""
    points = [(s.concurrency, s.achieved_rps) for s in steps if s.generator_ok and s.mean_ms > 0]  # every try
    result = usl.fit(points)
    result["data"] = "X = answered requests/s inside each step's window; N = X x mean latency (Little's law)"
    return result


def sentence(outcome: Outcome) -> str:
    """What a planner reads first."""
    best = outcome.max_sustainable_rate
    if outcome.limited_by == NO_ANSWER:
        last = outcome.steps[-1]
        return (f"no request at {last.rate:g} page views/s got a complete answer "
                f"({kinds_text(last.failures_by_kind)}): a server that does not answer has no capacity to "
                "measure, and this is no limit of it (see the step's summary)")
    if outcome.limited_by == INCONCLUSIVE:
        last = outcome.steps[-1]
        why = "; ".join(last.evidence.get("reasons", []))
        tries = sum(1 for s in outcome.steps if s.rate == outcome.unsettled_at)
        head = (f"inconclusive at {outcome.unsettled_at:g} page views/s after {tries} tries ({why}): "
                "the answers do not settle the SLO either way, so nothing is blamed on the server")
        if best is None:
            return head
        return f"{head}; it held the SLO up to {best:g}/s, a lower bound of its capacity, not its limit"
    if outcome.limited_by == SERVER:
        if best is None:
            return (f"the server breached the SLO at the first rate tried ({outcome.first_breach:g} page views/s): "
                    "its capacity within this SLO is below that")
        return (f"the server holds the SLO up to {best:g} page views/s; it breached at "
                f"{outcome.first_breach:g}/s")
    if outcome.limited_by == GENERATOR:
        last = outcome.steps[-1]
        why = "; ".join(last.generator_problems)
        if best is None:
            return (f"the load generator could not keep up even at {last.rate:g} page views/s ({why}): "
                    "nothing was learned about the server")
        return (f"the load generator, not the server, ran out at {last.rate:g} page views/s ({why}); the server "
                f"held the SLO up to {best:g}/s, which is a lower bound of its capacity, not its limit")
    if best is None:
        return "no step finished"
    return f"the server held the SLO at every rate up to --max {best:g} page views/s: its capacity is at least that"


def build(outcome: Outcome, slos: Sequence[Slo], settings: CapacitySettings) -> CapacityReport:
    data: CapacityReport = {
        "max_sustainable_rate": outcome.max_sustainable_rate,
        "rate_unit": "page views/s",
        "limited_by": outcome.limited_by,
        "verdict": sentence(outcome),
        "first_breach": outcome.first_breach,
        "slo": {"checks": [{"name": s.name, "limit": s.limit, "unit": s.unit} for s in slos]},
        "unsettled_at": outcome.unsettled_at,
        "evidence_rule": EVIDENCE_RULE,
        "knee": knee(outcome.steps, slos),
        "steps": [s.to_json() for s in outcome.steps],
        "usl": usl_fit(outcome.steps),
        **settings,
    }
    target = settings.get("target_rate") or max(settings.get("ladder") or [0.0])
    ceiling = workers.ceiling(outcome.steps, target) if target else None
    if ceiling is not None:
        data["generator_ceiling"] = ceiling
    if outcome.limited_by == GENERATOR:
        data["generator_remedy"] = GENERATOR_REMEDY
    if outcome.limited_by == INCONCLUSIVE:
        data["remedy"] = UNSETTLED_REMEDY
    return data


def step_line(step: Step, total: int | None = None) -> str:
    """The progress line of one finished step."""
    return (f"{step.phase:<6} {step.rate:>9g}/s  achieved {step.achieved_rps:>9.1f} req/s  p50 {step.p50:>8.2f}  "
            f"p95 {step.p95:>8.2f}  p99 {step.p99:>8.2f} ms  errors {100 * step.error_rate:.2f}%  "
            f"cpu {100 * step.generator_busy:.0f}%  {verdict(step)}")


def _word(s: StepRow) -> str:
    if s.get("completed", 1) == 0 and s["requests"]:
        return "NO ANSWER"
    if any(LOST in p for p in s.get("generator_problems", [])):
        return "WORKER LOST: inconclusive"
    if not s["generator_ok"]:
        return "generator saturated"
    if s.get("verdict") == UNSETTLED:
        return "unsettled"
    if s.get("verdict") == HELD or (not s.get("verdict") and s["passed"]):
        return "held"
    return "BREACHED " + ",".join(s["breached"])


def _interval(u: Mapping[str, Any], name: str, fmt: str = ".3g") -> str:
    ci = u.get(f"{name}_ci")
    value = format(u[name], fmt)
    return f"{value} [{format(ci[0], fmt)}, {format(ci[1], fmt)}]" if ci else value


def render(data: CapacityReport) -> str:
    lines = [f"{'rate/s':>10}{'achieved':>11}{'p50':>9}{'p95':>9}{'p99':>9}{'errors':>8}  {'phase':<7}verdict"
             "   (ms, req/s)"]
    for s in sorted(data["steps"], key=lambda s: s["rate"]):
        v = _word(s)
        lines.append(f"{s['rate']:>10g}{s['achieved_rps']:>11.1f}{s['p50']:>9.2f}{s['p95']:>9.2f}{s['p99']:>9.2f}"
                     f"{100 * s['error_rate']:>7.2f}%  {s.get('phase', ''):<7}{v}")
    best = data["max_sustainable_rate"]
    lines.append(f"max sustainable rate: {best:g} page views/s" if best is not None else "max sustainable rate: none")
    lines.append(f"limited by: {data['limited_by']}: {data['verdict']}")
    for key in ("generator_remedy", "remedy"):
        if data.get(key):
            lines.append(f"  → {data[key]}")
    if data.get("generator_ceiling"):
        lines.append("generator: " + workers.sentence(data["generator_ceiling"]))
    if data.get("lost_workers"):
        lines.append("lost worker(s): " + ", ".join(data["lost_workers"]) + "; the search ended there")
    k = data["knee"]
    lines.append(f"knee: {k['rate']:g} page views/s ({k['rule']})" if k["rate"] is not None
                 else f"knee: {k['description']}")
    u = data["usl"]
    if u["fitted"]:
        model = u.get("model", "usl")
        head = (f"scalability fit ({model}, {u['points']} points, r2 {u['r2']:g}; 95% intervals): "
                f"lambda {_interval(u, 'lambda')} req/s")
        if model in ("amdahl", "usl"):
            head += f", sigma {_interval(u, 'sigma')}"
        if model == "usl":
            head += f", kappa {_interval(u, 'kappa')}"
        if u.get("peak_concurrency") is not None:
            beyond = " beyond the measured range" if u["peak_beyond_measured"] else ""
            head += (f"; predicted peak {u['peak_throughput_rps']:g} req/s at concurrency "
                     f"{u['peak_concurrency']:g} (EXTRAPOLATION{beyond}, not a measurement)")
        else:
            head += f"; {u['reason_no_peak']}"
        lines.append(head)
    else:
        lines.append(f"USL: not fitted ({u['reason']})")
    return "\n".join(lines)


EVIDENCE_RULE = ("a rate breaches only when the 95% distribution-free (binomial order-statistic) interval of each "
                 "breached percentile or rate lies wholly above its limit; a percentile holds only from enough "
                 "answers for that interval to have an upper end inside the data (p95: 72); otherwise the rate "
                 "is repeated, twice as long each time, its tries pooled, and stays unsettled (inconclusive) "
                 "if they do not settle it")

__all__ = ["GENERATOR", "INCONCLUSIVE", "MAX", "NO_ANSWER", "SERVER", "build", "knee", "render", "sentence",
           "step_line", "usl_fit"]
