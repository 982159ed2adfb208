"""One step's verdicts: the generator's health decides whether a breach can be the server's."""

from __future__ import annotations

from ecekit.capacity import step
from tests.capacity.fakes import summary


def test_healthy_generator_and_held_slo() -> None:
    s = step.from_summary(100, summary(rate=100, p95=20), path="steps/01-100/summary.json")
    assert s.passed and s.generator_ok
    assert (s.p95, s.achieved_rps, s.error_rate) == (20, 100, 0)
    assert s.to_json()["summary"] == "steps/01-100/summary.json"
    assert step.verdict(s) == "held"


def test_breach_with_healthy_generator_is_the_servers() -> None:
    s = step.from_summary(100, summary(rate=100, p95=500))
    assert not s.passed and s.generator_ok
    assert s.breached == ("p95",)
    assert step.verdict(s) == "BREACHED p95"


def test_late_sends_unsent_and_a_busy_core_each_make_the_generator_not_ok() -> None:
    late = step.from_summary(100, summary(rate=100, p95=20, late=600, lag_p50=40, lag_p99=80))
    assert not late.generator_ok and "schedule slipped" in late.generator_problems[0]
    assert "short of CPU" in late.generator_problems[0]  # late while its process was idle: the machine
    pool = summary(rate=100, p95=20, late=600, lag_p50=40)
    pool["schedule"]["no_free_worker"] = 590
    assert "max_in_flight" in step.from_summary(100, pool).generator_problems[0]
    unsent = step.from_summary(100, summary(rate=100, p95=20, unsent=3))
    assert not unsent.generator_ok and "could not be sent" in unsent.generator_problems[0]
    busy = step.from_summary(100, summary(rate=100, p95=20, busy=0.97))
    assert not busy.generator_ok and "97% of a CPU core" in busy.generator_problems[0]
    assert step.verdict(busy) == "generator saturated"


def test_sporadic_late_sends_are_tolerated_when_the_slo_held() -> None:
    assert step.from_summary(100, summary(rate=100, p95=20, late=80, lag_p50=0.5, lag_p99=40)).generator_ok
    many = step.from_summary(100, summary(rate=100, p95=20, late=150, lag_p50=0.5, lag_p99=40))  # 15 %
    assert not many.generator_ok and "15% of page views started" in many.generator_problems[0]


def test_a_breach_within_the_generators_own_lag_is_not_blamed_on_the_server() -> None:
    within = step.from_summary(100, summary(rate=100, p95=130, limit=100, late=10, lag_p99=50))  # lag p95 40
    assert not within.generator_ok and "own lateness" in within.generator_problems[0]
    beyond = step.from_summary(100, summary(rate=100, p95=300, limit=100, late=10, lag_p99=50))
    assert beyond.generator_ok and not beyond.passed


def test_error_rate_is_a_fraction_and_concurrency_is_littles_law() -> None:
    s = step.from_summary(100, summary(rate=100, p95=20, errors=10, achieved=90, mean=50))
    assert s.error_rate == 0.01
    assert s.concurrency == 90 * 0.050


def test_a_step_some_load_process_never_reported_is_no_evidence_of_the_server() -> None:
    """A busy machine can keep a worker from reporting before the master stops (seen: a 2-worker step
    with nothing measured read as "BREACHED errors,p95" at the first rate): not the server's numbers."""
    two = summary(rate=50, p95=20)
    two["workers"] = 2
    two["generator"]["processes"] = [{"role": "master"}, {"role": "worker"}]
    partial = step.from_summary(50, two)
    assert not partial.generator_ok
    assert partial.generator_problems[0].startswith("only 1 of 2 load processes reported their answers")
    two["generator"]["processes"].append({"role": "worker"})
    assert step.from_summary(50, two).generator_ok
    two["workers_reported"] = 1  # both sent reports, one never its last: its final seconds are missing
    assert not step.from_summary(50, two).generator_ok
    nothing = summary(rate=50, p95=0, duration=0.0)  # no page view, no request: nothing was measured
    nothing["slo"] = {"passed": False, "checks": [{"name": "errors", "limit": 1, "actual": None, "unit": "%",
                                                    "passed": False}]}
    empty = step.from_summary(50, nothing)
    assert not empty.generator_ok and "measured no page view" in empty.generator_problems[0]
    assert step.verdict(empty) == "generator saturated"
