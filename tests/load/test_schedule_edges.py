"""The arrival shape's validation at its edges and the offered mean rate, exactly (pure)."""

from __future__ import annotations

import math

import pytest

from ecekit.errors import ConfigError
from ecekit.load.schedule import Arrivals


@pytest.mark.parametrize("changes", [
    {"rate": 1e-6}, {"rate": 0.5}, {"duration": 0.0}, {"steps": 1}, {"start_rate": 0.0}, {"spike_rate": 0.0},
    {"ramp": 0.0}, {"spike_length": 0.0},
])
def test_edges_that_are_allowed(changes: dict[str, float]) -> None:
    Arrivals(**changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("changes", [
    {"rate": 0.0}, {"rate": -1.0}, {"rate": math.inf}, {"rate": math.nan}, {"duration": -0.001},
    {"duration": math.inf}, {"steps": 0}, {"start_rate": -1.0}, {"spike_rate": -1.0}, {"ramp": -1.0},
    {"spike_length": -1.0},
])
def test_edges_that_are_refused(changes: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        Arrivals(**changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(("arr", "mean"), [
    (Arrivals("ramp", rate=100, duration=10), 50.0),
    (Arrivals("ramp", rate=100, duration=10, start_rate=20, ramp=5), 80.0),
    (Arrivals("step", rate=100, duration=10, steps=4), 62.5),
    (Arrivals("spike", rate=10, duration=100, spike_rate=50, spike_length=10), 14.0),
    (Arrivals("ramp", rate=30, duration=0), 30.0),  # unbounded: the target rate
    (Arrivals("soak", rate=3, duration=10), 3.0),
])
def test_mean_rate_is_exact_for_piecewise_linear_shapes(arr: Arrivals, mean: float) -> None:
    assert arr.mean_rate() == pytest.approx(mean, abs=1e-9)
