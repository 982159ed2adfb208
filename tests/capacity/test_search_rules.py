"""The search's ending rules on scripted steps: which rates it asks for, in which phase and for how long,
and what it says limited the rate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ecekit.capacity.ladder import Ladder
from ecekit.capacity.search import GENERATOR, INCONCLUSIVE, MAX, NO_ANSWER, SERVER, Outcome, search
from ecekit.capacity.step import Step
from tests.capacity.fakes import summary


def made(kind: str, rate: float, scale: float) -> dict[str, Any]:
    """held | breach | few (10 answers per unit of scale, none slow) | few40 (40 answers, none slow, however
    long) | generator | few-generator (few, and page views unsent) | silent."""
    if kind == "generator":
        return summary(rate=rate, p95=20, unsent=5)
    if kind == "few-generator":
        data = made("few", rate, scale)
        data["schedule"]["unsent"] = 5
        return data
    if kind == "silent":
        n = int(rate * 10)
        return summary(rate=rate, p95=5000, errors=n, kinds={"timeout": n})
    data = summary(rate=rate, p95=500 if kind == "breach" else 20)
    samples = int(10 * scale) if kind == "few" else 40 if kind == "few40" else 1000
    slow = 500 if kind == "breach" else 0
    data["slo"] = {"passed": kind != "breach", "checks": [
        {"name": "p95", "limit": 100.0, "actual": data["total"]["latency_ms"]["p95"], "unit": "ms",
         "passed": kind != "breach", "evidence": {"samples": samples, "exceeding": slow, "allowed_share": 0.05}}]}
    return data


class Script:
    """Answers each rate with a kind: ``kinds[rate]`` is one kind for every try, or a list, one per try."""

    def __init__(self, kinds: Callable[[float], str | list[str]]) -> None:
        self.kinds = kinds
        self.asked: list[tuple[float, int, str, float]] = []

    def __call__(self, rate: float, number: int, phase: str, scale: float = 1.0) -> tuple[dict[str, Any], str]:
        self.asked.append((rate, number, phase, scale))
        kind = self.kinds(rate)
        tries = sum(1 for r, *_ in self.asked if r == rate)
        if isinstance(kind, list):
            kind = kind[tries - 1]
        return made(kind, rate, scale), f"steps/{number:02d}-{rate:g}/summary.json"


def below(limit: float, above: str = "breach") -> Callable[[float], str]:
    return lambda rate: "held" if rate <= limit else above


def test_the_defaults_refine_three_times_and_repeat_twice() -> None:
    script = Script(below(230))
    out = search(Ladder(100, 400, step=100), script)
    assert [(r, p) for r, _, p, _ in script.asked] == [
        (100, "ladder"), (200, "ladder"), (300, "ladder"), (250, "refine"), (225, "refine"), (237.5, "refine")]
    assert [n for _, n, _, _ in script.asked] == [1, 2, 3, 4, 5, 6]  # each step numbered from 1
    assert (out.limited_by, out.max_sustainable_rate, out.first_breach) == (SERVER, 225, 237.5)
    few = Script(lambda rate: "few")
    out = search(Ladder(100, 400, step=100), few)
    assert [(p, s) for _, _, p, s in few.asked] == [("ladder", 1.0), ("repeat", 2.0), ("repeat", 4.0)]
    assert (out.limited_by, out.unsettled_at, out.max_sustainable_rate, out.first_breach) == (
        INCONCLUSIVE, 100, None, None)


def test_a_rate_the_repeats_settle_is_climbed_past() -> None:
    script = Script(lambda rate: "few" if rate == 200 else "held")
    out = search(Ladder(100, 300, step=100), script, repeats=3)  # 10 + 20 + 40 + 80 answers: 150 pooled
    assert [(r, p, s) for r, _, p, s in script.asked] == [
        (100, "ladder", 1), (200, "ladder", 1), (200, "repeat", 2), (200, "repeat", 4), (200, "repeat", 8),
        (300, "ladder", 1)]
    assert [s.verdict for s in out.steps] == ["held", "unsettled", "unsettled", "unsettled", "held", "held"]
    assert out.steps[4].evidence["checks"][0]["samples"] == 150
    assert (out.limited_by, out.max_sustainable_rate) == (MAX, 300)


def test_without_repeats_an_unsettled_rate_ends_the_search_at_once() -> None:
    script = Script(lambda rate: "few" if rate == 200 else "held")
    out = search(Ladder(100, 300, step=100), script, repeats=0)
    assert [(r, p) for r, _, p, _ in script.asked] == [(100, "ladder"), (200, "ladder")]
    assert (out.limited_by, out.unsettled_at, out.max_sustainable_rate, out.first_breach) == (
        INCONCLUSIVE, 200, 100, None)
    assert out.found


def test_a_repeat_that_confirms_a_breach_is_the_servers_limit() -> None:
    script = Script(lambda rate: ["few", "breach"] if rate == 200 else "held")
    out = search(Ladder(100, 300, step=100), script, refine=0)
    assert [(r, p) for r, _, p, _ in script.asked] == [(100, "ladder"), (200, "ladder"), (200, "repeat")]
    assert (out.limited_by, out.first_breach, out.max_sustainable_rate) == (SERVER, 200, 100)
    assert out.steps[-1].verdict == "breached" and out.steps[-1].phase == "repeat"


def test_a_generator_that_falters_on_a_repeat_ends_the_search_as_the_generators() -> None:
    script = Script(lambda rate: ["few", "generator"] if rate == 200 else "held")
    out = search(Ladder(100, 300, step=100), script)
    assert [(r, p) for r, _, p, _ in script.asked] == [(100, "ladder"), (200, "ladder"), (200, "repeat")]
    assert (out.limited_by, out.max_sustainable_rate, out.first_breach, out.unsettled_at) == (
        GENERATOR, 100, None, None)
    assert out.steps[-1].verdict == "held"  # its own sample's word: a faltering try is not pooled


def test_a_refining_rate_left_unsettled_ends_the_refinement() -> None:
    script = Script(lambda rate: "held" if rate <= 200 else ("few" if rate == 250 else "breach"))
    out = search(Ladder(100, 300, step=100), script, refine=3, repeats=1)
    assert [(r, p) for r, _, p, _ in script.asked] == [
        (100, "ladder"), (200, "ladder"), (300, "ladder"), (250, "refine"), (250, "repeat")]
    assert (out.limited_by, out.max_sustainable_rate, out.first_breach, out.unsettled_at) == (SERVER, 200, 300, None)


def test_a_refining_rate_on_which_the_generator_faltered_ends_the_refinement() -> None:
    script = Script(lambda rate: "held" if rate <= 200 else ("generator" if rate == 250 else "breach"))
    out = search(Ladder(100, 300, step=100), script, refine=3)
    assert [r for r, *_ in script.asked] == [100, 200, 300, 250]
    assert (out.limited_by, out.max_sustainable_rate, out.first_breach) == (SERVER, 200, 300)


def test_refinement_stops_where_the_bracket_has_no_rate_left_inside() -> None:
    script = Script(below(100))
    out = search(Ladder(100, 100.001, step=0.001), script, refine=3)  # midpoint 100.0005 rounds onto an end
    assert [r for r, *_ in script.asked] == [100, 100.001]
    assert (out.limited_by, out.max_sustainable_rate, out.first_breach) == (SERVER, 100, 100.001)
    narrow = Script(below(100))
    out = search(Ladder(100, 100.004, step=0.004), narrow, refine=5)  # 100.002, 100.001, then nothing inside
    assert [r for r, *_ in narrow.asked] == [100, 100.004, 100.002, 100.001]
    assert (out.max_sustainable_rate, out.first_breach) == (100, 100.001)


def test_a_breach_at_the_first_rate_is_not_refined() -> None:
    script = Script(below(0))
    out = search(Ladder(100, 300, step=100), script, refine=3)
    assert [r for r, *_ in script.asked] == [100]
    assert (out.limited_by, out.max_sustainable_rate, out.first_breach, out.found) == (SERVER, None, 100, False)


def test_silence_after_a_rate_that_held_is_a_breach_not_no_answer() -> None:
    script = Script(below(100, above="silent"))
    out = search(Ladder(100, 300, step=100), script, refine=0)
    assert [r for r, *_ in script.asked] == [100, 200]
    assert (out.limited_by, out.max_sustainable_rate, out.first_breach) == (SERVER, 100, 200)
    first = Script(lambda rate: "silent")
    out = search(Ladder(100, 300, step=100), first, refine=3, repeats=2)
    assert [(r, p) for r, _, p, _ in first.asked] == [(100, "ladder")]  # no answer: never repeated
    assert (out.limited_by, out.max_sustainable_rate, out.first_breach) == (NO_ANSWER, None, None)


def test_a_generator_that_cannot_keep_up_at_the_start_learns_nothing() -> None:
    out = search(Ladder(100, 300, step=100), Script(lambda rate: "generator"))
    assert (out.limited_by, out.max_sustainable_rate, out.first_breach, len(out.steps)) == (GENERATOR, None, None, 1)


def test_every_finished_step_is_reported_and_kept_in_the_callers_outcome() -> None:
    seen: list[Step] = []
    kept = Outcome()
    script = Script(lambda rate: ["few", "held"] if rate == 200 else ("held" if rate < 300 else "breach"))
    out = search(Ladder(100, 300, step=100), script, refine=1, on_step=seen.append, outcome=kept)
    assert out is kept and seen == kept.steps
    assert [(s.rate, s.phase, s.verdict, s.summary) for s in seen] == [
        (100, "ladder", "held", "steps/01-100/summary.json"), (200, "ladder", "unsettled", "steps/02-200/summary.json"),
        (200, "repeat", "held", "steps/03-200/summary.json"), (300, "ladder", "breached", "steps/04-300/summary.json"),
        (250, "refine", "held", "steps/05-250/summary.json")]
    assert (out.limited_by, out.max_sustainable_rate, out.first_breach) == (SERVER, 250, 300)
    assert seen[2].evidence["checks"][0]["samples"] == 1010  # the rate's tries pooled


def test_a_repeat_is_judged_on_the_rates_tries_pooled() -> None:
    script = Script(lambda rate: "few40" if rate == 200 else "held")
    out = search(Ladder(100, 300, step=100), script, repeats=2)  # 40 answers too few alone, 80 pooled enough
    assert [(r, p) for r, _, p, _ in script.asked] == [(100, "ladder"), (200, "ladder"), (200, "repeat"),
                                                       (300, "ladder")]
    assert [s.verdict for s in out.steps] == ["held", "unsettled", "held", "held"]
    assert (out.limited_by, out.max_sustainable_rate) == (MAX, 300)


def test_a_faltering_generator_ends_the_repeats_even_when_its_try_is_unsettled() -> None:
    script = Script(lambda rate: ["few", "few-generator", "held"] if rate == 200 else "held")
    out = search(Ladder(100, 300, step=100), script, repeats=2)
    assert [(r, p) for r, _, p, _ in script.asked] == [(100, "ladder"), (200, "ladder"), (200, "repeat")]
    assert (out.limited_by, out.max_sustainable_rate, out.unsettled_at) == (GENERATOR, 100, None)


def test_refinement_stops_where_the_midpoint_rounds_onto_the_last_good_rate() -> None:
    script = Script(below(100))
    out = search(Ladder(100, 100.0009, step=0.0009), script, refine=3)  # midpoint 100.00045 rounds to 100
    assert [r for r, *_ in script.asked] == [100, 100.0009]
    assert (out.max_sustainable_rate, out.first_breach) == (100, 100.0009)
