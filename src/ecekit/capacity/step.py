"""One capacity step: its numbers and its verdicts read from the step's own summary.json.

``passed`` is the SLO verdict of the load run, its sample alone; ``verdict`` is what the evidence of
the rate supports so far (``capacity.evidence``: held, breached, or unsettled when too few answers or
an unconfirmed breach leave it open; the search pools a rate's repeats into it).
``generator_ok`` says whether the numbers are the server's at all: a generator that could not keep
its schedule (page views started late or never) or whose busiest process used most of a core
stretches the latencies it measures from the scheduled time, so a breach in such a step says nothing
about the server and the search must not report it as the server's limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import cast

from ecekit.capacity import evidence
from ecekit.client import TransportError
from ecekit.run_summaries import GeneratorProcess, LoadSummary, SloSection, StepEvidence, StepRow

LAG_P50_MAX_MS = 10.0
"""Half the page views started more than this late (the summary's own lateness mark): the schedule
slipped for good, as it does when the generator's CPU or its max_in_flight pool runs out; a backlog
of arrivals then grows for as long as the step lasts. Sporadic lateness from a busy machine leaves the
median near zero: it counts when it hits more than LATE_SHARE_MAX of page views, or when the breach is
no larger than the lag (:func:`breach_within_lag`)."""
LATE_SHARE_MAX = 0.10
"""More than this share of page views started late (> summary.LATE_AFTER_MS) is no hiccup: the
generator lost its schedule for a tenth of the step, often because the machine it shares with the
server is short of CPU, and then neither side's numbers can be trusted."""
NO_ANSWER_KINDS = frozenset({*(e.value for e in TransportError), "unfinished"})
"""Failure kinds in which no complete answer came (timeout, reset, a body over the cap, cut at the drain),
as opposed to an answer that came and was an error (``http_503``)."""
LOST = "was lost during the step"
WORKER_LATE_MIN = 5
"""A worker's late share counts only from this many late page views: one worker's share of a short step
may be a dozen page views, and its first one or two wait for their connections."""
BUSY_MAX = 0.85
"""A load process busier than this share of one core is at its limit (gevent runs on one core; above
this the event loop starts delaying timers and reads, well before 100 %)."""


@dataclass(frozen=True)
class Step:
    """A step's row of capacity.json (latencies in ms, error_rate a fraction of requests)."""

    rate: float
    achieved_rps: float
    p50: float
    p95: float
    p99: float
    error_rate: float
    passed: bool
    generator_ok: bool
    phase: str = "ladder"  # ladder | refine | repeat
    mean_ms: float = 0.0
    requests: int = 0
    page_views: int = 0
    sent_late: int = 0
    unsent: int = 0
    generator_busy: float = 0.0
    breached: tuple[str, ...] = ()
    generator_problems: tuple[str, ...] = ()
    summary: str = ""  # the step's summary.json, relative to capacity.json
    duration_s: float = 0.0  # the measured window
    verdict: str = ""  # held | breached | unsettled: the rate's evidence up to this try
    evidence: StepEvidence = field(default_factory=StepEvidence)  # capacity.evidence.Judgement.to_json()
    slo: SloSection | None = field(default=None, repr=False)  # the summary's slo section (pooling)
    completed: int = 0  # requests that got a complete answer (any status), see NO_ANSWER_KINDS
    failures_by_kind: dict[str, int] = field(default_factory=dict)
    load_processes: int = 1  # the processes that sent the load (the workers, or the one local process)

    @property
    def answered(self) -> bool:
        """Did any request of this step get a complete answer? Without one there is nothing to measure."""
        return self.completed > 0 or not self.requests

    @property
    def concurrency(self) -> float:
        """Requests in the system by Little's law, N = X * R (R the mean latency)."""
        return self.achieved_rps * self.mean_ms / 1000

    def to_json(self) -> StepRow:
        """The fields but ``slo`` (kept for pooling, in the step's summary.json already), in their order,
        then the two figures derived from them; asdict knows no TypedDict, hence the one cast."""
        data = asdict(self)
        data["breached"] = list(self.breached)
        data["generator_problems"] = list(self.generator_problems)
        data["concurrency"] = round(self.concurrency, 3)
        # the page views the Poisson schedule actually drew for the window, per second: what a held
        # step's achieved_rps matches (the nominal rate differs from it by the count's own spread)
        data["scheduled_rps"] = round(self.page_views / self.duration_s, 3) if self.duration_s > 0 else None
        data.pop("slo")
        return cast(StepRow, data)

    def actual(self, check: str) -> float | None:
        """The step's measured value of one SLO check (its summary's own reading)."""
        checks = self.slo["checks"] if self.slo is not None else []
        return next((c.get("actual") for c in checks if c["name"] == check), None)


def generator_problems(summary: LoadSummary) -> list[str]:
    """Why the generator, not the server, may have set this step's numbers (empty: it kept up)."""
    sched = summary.get("schedule", {})
    page_views = int(sched.get("page_views", 0))
    lag = sched.get("lag_ms", {})
    problems = []
    workers = int(summary.get("workers", 1) or 1)
    reported = int(summary.get("workers_reported",  # each worker's last delta; older runs: any report
                               sum(1 for p in summary.get("generator", {}).get("processes", [])
                                   if p.get("role") == "worker")))
    if workers > 1 and reported < workers:
        problems.append(f"only {reported} of {workers} load processes reported their answers (a worker started "
                        "late, missed its heartbeats or stopped before reporting on a busy machine): the step's "
                        "numbers are incomplete")
    elif "total" in summary and not page_views and not int(summary["total"].get("requests", 0)):
        problems.append("the generator measured no page view in the step (its load process did not start "
                        "its schedule within the step)")
    unsent = int(sched.get("unsent", 0))
    if unsent:
        problems.append(f"{unsent} page views could not be sent before the run ended")
    late = int(sched.get("sent_late", 0))
    busy = float(summary.get("generator", {}).get("busy_max", 0.0))
    starved = (f", while its busiest process used only {100 * busy:.0f}% of a core: the machine is short of "
               "CPU (other processes, or the server on the same machine)") if busy <= BUSY_MAX else ""
    pool_full = int(sched.get("no_free_worker", 0))
    cause = starved
    if late and pool_full > late / 2:
        cause = (f": {pool_full} of them found every one of the profile's max_in_flight page-view workers "
                 "busy (raise max_in_flight in the profile, or --workers)")
    if float(lag.get("p50", 0.0)) > LAG_P50_MAX_MS:
        share = f"{100 * late / page_views:.0f}% of " if page_views else ""
        problems.append(f"the schedule slipped: {share}page views started late, median lag "
                        f"{lag.get('p50', 0):g} ms{cause}")
    elif page_views and late / page_views > LATE_SHARE_MAX:
        problems.append(f"{100 * late / page_views:.0f}% of page views started more than "
                        f"{sched.get('late_after_ms', 10):g} ms late (lag p95 {lag.get('p95', 0):g} ms){cause}")
    if busy > BUSY_MAX:
        problems.append(f"a load process used {100 * busy:.0f}% of a CPU core")
    problems += worker_problems(summary)
    if not problems and breach_within_lag(summary):
        problems.append(f"the SLO breach is within the generator's own lateness ({late} page views started "
                        f"late, lag p99 {lag.get('p99', 0):g} ms){starved}")
    return problems


def worker_label(process: GeneratorProcess) -> str:
    """A worker as its owner finds it: host and pid (one machine may run several)."""
    return f"{process.get('host', '?')} pid {process.get('pid', '?')}"


def worker_problems(summary: LoadSummary) -> list[str]:
    """Each worker that faltered, by name, and what it lacked; each worker lost during the step.

    The merged schedule can hide one worker: with four, one that sent half its share late makes only
    an eighth of all page views late. So every worker is judged on its own share by the same marks as
    the whole step (median lag, late share, unsent, a busy core)."""
    problems = [f"worker {name} {LOST}: its share of the load stopped, so the step is inconclusive (the search "
                "ends here)" for name in summary.get("lost_workers", [])]
    for process in summary.get("generator", {}).get("processes", []):
        own = process.get("schedule")
        if process.get("role") != "worker" or own is None:
            continue
        lacked = []
        page_views, late, busy = own["page_views"], own["sent_late"], float(process["busy"])
        if own["unsent"]:
            lacked.append(f"{own['unsent']} of its page views could not be sent")
        lag_p50 = float(own["lag_ms"].get("p50", 0.0))
        if lag_p50 > LAG_P50_MAX_MS or (late >= WORKER_LATE_MIN and late > LATE_SHARE_MAX * page_views):
            share = f"{100 * late / page_views:.0f}% of " if page_views else ""
            if late and own["no_free_worker"] > late / 2:
                cause = "; its max_in_flight page-view workers were all busy"
            elif busy <= BUSY_MAX:
                cause = f", while it used only {100 * busy:.0f}% of a core: its machine is short of CPU"
            else:
                cause = ""
            lacked.append(f"{share}its page views started late (median lag {lag_p50:g} ms){cause}")
        if busy > BUSY_MAX:
            lacked.append(f"it used {100 * busy:.0f}% of a CPU core")
        if lacked:
            problems.append(f"worker {worker_label(process)} (its share {own['offered_rps']:g} page views/s) "
                            "could not keep up: " + "; ".join(lacked))
    return problems


def breach_within_lag(summary: LoadSummary) -> bool:
    """True when every breached latency SLO would hold with the generator's lag at the same percentile
    taken off.

    Latencies are measured from the scheduled send time, so a page view the generator started late
    carries its lag; a breach no larger than the lag may be the generator's own doing (a heuristic:
    percentiles do not subtract exactly). Breaches of error or violation rates are the server's.
    """
    breached = [c for c in summary["slo"]["checks"] if not c["passed"]]
    lag = cast(Mapping[str, float], summary.get("schedule", {}).get("lag_ms", {}))  # read by the SLO's metric
    if not breached:
        return False
    for check in breached:
        metric = check["name"].rpartition(".")[2]
        if check.get("unit", "ms") != "ms" or check["actual"] is None:
            return False
        own = float(lag.get(metric, lag.get("max", 0.0)))
        if own <= 0 or check["actual"] - own > check["limit"]:
            return False
    return True


def from_summary(rate: float, summary: LoadSummary, *, phase: str = "ladder", path: str = "") -> Step:
    total = summary["total"]
    lat = total["latency_ms"]
    requests = int(total["requests"])
    gen = summary.get("generator", {})
    problems = generator_problems(summary)
    sched = summary.get("schedule", {})
    judgement = evidence.judge([summary["slo"]])
    kinds = {str(k): int(n) for k, n in total.get("failures_by_kind", {}).items()}
    return Step(
        rate=rate, achieved_rps=float(gen.get("answered_rps", total["rps"])),
        p50=lat["p50"], p95=lat["p95"], p99=lat["p99"],
        error_rate=round(total["failures"] / requests, 6) if requests else 0.0,
        passed=bool(summary["slo"]["passed"]), generator_ok=not problems, phase=phase,
        mean_ms=float(total.get("mean_latency_ms", 0.0)), requests=requests,
        page_views=int(sched.get("page_views", 0)), sent_late=int(sched.get("sent_late", 0)),
        unsent=int(sched.get("unsent", 0)), generator_busy=float(gen.get("busy_max", 0.0)),
        breached=tuple(c["name"] for c in summary["slo"]["checks"] if not c["passed"]),
        generator_problems=tuple(problems), summary=path, duration_s=float(summary.get("duration_s", 0.0)),
        verdict=judgement.verdict, evidence=judgement.to_json(), slo=summary["slo"].copy(),
        completed=requests - sum(n for k, n in kinds.items() if k in NO_ANSWER_KINDS), failures_by_kind=kinds,
        load_processes=max(1, int(summary.get("workers", 1) or 1)))


def verdict(step: Step) -> str:
    """The word the progress line and the table show."""
    if not step.answered:
        return f"NO ANSWER to {step.page_views} page views ({kinds_text(step.failures_by_kind)})"
    if any(LOST in p for p in step.generator_problems):
        return "WORKER LOST: inconclusive"
    if not step.generator_ok:
        return "generator saturated"
    if step.verdict == evidence.UNSETTLED:
        return "UNSETTLED: " + "; ".join(step.evidence.get("reasons", []))
    if step.verdict == evidence.HELD or (not step.verdict and step.passed):
        return "held"
    return "BREACHED " + ",".join(step.breached)


def kinds_text(kinds: Mapping[str, int]) -> str:
    """``too_large 12, timeout 3``: what came instead of answers, the most frequent first."""
    return ", ".join(f"{k} {n}" for k, n in sorted(kinds.items(), key=lambda kv: (-kv[1], kv[0])))
