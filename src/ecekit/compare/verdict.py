"""The verdict on one metric's change, and what would decide it when its interval is too wide.

``same`` needs the whole 95 % interval within the equivalence margin; ``slower`` needs the interval
above zero *and* the change beyond the margin (a real but negligible shift is not a regression a team
must act on, as Criterion's noise threshold says); ``faster`` mirrors it. Anything else is
``inconclusive``. With one run a side the spread between runs is unknown, and on a shared machine it
dwarfs a run's own sampling: such a change is never called slower or faster, only inconclusive, with
the number of runs that would decide if runs vary by ASSUMED_RUN_SPREAD.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ecekit.compare.intervals import Change

SLOWER, FASTER, SAME, INCONCLUSIVE = "slower", "faster", "same", "inconclusive"
ORDER = (SLOWER, FASTER, INCONCLUSIVE, SAME)  # the overall verdict: the first any metric has
DEFAULT_MARGIN = 0.10
"""Equivalence margin, relative to the before value: a tenth of a percentile is what a capacity plan
or an SLO notices; smaller shifts are within what an upgrade may change without anyone caring."""
MIN_MARGIN_MS = 0.1
"""Below a tenth of a millisecond nothing a browser or an SLO sees has changed."""
ERROR_MARGIN = 0.001
"""0.1 percentage point of requests (or page views) failing."""
ASSUMED_RUN_SPREAD = 0.10
"""With one run a side: how much runs are assumed to vary (standard deviation over the value) to say
how many would decide. Measured here: five runs' p50s spread by about 10 % on a shared machine."""


@dataclass(frozen=True)
class Margin:
    relative: float = DEFAULT_MARGIN
    absolute_ms: float = MIN_MARGIN_MS
    error: float = ERROR_MARGIN

    def latency(self, before_ms: float) -> float:
        return max(self.absolute_ms, self.relative * abs(before_ms))

    def to_json(self) -> dict[str, float]:
        return {"relative": self.relative, "absolute_ms": self.absolute_ms, "error_pp": round(100 * self.error, 6)}


def judge(change: Change | None, margin: float) -> str:
    if change is None:
        return INCONCLUSIVE
    if -margin < change.low and change.high < margin:
        return SAME
    if not change.between_runs:
        return INCONCLUSIVE
    if change.low > 0 and change.change > margin:
        return SLOWER
    if change.high < 0 and change.change < -margin:
        return FASTER
    return INCONCLUSIVE


def decide(change: Change | None, margin: float, runs: int, unit: str, assumed_sd: float | None = None,
           within_dominates: bool = False) -> str | None:
    """What would settle an inconclusive change: more runs a side, or longer runs when the runs' own
    sampling (too few answers for a tail percentile) is what widens the interval."""
    if change is None:
        return "too few answers to bound this percentile: longer runs or a higher rate would measure it"
    half = (change.high - change.low) / 2
    room = abs(change.change) if abs(change.change) >= margin else margin - abs(change.change)
    if within_dominates and room > 0 and half > 0:
        longer = (half / room) ** 2
        if longer > 1:
            shown = f"{math.ceil(longer * 10) / 10:g}" if longer < 10 else f"{math.ceil(longer):d}"
            return f"the runs' own samples are too few: runs about {shown}x as long would decide"
    sd = change.per_run_sd if change.between_runs else max(change.per_run_sd or 0.0, assumed_sd or 0.0)
    probe = Change(change.change, change.low, change.high, True, sd, change.df)
    needed = probe.runs_to_decide(margin, runs)
    prefix = "" if change.between_runs else (
        f"one run a side: run-to-run noise is not measured; if runs vary by {100 * ASSUMED_RUN_SPREAD:g} %, ")
    if needed is None:
        return prefix + f"the change is too close to the margin ({margin:g}{unit}) for more runs to decide"
    return prefix + f"about {needed} runs a side would decide"


def overall(verdicts: list[str]) -> str:
    return next((v for v in ORDER if v in verdicts), INCONCLUSIVE)
