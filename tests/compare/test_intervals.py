"""The statistics compare rests on, against independent computations."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from ecekit.compare.intervals import Estimate, Side, change_of, newcombe, proportion_change, ranks, wilson
from ecekit.load import evidence


@pytest.mark.parametrize("n", [1, 5, 6, 20, 72, 368, 1000, 2000])
@pytest.mark.parametrize("q", [0.5, 0.9, 0.95, 0.99, 0.999])
def test_ranks_are_the_load_runs_own(n: int, q: float) -> None:
    assert ranks(n, q) == evidence.ranks(n, q)


def test_wilson_at_zero_failures_is_not_zero_wide() -> None:
    low, high = wilson(0, 10_000)
    assert low == 0.0 and high == pytest.approx(3.84e-4, rel=0.01)  # about 3.84/n


def test_newcombe_matches_its_paper() -> None:
    """Newcombe (1998), Table II example (56/70 vs 48/80): difference 0.2, interval 0.0524 to 0.3339."""
    d, low, high = newcombe((48, 80), (56, 70))
    assert (round(d, 4), round(low, 4), round(high, 4)) == (0.2, 0.0524, 0.3339)


def test_welch_interval_is_scipys_when_runs_vary_more_than_they_sample() -> None:
    before = [3.1, 2.9, 3.6, 3.3, 3.0]
    after = [4.0, 4.4, 3.8, 4.1, 4.6]
    change = change_of(Side(tuple(Estimate(x, 0.01) for x in before)), Side(tuple(Estimate(x, 0.01) for x in after)))
    assert change is not None
    ci = stats.ttest_ind(after, before, equal_var=False).confidence_interval(0.95)
    assert (change.low, change.high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert change.between_runs


def test_runs_that_agree_by_luck_keep_their_own_sampling_error() -> None:
    """Five identical values would give a zero-wide interval; each run's own error is the floor."""
    same = Side(tuple(Estimate(3.0, 0.2) for _ in range(5)))
    change = change_of(same, same)
    assert change is not None and change.high - change.low > 2 * 1.9 * 0.2 * math.sqrt(2 / 5)


def test_one_run_a_side_is_flagged_as_not_measuring_runs() -> None:
    change = change_of(Side((Estimate(3.0, 0.05),)), Side((Estimate(3.5, 0.05),)))
    assert change is not None and not change.between_runs


def test_a_side_of_one_run_borrows_the_others_spread() -> None:
    many = Side(tuple(Estimate(x, 0.01) for x in (2.5, 3.5, 3.0, 2.8, 3.2)))
    change = change_of(many, Side((Estimate(3.0, 0.01),)))
    assert change is not None and change.between_runs and change.high - change.low > 1.0


def test_error_rates_vary_between_runs_too() -> None:
    calm = proportion_change([(10, 1000)] * 5, [(12, 1000)] * 5)
    noisy = proportion_change([(0, 1000), (30, 1000), (5, 1000), (20, 1000), (0, 1000)], [(12, 1000)] * 5)
    assert noisy.high - noisy.low > calm.high - calm.low
