"""Arrival schedules: how many page views per second a run offers, and when each one arrives.

The load is an *open* model: page views arrive on their own clock, as a Poisson process whose rate
follows a shape (steady, ramp, step, spike, soak), whatever the server does. A closed model (N users
that each wait for an answer before the next request) sends less when the server slows down, so a
stalled server sees almost no requests during its stall and its latency vanishes from the numbers;
real visitors keep opening pages. Arrivals are drawn by thinning (Lewis and Shedler): candidates at
the peak rate, each kept with probability rate(t)/peak, which gives an exact non-homogeneous Poisson
process for any shape. A stream with ``share`` 1/N is one of N independent streams whose sum is the
offered process (the sum of independent Poisson processes is Poisson), which is how workers split it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from ecekit.errors import ConfigError, did_you_mean

SHAPES = ("steady", "ramp", "step", "spike", "soak")
SOAK_DEFAULT_DURATION = 3600.0


@dataclass(frozen=True)
class Arrivals:
    """An offered rate of page views per second as a function of time, over ``duration`` seconds.

    ``rate`` is the target (steady, soak, end of a ramp, last step) or the base (spike). A duration of
    0 means "until stopped" (the locust web UI); ``ecekit load`` always bounds it.
    """

    shape: str = "steady"
    rate: float = 10.0
    duration: float = 30.0
    start_rate: float = 0.0  # ramp: the rate at t=0
    ramp: float = 0.0  # ramp: seconds to reach `rate` (0: the whole duration)
    steps: int = 5  # step: rate/steps, 2*rate/steps, ..., rate, in equal slices of the duration
    spike_rate: float = 0.0  # spike: the rate during the spike (0: 5 x rate)
    spike_at: float = -1.0  # spike: start, seconds (negative: centred)
    spike_length: float = 0.0  # spike: seconds (0: a tenth of the duration)

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            hint = did_you_mean(self.shape, SHAPES)
            raise ConfigError(f"unknown arrival shape {self.shape!r}", remedy=f"{hint}one of {', '.join(SHAPES)}")
        if not (self.rate > 0 and math.isfinite(self.rate)):
            raise ConfigError(f"rate {self.rate!r} is not a positive number of page views per second",
                              remedy="e.g. --rate 50")
        if self.duration < 0 or not math.isfinite(self.duration):
            raise ConfigError(f"duration {self.duration!r} is not a number of seconds", remedy="e.g. --duration 60")
        if self.steps < 1:
            raise ConfigError("steps must be at least 1", remedy="e.g. steps = 5")
        if self.start_rate < 0 or self.spike_rate < 0 or self.ramp < 0 or self.spike_length < 0:
            raise ConfigError("rates and lengths of an arrival shape cannot be negative",
                              remedy="check start_rate, spike_rate, ramp and spike_length")

    @property
    def bounded(self) -> bool:
        return self.duration > 0

    def _spike_window(self) -> tuple[float, float]:
        length = self.spike_length or self.duration / 10
        start = self.spike_at if self.spike_at >= 0 else (self.duration - length) / 2
        return start, start + length

    def rate_at(self, t: float) -> float:
        """The offered rate (page views/s) at ``t`` seconds into the run."""
        if self.shape == "ramp":
            span = self.ramp or self.duration
            if span <= 0 or t >= span:
                return self.rate
            return self.start_rate + (self.rate - self.start_rate) * t / span
        if self.shape == "step":
            if not self.bounded:
                return self.rate
            k = min(self.steps, int(t / (self.duration / self.steps)) + 1)
            return self.rate * k / self.steps
        if self.shape == "spike":
            start, end = self._spike_window()
            return (self.spike_rate or 5 * self.rate) if start <= t < end else self.rate
        return self.rate

    def peak(self) -> float:
        if self.shape == "ramp":
            return max(self.rate, self.start_rate)
        if self.shape == "spike":
            return max(self.rate, self.spike_rate or 5 * self.rate)
        return self.rate

    def mean_rate(self) -> float:
        """The average offered rate over the run: what ``offered_rate`` in summary.json reports."""
        if not self.bounded or self.shape in ("steady", "soak"):
            return self.rate
        n = 2000  # midpoint rule; exact for the piecewise-linear shapes up to the step edges
        dt = self.duration / n
        return sum(self.rate_at((i + 0.5) * dt) for i in range(n)) / n

    def arrival_times(self, rng: random.Random, share: float = 1.0) -> Iterator[float]:
        """Seconds from the start at which this stream's page views arrive, in order."""
        peak = self.peak() * share
        end = self.duration if self.bounded else float("inf")
        expovariate = rng.expovariate
        t = 0.0
        if self.shape in ("steady", "soak"):  # a constant rate: no thinning needed (the hot case)
            while (t := t + expovariate(peak)) < end:
                yield t
            return
        while (t := t + expovariate(peak)) < end:
            if rng.random() * peak < self.rate_at(t) * share:
                yield t


_FIELDS = {f.name: f for f in fields(Arrivals)}


def from_mapping(data: Mapping[str, Any], source: str) -> Arrivals:
    """An Arrivals from a profile's ``[arrivals]`` table, naming the file and key on error."""
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in _FIELDS:
            hint = did_you_mean(key, _FIELDS)
            raise ConfigError(f"{source}: unknown key {key!r} in [arrivals]",
                              remedy=f"{hint}valid keys: {', '.join(_FIELDS)}")
        expected = str if key == "shape" else int if key == "steps" else float
        if isinstance(value, bool) or not isinstance(value, (int, float) if expected is not str else str):
            raise ConfigError(f"{source}: arrivals.{key} = {value!r} is not valid",
                              remedy=f"expected a {'string' if expected is str else 'number'}")
        values[key] = expected(value)
    if values.get("shape") == "soak" and "duration" not in values:
        values["duration"] = SOAK_DEFAULT_DURATION
    return Arrivals(**values)


def with_overrides(arrivals: Arrivals, rate: float | None = None, duration: float | None = None) -> Arrivals:
    """The profile's arrivals with --rate / --duration applied (None leaves a value as it is).

    The shape scales with them, so a run never offers more than was asked for by surprise: a spike's
    ``spike_rate`` and a ramp's ``start_rate`` keep their ratio to ``rate``; ``ramp``, ``spike_at`` and
    ``spike_length`` keep their share of the duration.
    """
    changes: dict[str, Any] = {}
    if rate is not None:
        factor = float(rate) / arrivals.rate
        changes["rate"] = float(rate)
        changes["start_rate"] = arrivals.start_rate * factor
        changes["spike_rate"] = arrivals.spike_rate * factor
    if duration is not None:
        changes["duration"] = float(duration)
        if arrivals.duration > 0 and duration > 0:
            share = float(duration) / arrivals.duration
            changes["ramp"] = arrivals.ramp * share
            changes["spike_length"] = arrivals.spike_length * share
            if arrivals.spike_at >= 0:
                changes["spike_at"] = arrivals.spike_at * share
    return replace(arrivals, **changes) if changes else arrivals


def describe(arrivals: Arrivals) -> str:
    """One line on what a run will offer: the shape, the mean and, when it differs, the peak rate."""
    text = f"{arrivals.shape} {arrivals.mean_rate():g} page views/s"
    if arrivals.peak() > arrivals.mean_rate() * 1.001:
        text += f" on average, peaking at {arrivals.peak():g}/s"
    return text + f" for {arrivals.duration:g} s"
