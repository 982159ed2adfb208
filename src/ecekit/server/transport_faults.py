"""Transport faults: added latency from a distribution, a stall window, dropped connections.

They apply to every ECE path (status operations and the survey), never to the admin API, and act
before the model is asked, like a slow network or a paused JVM would.

Durations are ``50ms``, ``200us``, ``1.5s`` or a bare number of seconds. Latency distributions::

    latency=50ms                      fixed
    latency=uniform:10ms-200ms        uniform between the two
    latency=exp:50ms                  exponential with that mean
    latency=mix:2ms@90,10ms@8,40ms@2  fixed values with weights (percent or any positive numbers)
"""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections.abc import Callable
from typing import ClassVar

from ecekit.errors import ConfigError
from ecekit.server.fault_base import Fault

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(us|µs|ms|s)?\s*$")
_UNITS = {"us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, None: 1.0}


def duration(text: str, what: str) -> float:
    """Seconds from ``50ms`` / ``200us`` / ``1.5s`` / ``2``; ConfigError naming ``what`` otherwise."""
    match = _DURATION.match(text)
    if not match:
        raise ConfigError(f"{what}: {text!r} is not a duration",
                          remedy="write e.g. 50ms, 200us, 1.5s or a number of seconds")
    return float(match.group(1)) * _UNITS[match.group(2)]


def distribution(text: str) -> Callable[[], float]:
    """A sampler of seconds for a latency spec (see the module docstring)."""
    kind, sep, rest = text.partition(":")
    what = f"latency={text}"
    if not sep:
        fixed = duration(text, what)
        return lambda: fixed
    if kind == "uniform":
        low_s, dash, high_s = rest.partition("-")
        low, high = duration(low_s, what), duration(high_s, what) if dash else -1.0
        if not dash or high < low:
            raise ConfigError(f"{what}: expected uniform:LOW-HIGH with LOW <= HIGH",
                              remedy="write e.g. latency=uniform:10ms-200ms")
        return lambda: random.uniform(low, high)
    if kind == "exp":
        mean = duration(rest, what)
        return lambda: random.expovariate(1 / mean) if mean > 0 else 0.0
    if kind == "mix":
        values, weights = [], []
        for part in rest.split(","):
            value, at, weight = part.partition("@")
            try:
                w = float(weight) if at else -1.0
            except ValueError:
                w = -1.0
            if w <= 0:
                raise ConfigError(f"{what}: {part!r} is not DURATION@WEIGHT with a positive weight",
                                  remedy="write e.g. latency=mix:2ms@90,10ms@8,40ms@2")
            values.append(duration(value, what))
            weights.append(w)
        return lambda: random.choices(values, weights)[0]
    raise ConfigError(f"{what}: unknown distribution {kind!r}",
                      remedy="use a fixed duration, uniform:LOW-HIGH, exp:MEAN or mix:D@W,…")


class Latency(Fault):
    name, trips, takes_param = "latency", "response_time", True
    summary = "adds latency to every answer: latency=50ms, uniform:10ms-200ms, exp:50ms, mix:2ms@90,…"

    def __init__(self, param: str | None = None) -> None:
        super().__init__(param)
        if param is None:
            raise ConfigError("fault 'latency' needs a distribution", remedy="write e.g. latency=50ms")
        self.sample = distribution(param)

    async def before(self, now: float) -> bool:
        await asyncio.sleep(self.sample())
        return False


class Stall(Fault):
    name, trips, takes_param = "stall", "transport", True
    summary = ("no answers for S seconds, starting T seconds after the fault is set (stall=S@T) or at "
               "once (stall=S); requests arriving meanwhile wait for the end of the stall")
    clock: ClassVar[Callable[[], float]] = time.monotonic

    def __init__(self, param: str | None = None) -> None:
        super().__init__(param)
        if param is None:
            raise ConfigError("fault 'stall' needs a length", remedy="write e.g. stall=5 or stall=5@10")
        length, at, offset = param.partition("@")
        self.start = Stall.clock() + (duration(offset, f"stall={param}") if at else 0.0)
        self.end = self.start + duration(length, f"stall={param}")

    async def before(self, now: float) -> bool:
        if self.start <= now < self.end:
            await asyncio.sleep(self.end - now)
        return False


class Drop(Fault):
    name, trips, takes_param = "drop", "transport", True
    summary = "closes the connection without answering, with probability P (drop=0.1; default 1)"

    def __init__(self, param: str | None = None) -> None:
        super().__init__(param)
        try:
            self.probability = 1.0 if param is None else float(param)
        except ValueError:
            self.probability = -1.0
        if not 0.0 <= self.probability <= 1.0:
            raise ConfigError(f"drop={param}: the probability must be a number from 0 to 1",
                              remedy="write e.g. drop=0.1, or drop for every request")

    async def before(self, now: float) -> bool:
        return self.probability >= 1.0 or random.random() < self.probability
