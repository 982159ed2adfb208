"""The ladder's refusals say what is wrong and what to do; its rates are exactly the ones a planner asked for."""

from __future__ import annotations

import math

import pytest

from ecekit.capacity.ladder import MAX_STEPS, Ladder, midpoint
from ecekit.errors import ConfigError


@pytest.mark.parametrize(("args", "message", "remedy"), [
    ((0, 10), "--start 0 is not a positive rate", "e.g. --start 10"),
    ((-5, 10), "--start -5 is not a positive rate", "e.g. --start 10"),
    ((math.inf, math.inf), "--start inf is not a positive rate", "e.g. --start 10"),
    ((math.nan, 10), "--start nan is not a positive rate", "e.g. --start 10"),
    ((20, 10), "--max 10 is below --start 20", "give a --max at least as high as --start"),
    ((20, math.inf), "--max inf is below --start 20", "give a --max at least as high as --start"),
    ((20, math.nan), "--max nan is below --start 20", "give a --max at least as high as --start"),
    ((1, 10, 1, 2), "--step and --factor both given", "choose one: --step 50 or --factor 1.5"),
    ((1, 10, 0, None), "--step 0 is not a positive rate", "e.g. --step 50"),
    ((1, 10, -1, None), "--step -1 is not a positive rate", "e.g. --step 50"),
    ((1, 10, math.inf, None), "--step inf is not a positive rate", "e.g. --step 50"),
    ((1, 10, None, 1.0), "--factor 1 must be above 1", "e.g. --factor 1.5"),
    ((1, 10, None, 0.5), "--factor 0.5 must be above 1", "e.g. --factor 1.5"),
    ((1, 10, None, math.inf), "--factor inf must be above 1", "e.g. --factor 1.5"),
    ((1, 1e9, 1, None), "201 steps from 1 to 1e+09/s is too many",
     "at most 200: raise --step or --factor, or narrow --start..--max"),
    ((1, 201, 1, None), "201 steps from 1 to 201/s is too many",
     "at most 200: raise --step or --factor, or narrow --start..--max"),
])
def test_a_ladder_that_cannot_be_run_is_refused_with_its_remedy(args: tuple, message: str, remedy: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Ladder(*args)
    assert (caught.value.message, caught.value.remedy) == (message, remedy)


def test_the_longest_ladder_allowed_has_max_steps_rates() -> None:
    rates = Ladder(1, 200, step=1).rates()
    assert len(rates) == MAX_STEPS == 200 and rates[0] == 1 and rates[-1] == 200
    assert Ladder(1, 1, step=1).rates() == [1]  # --max equal to --start: one step


def test_the_ladder_rates_are_rounded_to_a_millionth_and_end_exactly_at_max() -> None:
    assert Ladder(1, 2, factor=1.1).rates() == [1, 1.1, 1.21, 1.331, 1.4641, 1.61051, 1.771561, 1.948717, 2]
    assert Ladder(0.1, 0.5, step=0.1).rates() == [0.1, 0.2, 0.3, 0.4, 0.5]  # no 0.30000000000000004
    assert Ladder(10, 95, step=40).rates() == [10, 50, 90, 95]
    assert Ladder(10, 100, factor=3).rates() == [10, 30, 90, 100]


def test_midpoint_is_rounded_to_a_thousandth() -> None:
    assert midpoint(100, 150) == 125
    assert midpoint(100, 100.0011) == 100.001
    assert midpoint(1, 2.2222) == 1.611
