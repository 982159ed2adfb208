"""Whether a rate held the SLO, breached it, or the answers cannot tell (docs/capacity.md).

Each SLO check of a step's summary.json carries its ``evidence`` (``ecekit.load.evidence``): n answers,
k of them beyond the limit, the share allowed beyond it. The tries of one rate (the step and its
repeats) are pooled: counts add up, so two short steps are judged as one long one. Per check:

* ``breached``: the percentile's (or rate's) 99 % distribution-free interval lies wholly above the
  limit (``ecekit.load.evidence.BLAME_CONFIDENCE``). Only this blames the server.
* ``unconfirmed``: the sample breached, but the interval reaches the limit: one or two unlucky answers
  could have done it. The rate is repeated; never the server's limit on its own.
* ``too few``: a percentile held in a sample too small for the interval to have an upper end inside
  the data (``minimum_samples``: 72 answers for p95). The rate is repeated, longer.
* ``held``: otherwise (the sample held, with enough answers).

A check without counts (``max``, what visitors saw, an SLO on an operation never called) keeps the
load run's own verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ecekit.load import evidence as stats
from ecekit.run_summaries import SloSection, StepEvidence

HELD, BREACHED, UNCONFIRMED, TOO_FEW = "held", "breached", "unconfirmed", "too few"
UNSETTLED = "unsettled"  # a rate whose checks are not all held or some breached


@dataclass(frozen=True)
class Count:
    """One check's pooled evidence over the tries of a rate."""

    name: str
    limit: float
    unit: str
    samples: int
    exceeding: int
    allowed_share: float
    percentile: bool

    @property
    def verdict(self) -> str:
        q = 1 - self.allowed_share
        n, k = self.samples, self.exceeding
        if stats.breach_confirmed(n, k, q):
            return BREACHED
        if stats.sample_breached(n, k, q) if self.percentile else k > self.allowed_share * n:
            return UNCONFIRMED
        if self.percentile and n < stats.minimum_samples(q):
            return TOO_FEW
        return HELD

    def describe(self) -> str:
        what = "answers slower than" if self.percentile else "beyond"
        shown = f"{self.limit:g} {self.unit}"
        text = f"{self.name}: {self.exceeding} of {self.samples} {what} {shown}"
        if self.verdict == TOO_FEW:
            need = stats.minimum_samples(1 - self.allowed_share)
            return f"{text}: too few answers to judge {self.name} ({need} needed)"
        if self.verdict == UNCONFIRMED:
            return f"{text}: a breach the 99 % interval does not confirm"
        if self.verdict == BREACHED:
            return f"{text}: breached (99 % interval wholly above the limit)"
        return f"{text}: held"


@dataclass(frozen=True)
class Judgement:
    verdict: str  # held | breached | unsettled
    counts: tuple[Count, ...]
    uncounted_breaches: tuple[str, ...]  # checks without counts that the load run judged breached

    @property
    def reasons(self) -> list[str]:
        shown = [c.describe() for c in self.counts if c.verdict != HELD]
        return shown + [f"{name}: breached" for name in self.uncounted_breaches]

    def to_json(self) -> StepEvidence:
        return {"verdict": self.verdict, "reasons": self.reasons,
                "checks": [{"name": c.name, "samples": c.samples, "exceeding": c.exceeding,
                            "allowed_share": c.allowed_share, "verdict": c.verdict} for c in self.counts]}


def judge(tries: Sequence[SloSection]) -> Judgement:
    """The verdict of one rate from the SLO sections (``summary["slo"]``) of its tries, pooled."""
    pooled: dict[str, list[Any]] = {}
    uncounted: list[str] = []
    for section in tries:
        for check in section.get("checks", []):
            ev = check.get("evidence")
            if ev is None:
                if not check["passed"] and check["name"] not in uncounted:
                    uncounted.append(check["name"])
                continue
            entry = pooled.setdefault(check["name"], [check, 0, 0])
            entry[1] += int(ev["samples"])
            entry[2] += int(ev["exceeding"])
    counts = tuple(Count(name=c["name"], limit=float(c["limit"]), unit=c.get("unit", "ms"), samples=n,
                         exceeding=k, allowed_share=float(c["evidence"]["allowed_share"]),
                         percentile=c.get("unit", "ms") == "ms")
                   for c, n, k in pooled.values())
    verdicts = {c.verdict for c in counts}
    if uncounted or BREACHED in verdicts:
        verdict = BREACHED
    elif verdicts <= {HELD}:
        verdict = HELD
    else:
        verdict = UNSETTLED
    return Judgement(verdict, counts, tuple(uncounted))

