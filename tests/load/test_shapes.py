"""Arrival shapes counted per window against ``rate_at``: as drawn (many seeds, tight), and for real
(one short `ecekit load` per shape, counted in the stub server's log of what arrived)."""

from __future__ import annotations

import itertools
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ecekit import operations as ops
from ecekit.load.schedule import Arrivals
from tests.load.harness import profile_file, run_locust, server_log, stub_server

SHAPES = {
    "ramp": Arrivals("ramp", rate=120, duration=4, start_rate=0),
    "step": Arrivals("step", rate=120, duration=4, steps=4),
    "spike": Arrivals("spike", rate=20, duration=4, spike_rate=120, spike_at=1.5, spike_length=1.0),
}
WINDOW = 0.5


def expected(arr: Arrivals, start: float, end: float, n: int = 200) -> float:
    """∫ rate_at over [start, end) (midpoint rule): the mean count of a Poisson process in the window."""
    dt = (end - start) / n
    return sum(arr.rate_at(start + (i + 0.5) * dt) for i in range(n)) * dt


def windows(arr: Arrivals) -> list[tuple[float, float]]:
    edges = [i * WINDOW for i in range(int(arr.duration / WINDOW) + 1)]
    return list(itertools.pairwise(edges))


def counts(times: list[float], arr: Arrivals) -> list[int]:
    return [sum(1 for t in times if a <= t < b) for a, b in windows(arr)]


@pytest.mark.parametrize("name", list(SHAPES))
@pytest.mark.parametrize("share", [1.0, 0.5])
def test_drawn_arrivals_follow_rate_at_in_every_window(name: str, share: float) -> None:
    arr = SHAPES[name]
    seeds = 100
    total = [0] * len(windows(arr))
    for seed in range(seeds):
        for i, c in enumerate(counts(list(arr.arrival_times(random.Random(seed), share)), arr)):
            total[i] += c
    for (a, b), got in zip(windows(arr), total, strict=True):
        want = seeds * share * expected(arr, a, b)
        assert abs(got - want) <= 4 * want ** 0.5 + 1, (name, a, b, got, want)


@pytest.mark.slow
@pytest.mark.timing
def test_shapes_drawn_for_real(tmp_path: Path) -> None:
    """Each shape through locust to the stub server; what arrived, per window from the first recorded
    request, is the shape's rate within a Poisson tolerance (plus a tenth of a second's worth of the
    peak rate for where the server's clock starts)."""

    def run(name: str) -> list[float]:
        arr = SHAPES[name]
        keys = {k: getattr(arr, k) for k in ("shape", "rate", "duration", "start_rate", "steps", "spike_rate",
                                              "spike_at", "spike_length")}
        text = "timeout = 5.0\nmax_in_flight = 500\nslo = []\n[arrivals]\n"
        text += "".join(f"{k} = {v!r}\n".replace("'", '"') for k, v in keys.items())
        text += f'[[call]]\noperation = "{ops.CHAT_ALLOWED.name}"\n'
        prof = profile_file(tmp_path, name, text)
        with stub_server() as (base_url, log, _):
            s = run_locust(base_url, profile=prof, rate=arr.rate, duration=arr.duration, out=tmp_path / name,
                         seed=5)
        rows = server_log(log)
        assert s["total"]["requests"] == s["schedule"]["page_views"] == len(rows) - 1
        origin = rows[0][2]  # the warm-up call, just before the schedule's clock starts
        return [r[2] - origin for r in rows[1:]]

    with ThreadPoolExecutor(len(SHAPES)) as pool:
        arrivals = dict(zip(SHAPES, pool.map(run, SHAPES), strict=True))
    for name, times in arrivals.items():
        arr = SHAPES[name]
        for (a, b), got in zip(windows(arr), counts(times, arr), strict=True):
            want = expected(arr, a, b)
            assert abs(got - want) <= 4 * want ** 0.5 + 1 + 0.1 * arr.peak(), (name, a, b, got, want)
