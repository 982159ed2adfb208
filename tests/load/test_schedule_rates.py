"""The offered rate of each shape at its edges, the --rate/--duration overrides and the one-line
description (pure, exact: no drawing of arrivals except from a seeded stream)."""

from __future__ import annotations

import random

import pytest

from ecekit.errors import ConfigError
from ecekit.load.schedule import SOAK_DEFAULT_DURATION, Arrivals, describe, from_mapping, with_overrides


@pytest.mark.parametrize(("arr", "rates"), [
    # ramp: from start_rate to rate over `ramp` seconds (0: the whole duration), then flat
    (Arrivals("ramp", rate=100, duration=10, start_rate=20, ramp=4),
     {0.0: 20.0, 1.0: 40.0, 3.999: 99.98, 4.0: 100.0, 9.0: 100.0}),
    (Arrivals("ramp", rate=100, duration=10), {0.0: 0.0, 2.5: 25.0, 10.0: 100.0}),
    (Arrivals("ramp", rate=100, duration=0), {0.0: 100.0, 99.0: 100.0}),  # unbounded: the target at once
    # step: rate/steps, ..., rate in equal slices; the last slice holds to the end and beyond
    (Arrivals("step", rate=100, duration=10, steps=4),
     {0.0: 25.0, 2.499: 25.0, 2.5: 50.0, 7.5: 100.0, 9.999: 100.0, 10.0: 100.0, 50.0: 100.0}),
    (Arrivals("step", rate=60, duration=0, steps=3), {0.0: 60.0, 5.0: 60.0}),
    # spike: 5 x rate by default, for a tenth of the duration, centred by default
    (Arrivals("spike", rate=10, duration=100), {44.999: 10.0, 45.0: 50.0, 54.999: 50.0, 55.0: 10.0}),
    (Arrivals("spike", rate=10, duration=100, spike_rate=30, spike_at=0, spike_length=5),
     {0.0: 30.0, 4.999: 30.0, 5.0: 10.0}),
    (Arrivals("spike", rate=10, duration=100, spike_at=20, spike_length=10), {19.999: 10.0, 20.0: 50.0, 30.0: 10.0}),
    (Arrivals("steady", rate=7, duration=10), {0.0: 7.0, 100.0: 7.0}),
])
def test_rate_at(arr: Arrivals, rates: dict[float, float]) -> None:
    assert {t: round(arr.rate_at(t), 6) for t in rates} == rates


@pytest.mark.parametrize(("arr", "peak"), [
    (Arrivals("ramp", rate=100, start_rate=20), 100.0),
    (Arrivals("ramp", rate=10, start_rate=40), 40.0),  # a ramp down peaks at its start
    (Arrivals("spike", rate=10), 50.0),
    (Arrivals("spike", rate=10, spike_rate=4), 10.0),  # a dip is not a peak
    (Arrivals("spike", rate=10, spike_rate=70), 70.0),
    (Arrivals("step", rate=30, steps=3), 30.0),
    (Arrivals("soak", rate=3), 3.0),
])
def test_peak(arr: Arrivals, peak: float) -> None:
    assert arr.peak() == peak


def test_bounded_and_unbounded_streams() -> None:
    assert Arrivals(duration=1).bounded and not Arrivals(duration=0).bounded
    times = list(Arrivals("steady", rate=50, duration=2).arrival_times(random.Random(4)))
    assert times and all(0 < t < 2 for t in times) and times == sorted(times)
    ramp = list(Arrivals("ramp", rate=200, duration=2).arrival_times(random.Random(4)))
    assert ramp and all(0 < t < 2 for t in ramp)
    assert sum(t < 1 for t in ramp) < sum(t >= 1 for t in ramp)  # a ramp up: fewer in the first half
    spike = Arrivals("spike", rate=1, duration=100, spike_rate=1000, spike_at=50, spike_length=1)
    inside = [t for t in spike.arrival_times(random.Random(2)) if 50 <= t < 51]
    assert len(inside) > 800  # thinning keeps nearly all candidates at the peak
    forever = Arrivals("steady", rate=1000, duration=0).arrival_times(random.Random(1))
    first = [next(forever) for _ in range(3000)]  # unbounded: the stream goes on past any duration
    assert first == sorted(first) and first[-1] > 2.0


def test_overrides_scale_the_shape() -> None:
    spike = Arrivals("spike", rate=10, duration=100, spike_rate=30, spike_at=20, spike_length=10)
    got = with_overrides(spike, rate=20, duration=50)
    assert (got.rate, got.spike_rate, got.duration, got.spike_at, got.spike_length) == (20.0, 60.0, 50.0, 10.0, 5.0)
    ramp = Arrivals("ramp", rate=100, duration=10, start_rate=20, ramp=4)
    got = with_overrides(ramp, rate=50)
    assert (got.rate, got.start_rate, got.ramp, got.duration) == (50.0, 10.0, 4.0, 10.0)
    got = with_overrides(ramp, duration=20)
    assert (got.rate, got.start_rate, got.ramp, got.duration) == (100.0, 20.0, 8.0, 20.0)
    centred = with_overrides(Arrivals("spike", rate=10, duration=100), duration=10)
    assert centred.spike_at == -1.0  # a centred spike stays centred
    assert with_overrides(ramp) is ramp
    to_forever = with_overrides(ramp, duration=0)  # until stopped: the lengths keep their seconds
    assert (to_forever.duration, to_forever.ramp) == (0.0, 4.0)
    from_forever = with_overrides(replace_duration(ramp, 0), duration=30)
    assert (from_forever.duration, from_forever.ramp) == (30.0, 4.0)


def replace_duration(arr: Arrivals, duration: float) -> Arrivals:
    from dataclasses import replace

    return replace(arr, duration=duration)


def test_describe() -> None:
    assert describe(Arrivals("steady", rate=20, duration=30)) == "steady 20 page views/s for 30 s"
    assert describe(Arrivals("ramp", rate=100, duration=10)) == (
        "ramp 50 page views/s on average, peaking at 100/s for 10 s")
    assert describe(Arrivals("step", rate=10, duration=0, steps=2)) == "step 10 page views/s for 0 s"


def test_an_arrivals_table() -> None:
    got = from_mapping({"shape": "step", "rate": 5, "steps": 3, "duration": 12}, "p.toml")
    assert got == Arrivals("step", rate=5.0, duration=12.0, steps=3)
    assert isinstance(got.rate, float) and isinstance(got.steps, int)
    assert from_mapping({"shape": "soak"}, "p.toml").duration == SOAK_DEFAULT_DURATION
    assert from_mapping({"shape": "soak", "duration": 60}, "p.toml").duration == 60.0
    assert from_mapping({}, "p.toml") == Arrivals()


@pytest.mark.parametrize(("table", "says", "remedy"), [
    ({"rat": 5}, "p.toml: unknown key 'rat' in [arrivals]", "did you mean 'rate'"),
    ({"rate": "5"}, "p.toml: arrivals.rate = '5' is not valid", "expected a number"),
    ({"shape": 5}, "p.toml: arrivals.shape = 5 is not valid", "expected a string"),
    ({"rate": True}, "p.toml: arrivals.rate = True is not valid", "expected a number"),
    ({"steps": 2.5}, "", ""),
])
def test_an_arrivals_table_refused(table: dict, says: str, remedy: str) -> None:
    if not says:
        assert from_mapping(table, "p.toml").steps == 2  # a float where an int is wanted: truncated
        return
    with pytest.raises(ConfigError) as info:
        from_mapping(table, "p.toml")
    assert info.value.args[0] == says
    assert remedy in info.value.remedy
