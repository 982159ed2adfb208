"""capacity.json and the terminal text of a capacity search.

capacity.json (latencies in ms, rates in page views/s, ``achieved_rps`` in answered requests/s,
``error_rate`` a fraction of requests)::

    {"max_sustainable_rate": 195.3, "limited_by": "server" | "generator" | "max", "verdict": "...",
     "slo": {"checks": [{"name": "p95", "limit": 150.0, "unit": "ms"}]},
     "steps": [{"rate": x, "achieved_rps": x, "p50": x, "p95": x, "p99": x, "error_rate": x,
                "passed": b, "generator_ok": b, "phase": "ladder" | "refine", "summary": "steps/..."}],
     "knee": {...}, "usl": {...}, ...}
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ecekit.capacity import usl
from ecekit.capacity.search import GENERATOR, MAX, NO_ANSWER, SERVER, Outcome
from ecekit.capacity.step import Step, kinds_text, verdict
from ecekit.load.slo import Slo

KNEE_FACTOR = 2.0
"""The knee: where p95 first exceeds this multiple of its value at the lowest rate measured."""
GENERATOR_REMEDY = ("raise the generator's limit: --workers N (one process per core), or locust's "
                    "distributed mode across machines (docs/load.md), then search again")


def knee(steps: Iterable[Step]) -> dict[str, Any]:
    """Where latency turns up: the offered rate at which p95 crosses KNEE_FACTOR x its low-load value,
    interpolated between the two steps around the crossing. Only steps the generator kept up with."""
    ok = sorted((s for s in steps if s.generator_ok and s.requests), key=lambda s: s.rate)
    rule = f"p95 first above {KNEE_FACTOR:g}x its value at the lowest rate measured"
    if len(ok) < 2:
        reason = "needs at least two steps the generator kept up with"
        return {"rate": None, "rule": rule, "reason": reason, "description": f"not seen: {reason}"}
    base = ok[0].p95
    threshold = KNEE_FACTOR * base
    for before, after in itertools.pairwise(ok):
        if after.p95 > threshold:
            span = after.p95 - before.p95
            frac = (threshold - before.p95) / span if span > 0 else 1.0
            rate = before.rate + max(0.0, min(1.0, frac)) * (after.rate - before.rate)
            return {"rate": round(rate, 3), "rule": rule, "baseline_p95_ms": base, "threshold_p95_ms": threshold,
                    "between": [before.rate, after.rate], "description": f"{rate:.4g} page views/s ({rule})"}
    reason = f"p95 stayed within {KNEE_FACTOR:g}x of {base:g} ms up to {ok[-1].rate:g}/s"
    return {"rate": None, "rule": rule, "baseline_p95_ms": base, "reason": reason,
            "description": f"not seen: {reason}"}


def usl_fit(steps: Iterable[Step]) -> dict[str, Any]:
    """The USL over the steps the generator kept up with: X = answered requests/s, N = X x mean latency."""
    points = [(s.concurrency, s.achieved_rps) for s in steps if s.generator_ok and s.mean_ms > 0]
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


def build(outcome: Outcome, slos: Sequence[Slo], settings: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "max_sustainable_rate": outcome.max_sustainable_rate,
        "rate_unit": "page views/s",
        "limited_by": outcome.limited_by,
        "verdict": sentence(outcome),
        "first_breach": outcome.first_breach,
        "slo": {"checks": [{"name": s.name, "limit": s.limit, "unit": s.unit} for s in slos]},
        "knee": knee(outcome.steps),
        "steps": [s.to_json() for s in outcome.steps],
        "usl": usl_fit(outcome.steps),
        **settings,
    }
    if outcome.limited_by == GENERATOR:
        data["generator_remedy"] = GENERATOR_REMEDY
    return data


def step_line(step: Step, total: int | None = None) -> str:
    """The progress line of one finished step."""
    return (f"{step.phase:<6} {step.rate:>9g}/s  achieved {step.achieved_rps:>9.1f} req/s  p50 {step.p50:>8.2f}  "
            f"p95 {step.p95:>8.2f}  p99 {step.p99:>8.2f} ms  errors {100 * step.error_rate:.2f}%  "
            f"cpu {100 * step.generator_busy:.0f}%  {verdict(step)}")


def render(data: Mapping[str, Any]) -> str:
    lines = [f"{'rate/s':>10}{'achieved':>11}{'p50':>9}{'p95':>9}{'p99':>9}{'errors':>8}  verdict   (ms, req/s)"]
    for s in sorted(data["steps"], key=lambda s: s["rate"]):
        v = ("NO ANSWER" if s.get("completed", 1) == 0 and s["requests"] else "generator saturated"
             if not s["generator_ok"] else "held" if s["passed"] else "BREACHED " + ",".join(s["breached"]))
        lines.append(f"{s['rate']:>10g}{s['achieved_rps']:>11.1f}{s['p50']:>9.2f}{s['p95']:>9.2f}{s['p99']:>9.2f}"
                     f"{100 * s['error_rate']:>7.2f}%  {v}")
    best = data["max_sustainable_rate"]
    lines.append(f"max sustainable rate: {best:g} page views/s" if best is not None else "max sustainable rate: none")
    lines.append(f"limited by: {data['limited_by']}: {data['verdict']}")
    if data.get("generator_remedy"):
        lines.append(f"  → {data['generator_remedy']}")
    k = data["knee"]
    lines.append(f"knee: {k['rate']:g} page views/s ({k['rule']})" if k["rate"] is not None
                 else f"knee: not seen ({k['reason']})")
    u = data["usl"]
    if u["fitted"]:
        head = (f"USL fit (r2 {u['r2']:g}): lambda {u['lambda']:g} req/s, sigma {u['sigma']:g}, "
                f"kappa {u['kappa']:g}")
        if u.get("peak_concurrency") is not None:
            beyond = " beyond the measured range" if u["peak_beyond_measured"] else ""
            head += (f"; predicted peak {u['peak_throughput_rps']:g} req/s at concurrency "
                     f"{u['peak_concurrency']:g} (EXTRAPOLATION{beyond}, not a measurement)")
        else:
            head += f"; no peak predicted ({u['reason_no_peak']})"
        lines.append(head)
    else:
        lines.append(f"USL: not fitted ({u['reason']})")
    return "\n".join(lines)


__all__ = ["GENERATOR", "MAX", "NO_ANSWER", "SERVER", "build", "knee", "render", "sentence", "step_line", "usl_fit"]
