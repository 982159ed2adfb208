"""The capacity search: climb the ladder until a step breaches, bisect the last bracket, and say what
set the limit. Independent of how a step runs (``run_step`` is any callable returning a summary), so
the decisions are unit-tested on made-up summaries and run for real through ``ecekit.load.launch``.

The rules, in order, for every step:

* no request of the step got a complete answer (every one a timeout, a reset, a body over the cap)
  while no earlier step held: stop, ``no_answer``: a server that never answers has no capacity to
  measure, and that is not its limit;
* the generator did not keep up (``generator_ok`` false): stop; the limit is the generator's, and the
  last rate that held with a healthy generator is only a lower bound of the server's capacity;
* the SLO held: the rate is good, climb on;
* the SLO broke with a healthy generator: the server's limit lies between the last good rate and this
  one; bisect it ``refine`` times (a refining step on which the generator faltered ends the
  refinement: it proves nothing either way).

A ladder that holds to ``--max`` is limited by ``max``: the server's capacity is at least that.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ecekit.capacity import ladder as ladder_mod
from ecekit.capacity import step as step_mod
from ecekit.capacity.step import Step

RunStep = Callable[[float, int, str], tuple[Mapping[str, Any], str]]
"""(rate, step number from 1, phase) -> (the step's summary.json, its path for capacity.json)."""

SERVER, GENERATOR, MAX, NO_ANSWER = "server", "generator", "max", "no_answer"


@dataclass
class Outcome:
    steps: list[Step] = field(default_factory=list)
    max_sustainable_rate: float | None = None
    first_breach: float | None = None  # the lowest rate seen breaching with a healthy generator
    limited_by: str = MAX

    @property
    def found(self) -> bool:
        return self.max_sustainable_rate is not None


def search(ladder: ladder_mod.Ladder, run_step: RunStep, *, refine: int = 3,
           on_step: Callable[[Step], None] | None = None, outcome: Outcome | None = None) -> Outcome:
    """Run the search; ``outcome`` (filled as steps finish) lets a caller keep the steps of an
    interrupted search."""
    out = outcome if outcome is not None else Outcome()

    def run(rate: float, phase: str) -> Step:
        summary, path = run_step(rate, len(out.steps) + 1, phase)
        result = step_mod.from_summary(rate, summary, phase=phase, path=path)
        out.steps.append(result)
        if on_step is not None:
            on_step(result)
        return result

    good: float | None = None
    for rate in ladder.rates():
        result = run(rate, "ladder")
        if good is None and not result.answered:
            out.limited_by = NO_ANSWER
            break
        if not result.generator_ok:
            out.limited_by = GENERATOR
            break
        if result.passed:
            good = out.max_sustainable_rate = rate
            continue
        out.limited_by, out.first_breach = SERVER, rate
        break
    if out.limited_by == SERVER and good is not None and out.first_breach is not None:
        bad = out.first_breach
        for _ in range(refine):
            mid = ladder_mod.midpoint(good, bad)
            if not good < mid < bad:
                break
            result = run(mid, "refine")
            if not result.generator_ok:
                break
            if result.passed:
                good = out.max_sustainable_rate = mid
            else:
                bad = out.first_breach = mid
    return out
