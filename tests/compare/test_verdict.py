"""Each rule of the verdict, at its edge."""

from __future__ import annotations

import pytest

from ecekit.compare.intervals import Change
from ecekit.compare.verdict import Margin, decide, judge, overall


def ch(low: float, high: float, between: bool = True, sd: float | None = 0.3) -> Change:
    return Change((low + high) / 2, low, high, between, sd, 8.0)


@pytest.mark.parametrize(("low", "high", "expected"), [
    (-0.05, 0.05, "same"),          # within the margin of 0.1
    (-0.1, 0.05, "inconclusive"),   # touches the margin
    (0.2, 1.8, "slower"),           # above zero, beyond the margin
    (0.02, 0.09, "same"),           # a real shift, but within the margin
    (0.01, 0.3, "slower"),          # above zero, and the change (0.155) beyond the margin
    (-1.8, -0.2, "faster"),
    (-0.5, 1.5, "inconclusive"),
])
def test_rules(low: float, high: float, expected: str) -> None:
    assert judge(ch(low, high), 0.1) == expected


def test_a_real_but_negligible_shift_is_not_slower() -> None:
    assert judge(ch(0.01, 0.15), 0.1) == "inconclusive"  # change 0.08 within the margin, interval not


def test_one_run_a_side_is_never_slower_or_faster() -> None:
    assert judge(ch(0.5, 1.5, between=False), 0.1) == "inconclusive"
    assert judge(ch(-1.5, -0.5, between=False), 0.1) == "inconclusive"
    assert judge(ch(-0.02, 0.02, between=False), 0.1) == "same"


def test_no_interval_is_inconclusive() -> None:
    assert judge(None, 0.1) == "inconclusive"


def test_overall_is_the_worst() -> None:
    assert overall(["same", "slower", "faster"]) == "slower"
    assert overall(["same", "faster", "inconclusive"]) == "faster"
    assert overall(["same", "inconclusive"]) == "inconclusive"
    assert overall(["same", "same"]) == "same"


def test_margin_is_relative_with_a_floor() -> None:
    assert Margin().latency(3.0) == pytest.approx(0.3)
    assert Margin().latency(0.5) == pytest.approx(0.1)


def test_decide_counts_runs_that_would_clear_the_noise() -> None:
    text = decide(ch(-0.2, 1.0), 0.1, 5, " ms")
    assert text is not None and "runs a side would decide" in text
    needed = int(text.split("about ")[1].split()[0])
    assert 5 < needed < 40


def test_decide_with_one_run_assumes_a_spread_and_says_so() -> None:
    text = decide(ch(0.45, 0.55, between=False, sd=0.01), 0.1, 1, " ms", assumed_sd=0.3)
    assert text is not None and text.startswith("one run a side") and "10 %" in text
