"""The capacity search's decisions on made-up steps: where it climbs, where it bisects, what it blames."""

from __future__ import annotations

import pytest

from ecekit.capacity.ladder import Ladder, midpoint
from ecekit.capacity.search import GENERATOR, MAX, SERVER, search
from ecekit.errors import ConfigError
from tests.capacity.fakes import Model


def test_ladder_by_step_and_by_factor_ends_at_max() -> None:
    assert Ladder(100, 400, step=50).rates() == [100, 150, 200, 250, 300, 350, 400]
    assert Ladder(10, 100, factor=2).rates() == [10, 20, 40, 80, 100]
    assert Ladder(10, 100).rates() == [10, 20, 40, 80, 100]  # factor 2 when neither is given
    assert Ladder(50, 50, step=10).rates() == [50]
    assert midpoint(100, 150) == 125


@pytest.mark.parametrize(("args", "words"), [
    ((0, 10, 1, None), "--start"), ((20, 10, 1, None), "--max"), ((1, 10, 1, 2), "both"),
    ((1, 10, None, 1.0), "--factor"), ((1, 10, -1, None), "--step"), ((1, 1e9, 1, None), "too many")])
def test_ladder_refuses_what_cannot_be_run(args: tuple, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        Ladder(*args)


def test_server_limit_is_bracketed_then_bisected() -> None:
    model = Model(capacity=230)
    out = search(Ladder(100, 1000, step=100), model, refine=3)
    assert out.limited_by == SERVER
    assert [r for r, phase in model.asked if phase == "ladder"] == [100, 200, 300]  # stops after the breach
    assert [r for r, phase in model.asked if phase == "refine"] == [250, 225, 237.5]
    assert out.max_sustainable_rate == 225
    assert out.first_breach == 237.5
    assert out.found


def test_every_step_held_is_limited_by_max() -> None:
    out = search(Ladder(10, 80, factor=2), Model(capacity=1000), refine=3)
    assert out.limited_by == MAX
    assert out.max_sustainable_rate == 80
    assert [s.phase for s in out.steps] == ["ladder"] * 4


def test_a_saturated_generator_is_never_reported_as_the_server() -> None:
    model = Model(capacity=1000, generator_limit=250)
    out = search(Ladder(100, 1000, step=100), model, refine=3)
    assert out.limited_by == GENERATOR
    assert out.max_sustainable_rate == 200  # the last rate with a healthy generator: a lower bound
    assert out.first_breach is None
    assert not out.steps[-1].generator_ok
    assert all(phase == "ladder" for _, phase in model.asked)  # no bisection of the generator's limit


def test_breach_at_start_finds_nothing() -> None:
    out = search(Ladder(100, 1000, step=100), Model(capacity=50), refine=3)
    assert out.limited_by == SERVER and out.max_sustainable_rate is None and out.first_breach == 100
    assert len(out.steps) == 1


def test_generator_faltering_while_refining_ends_the_refinement_not_the_server_verdict() -> None:
    model = Model(capacity=230)
    model_rates = []

    def run(rate: float, number: int, phase: str, scale: float = 1.0):
        model_rates.append(rate)
        if phase == "refine" and rate == 250:
            summary, path = model(rate, number, phase)
            summary["schedule"]["lag_ms"]["p50"] = 50.0
            return summary, path
        return model(rate, number, phase)

    out = search(Ladder(100, 1000, step=100), run, refine=3)
    assert out.limited_by == SERVER
    assert out.max_sustainable_rate == 200 and out.first_breach == 300
    assert model_rates == [100, 200, 300, 250]


def test_refine_zero_reports_the_last_ladder_rate() -> None:
    out = search(Ladder(100, 1000, step=100), Model(capacity=230), refine=0)
    assert out.max_sustainable_rate == 200 and out.first_breach == 300


def _no_answer(kind: str):  # type: ignore[no-untyped-def]
    from tests.capacity.fakes import summary

    def run(rate: float, number: int, phase: str, scale: float = 1.0) -> tuple[dict, str]:
        n = int(rate * 10)
        return summary(rate=rate, p95=5000.0, errors=n, kinds={kind: n}), f"steps/{number:02d}/summary.json"
    return run


@pytest.mark.parametrize("kind", ["too_large", "timeout", "connection", "unfinished"])
def test_a_first_step_without_a_complete_answer_is_no_server_limit(kind: str) -> None:
    from ecekit.capacity import report
    from ecekit.capacity.search import NO_ANSWER

    out = search(Ladder(10, 100, step=10), _no_answer(kind), refine=3)
    assert out.limited_by == NO_ANSWER and out.first_breach is None and out.max_sustainable_rate is None
    assert len(out.steps) == 1 and not out.steps[0].answered
    assert f"({kind} 100)" in report.sentence(out) and "no limit" in report.sentence(out)


def test_answers_that_are_errors_are_answers_a_limit_may_rest_on() -> None:
    from tests.capacity.fakes import summary

    def all_503(rate: float, number: int, phase: str, scale: float = 1.0) -> tuple[dict, str]:
        n = int(rate * 10)
        return summary(rate=rate, p95=500.0, errors=n, kinds={"http_503": n}), "s.json"

    out = search(Ladder(10, 100, step=10), all_503, refine=0)
    assert out.limited_by == SERVER and out.steps[0].answered
