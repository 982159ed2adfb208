"""The capacity search: climb the ladder until a rate breaches, bisect the last bracket, and say what
set the limit. Independent of how a step runs (``run_step`` is any callable returning a summary), so
the decisions are unit-tested on made-up summaries and run for real through ``ecekit.load.launch``.

The rules, in order, for every rate:

* no request of the step got a complete answer (every one a timeout, a reset, a body over the cap)
  while no earlier step held: stop, ``no_answer``: a server that never answers has no capacity to
  measure, and that is not its limit;
* the generator did not keep up (``generator_ok`` false): stop; the limit is the generator's, and the
  last rate that held with a healthy generator is only a lower bound of the server's capacity;
* the evidence does not settle the SLO (too few answers for a percentile, or a breach its confidence
  interval does not confirm, ``capacity.evidence``): repeat the rate, each repeat twice as long as the
  try before, up to ``repeats`` times, pooling the tries' counts. Still unsettled: stop; the limit is
  ``inconclusive``, and the last rate that held is a lower bound, never the server's limit;
* the SLO held: the rate is good, climb on;
* a confirmed breach with a healthy generator: the server's limit lies between the last good rate and
  this one; bisect it ``refine`` times (a refining rate on which the generator faltered or the
  evidence stayed unsettled ends the refinement: it proves nothing either way).

A ladder that holds to ``--max`` is limited by ``max``: the server's capacity is at least that.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ecekit.capacity import evidence
from ecekit.capacity import ladder as ladder_mod
from ecekit.capacity import step as step_mod
from ecekit.capacity.step import Step
from ecekit.run_summaries import LoadSummary, SloSection


class RunStep(Protocol):
    def __call__(self, rate: float, number: int, phase: str, scale: float = 1.0) -> tuple[LoadSummary, str]:
        """(rate, step number from 1, phase, the step's length as a multiple of --step-duration) ->
        (the step's summary.json, its path for capacity.json)."""


SERVER, GENERATOR, MAX, INCONCLUSIVE, NO_ANSWER = "server", "generator", "max", "inconclusive", "no_answer"
REPEAT_GROWTH = 2.0


@dataclass
class Outcome:
    steps: list[Step] = field(default_factory=list)
    max_sustainable_rate: float | None = None
    first_breach: float | None = None  # the lowest rate seen breaching (confirmed) with a healthy generator
    limited_by: str = MAX
    unsettled_at: float | None = None  # the rate whose evidence did not settle (limited_by inconclusive)

    @property
    def found(self) -> bool:
        return self.max_sustainable_rate is not None


def search(ladder: ladder_mod.Ladder, run_step: RunStep, *, refine: int = 3, repeats: int = 2,
           on_step: Callable[[Step], None] | None = None, outcome: Outcome | None = None) -> Outcome:
    """Run the search; ``outcome`` (filled as steps finish) lets a caller keep the steps of an
    interrupted search."""
    out = outcome if outcome is not None else Outcome()

    def settle(rate: float, phase: str) -> Step:
        """Run a rate, repeating it while its pooled evidence is unsettled; its last try carries the
        rate's verdict."""
        sections: list[SloSection] = []
        scale = 1.0
        for attempt in range(repeats + 1):
            summary, path = run_step(rate, len(out.steps) + 1, phase if attempt == 0 else "repeat", scale)
            result = step_mod.from_summary(rate, summary, phase=phase if attempt == 0 else "repeat", path=path)
            sections.append(summary["slo"])
            if result.generator_ok:
                judged = evidence.judge(sections)
                result = dataclasses.replace(result, verdict=judged.verdict, evidence=judged.to_json())
            out.steps.append(result)
            if on_step is not None:
                on_step(result)
            if not result.answered or not result.generator_ok or result.verdict != evidence.UNSETTLED:
                return result
            scale *= REPEAT_GROWTH
        return result

    good: float | None = None
    for rate in ladder.rates():
        result = settle(rate, "ladder")
        if good is None and not result.answered:
            out.limited_by = NO_ANSWER
            break
        if not result.generator_ok:
            out.limited_by = GENERATOR
            break
        if result.verdict == evidence.HELD:
            good = out.max_sustainable_rate = rate
            continue
        if result.verdict == evidence.UNSETTLED:
            out.limited_by, out.unsettled_at = INCONCLUSIVE, rate
            break
        out.limited_by, out.first_breach = SERVER, rate
        break
    if out.limited_by == SERVER and good is not None and out.first_breach is not None:
        bad = out.first_breach
        for _ in range(refine):
            mid = ladder_mod.midpoint(good, bad)
            if not good < mid < bad:
                break
            result = settle(mid, "refine")
            if not result.generator_ok or result.verdict == evidence.UNSETTLED:
                break
            if result.verdict == evidence.HELD:
                good = out.max_sustainable_rate = mid
            else:
                bad = out.first_breach = mid
    return out
