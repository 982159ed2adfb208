"""Which rates a capacity search offers: the ladder up to --max, then bisection of the last bracket.

Bisection, not a few evenly spaced shorter steps: k extra steps narrow the bracket between the last
good and the first bad rate to 1/2**k of it (3 steps: 12.5 %), where k evenly spaced steps reach only
1/(k+1). Every refining step lasts as long as the ladder's: an overloaded open system's queue grows
for as long as the overload lasts, so a shorter step would understate the latency near the knee and
bias the answer upwards, exactly where it matters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ecekit.errors import ConfigError

MAX_STEPS = 200


@dataclass(frozen=True)
class Ladder:
    """start, start+step (or start*factor), ... up to and including ``maximum``."""

    start: float
    maximum: float
    step: float | None = None
    factor: float | None = None

    def __post_init__(self) -> None:
        if not (self.start > 0 and math.isfinite(self.start)):
            raise ConfigError(f"--start {self.start:g} is not a positive rate", remedy="e.g. --start 10")
        if not (self.maximum >= self.start and math.isfinite(self.maximum)):
            raise ConfigError(f"--max {self.maximum:g} is below --start {self.start:g}",
                              remedy="give a --max at least as high as --start")
        if self.step is not None and self.factor is not None:
            raise ConfigError("--step and --factor both given", remedy="choose one: --step 50 or --factor 1.5")
        if self.step is not None and not (self.step > 0 and math.isfinite(self.step)):
            raise ConfigError(f"--step {self.step:g} is not a positive rate", remedy="e.g. --step 50")
        if self.factor is not None and not (self.factor > 1 and math.isfinite(self.factor)):
            raise ConfigError(f"--factor {self.factor:g} must be above 1", remedy="e.g. --factor 1.5")
        if len(self.rates()) > MAX_STEPS:
            raise ConfigError(f"{len(self.rates())} steps from {self.start:g} to {self.maximum:g}/s is too many",
                              remedy=f"at most {MAX_STEPS}: raise --step or --factor, or narrow --start..--max")

    def rates(self) -> list[float]:
        rates = [self.start]
        while rates[-1] < self.maximum and len(rates) <= MAX_STEPS:
            nxt = rates[-1] + self.step if self.step is not None else rates[-1] * (self.factor or 2.0)
            rates.append(min(round(nxt, 6), self.maximum))
        return rates


def midpoint(good: float, bad: float) -> float:
    """The next rate to try between the last rate that held and the first that did not."""
    return round((good + bad) / 2, 3)
