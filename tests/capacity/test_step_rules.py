"""A step's numbers and the generator's health, read from its summary.json exactly as capacity.json and
the progress line show them: the words say which limit of the generator ran out, and the boundaries
(10 ms median lag, 10 % late, 85 % of a core, a breach no larger than the lag) are where the docs put them."""

from __future__ import annotations

from typing import Any

import pytest

from ecekit.capacity import step
from tests.capacity.fakes import summary

STARVED = (", while its busiest process used only {}% of a core: the machine is short of CPU (other processes, "
           "or the server on the same machine)")
POOL = (": {} of them found every one of the profile's max_in_flight page-view workers busy (raise max_in_flight "
        "in the profile, or --workers)")


def problems(**kw: Any) -> list[str]:
    extra = kw.pop("extra", {})
    data = summary(rate=kw.pop("rate", 100), p95=kw.pop("p95", 20), **kw)
    data["schedule"].update(extra)
    return step.generator_problems(data)


def test_a_healthy_generator_has_no_problems() -> None:
    assert problems() == []
    assert step.generator_problems({"slo": {"checks": []}}) == []  # nothing recorded: nothing blamed


def test_a_schedule_that_slipped_on_an_idle_generator_blames_the_machine() -> None:
    assert problems(late=600, lag_p50=40, lag_p99=80) == [
        "the schedule slipped: 60% of page views started late, median lag 40 ms" + STARVED.format(10)]


def test_a_schedule_that_slipped_on_a_full_pool_names_max_in_flight() -> None:
    assert problems(late=600, lag_p50=40, extra={"no_free_worker": 301}) == [
        "the schedule slipped: 60% of page views started late, median lag 40 ms" + POOL.format(301)]
    # the pool explains it only when more than half the late page views found it full
    assert problems(late=600, lag_p50=40, extra={"no_free_worker": 300}) == [
        "the schedule slipped: 60% of page views started late, median lag 40 ms" + STARVED.format(10)]
    # no page view late at all: a full pool is not the cause of a lag
    assert problems(late=0, lag_p50=20, extra={"no_free_worker": 5}) == [
        "the schedule slipped: 0% of page views started late, median lag 20 ms" + STARVED.format(10)]


def test_a_median_lag_of_exactly_ten_ms_is_not_a_slipped_schedule() -> None:
    assert problems(late=50, lag_p50=10.0) == []
    assert problems(late=50, lag_p50=10.01) == [
        "the schedule slipped: 5% of page views started late, median lag 10.01 ms" + STARVED.format(10)]


def test_a_slipped_schedule_without_page_views_leaves_out_the_share() -> None:
    assert problems(duration=0, lag_p50=20) == [
        "the generator measured no page view in the step (its load process did not start its schedule "
        "within the step)",
        "the schedule slipped: page views started late, median lag 20 ms" + STARVED.format(10)]


def test_more_than_a_tenth_late_is_no_hiccup() -> None:
    assert problems(late=100, lag_p50=0.5, lag_p99=40) == []  # exactly 10 %: tolerated
    assert problems(late=101, lag_p50=0.5, lag_p99=40) == [
        "10% of page views started more than 10 ms late (lag p95 32 ms)" + STARVED.format(10)]
    assert problems(late=150, lag_p50=0.5, lag_p99=40, extra={"late_after_ms": 25.0}) == [
        "15% of page views started more than 25 ms late (lag p95 32 ms)" + STARVED.format(10)]
    data = summary(rate=100, p95=20, late=150, lag_p50=0.5, lag_p99=40)
    del data["schedule"]["late_after_ms"], data["schedule"]["lag_ms"]["p95"]  # an older summary: the defaults
    assert step.generator_problems(data) == ["15% of page views started more than 10 ms late (lag p95 0 ms)"
                                             + STARVED.format(10)]


def test_a_busy_core_is_the_generators_limit_above_85_percent() -> None:
    assert problems(busy=0.85) == []
    assert problems(busy=0.86) == ["a load process used 86% of a CPU core"]
    # a busy generator is not a starved machine: no "short of CPU" on its late page views
    assert problems(busy=0.97, late=600, lag_p50=40) == [
        "the schedule slipped: 60% of page views started late, median lag 40 ms",
        "a load process used 97% of a CPU core"]
    assert problems(busy=0.85, late=600, lag_p50=40) == [
        "the schedule slipped: 60% of page views started late, median lag 40 ms" + STARVED.format(85)]


def test_unsent_page_views_are_counted() -> None:
    assert problems(unsent=3) == ["3 page views could not be sent before the run ended"]
    assert problems(unsent=1, busy=0.9) == ["1 page views could not be sent before the run ended",
                                            "a load process used 90% of a CPU core"]


def test_a_breach_within_the_lag_says_how_late_the_generator_was() -> None:
    assert problems(p95=130, late=10, lag_p99=50) == [
        "the SLO breach is within the generator's own lateness (10 page views started late, lag p99 50 ms)"
        + STARVED.format(10)]
    # another problem already explains the step: the lag is not looked at
    assert problems(p95=130, late=10, lag_p99=50, unsent=2) == ["2 page views could not be sent before the run ended"]


def _checks(*checks: dict[str, Any], lag: dict[str, float] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"slo": {"checks": list(checks)}}
    if lag is not None:
        data["schedule"] = {"lag_ms": lag}
    return data


def p95(actual: float | None, limit: float = 100.0, **kw: Any) -> dict[str, Any]:
    return {"name": "p95", "limit": limit, "actual": actual, "unit": "ms",
            "passed": actual is not None and actual <= limit, **kw}


LAG = {"p50": 1.0, "p95": 40.0, "p99": 60.0, "max": 90.0}


def test_breach_within_lag_compares_the_breach_with_the_lag_at_the_same_percentile() -> None:
    assert step.breach_within_lag(_checks(p95(140.0), lag=LAG))  # 140 - 40 = 100: the limit itself holds
    assert not step.breach_within_lag(_checks(p95(140.01), lag=LAG))
    assert not step.breach_within_lag(_checks(p95(50.0), lag=LAG))  # nothing breached: nothing to explain
    assert not step.breach_within_lag(_checks(p95(140.0)))  # no lag recorded: the breach is the server's
    assert not step.breach_within_lag(_checks(p95(140.0), lag={"p95": 0.0, "max": 0.0}))


def test_breach_within_lag_reads_operations_and_falls_back_to_the_max_lag() -> None:
    op = {"name": "chatAllowed.p95", "limit": 100.0, "actual": 135.0, "unit": "ms", "passed": False}
    assert step.breach_within_lag(_checks(op, lag=LAG))
    p999 = {"name": "p999", "limit": 100.0, "actual": 185.0, "unit": "ms", "passed": False}
    assert step.breach_within_lag(_checks(p999, lag=LAG))  # no p999 lag: the max lag, 90 ms
    assert not step.breach_within_lag(_checks(p999, lag={"p95": 40.0}))
    no_unit = {"name": "p95", "limit": 100.0, "actual": 135.0, "passed": False}  # a latency unless said otherwise
    assert step.breach_within_lag(_checks(no_unit, lag=LAG))


def test_every_breach_must_be_within_the_lag_and_rate_breaches_are_the_servers() -> None:
    errors = {"name": "errors", "limit": 1.0, "actual": 1.5, "unit": "%", "passed": False}
    assert not step.breach_within_lag(_checks(p95(130.0), errors, lag=LAG))
    assert not step.breach_within_lag(_checks(errors, p95(130.0), lag=LAG))
    assert not step.breach_within_lag(_checks(p95(130.0), p95(200.0), lag=LAG))
    assert step.breach_within_lag(_checks(p95(130.0), p95(120.0), lag=LAG))
    unknown = p95(None)
    unknown["passed"] = False
    assert not step.breach_within_lag(_checks(unknown, lag=LAG))


def test_from_summary_reads_every_number_of_the_step() -> None:
    data = summary(rate=100, p95=300, errors=7, achieved=95.5, mean=40, late=20, lag_p99=50, busy=0.3,
                   kinds={"http_503": 4, "timeout": 2, "unfinished": 1})
    data["total"]["requests"] = 1001
    s = step.from_summary(100, data, phase="refine", path="steps/03-100/summary.json")
    assert s.to_json() == {
        "rate": 100, "achieved_rps": 95.5, "p50": 150.0, "p95": 300, "p99": 360.0, "error_rate": 0.006993,
        "passed": False, "generator_ok": True, "phase": "refine", "mean_ms": 40.0, "requests": 1001,
        "page_views": 1000, "sent_late": 20, "unsent": 0, "generator_busy": 0.3, "breached": ["p95"],
        "generator_problems": [], "summary": "steps/03-100/summary.json", "duration_s": 10.0,
        "verdict": "breached", "evidence": {"verdict": "breached", "reasons": ["p95: breached"], "checks": []},
        "completed": 998, "failures_by_kind": {"http_503": 4, "timeout": 2, "unfinished": 1}, "load_processes": 1,
        "concurrency": 3.82, "scheduled_rps": 100.0}
    assert s.actual("p95") == 300 and s.actual("errors") is None
    assert s.answered


def test_from_summary_defaults_for_an_older_summary() -> None:
    data = summary(rate=50, p95=20)
    for key in ("mean_latency_ms", "failures_by_kind"):
        del data["total"][key]
    del data["generator"], data["schedule"], data["duration_s"]
    s = step.from_summary(50, data)
    assert (s.achieved_rps, s.mean_ms, s.page_views, s.sent_late, s.unsent, s.generator_busy, s.duration_s) == (
        50.0, 0.0, 0, 0, 0, 0.0, 0.0)
    assert s.generator_ok and s.phase == "ladder" and s.summary == "" and s.completed == 500
    assert s.failures_by_kind == {} and s.to_json()["scheduled_rps"] is None


def test_a_step_without_requests_has_no_error_rate_and_counts_as_answered() -> None:
    data = summary(rate=0.01, p95=20)  # 0 page views in 10 s
    s = step.from_summary(0.01, data)
    assert (s.requests, s.error_rate, s.completed) == (0, 0.0, 0) and s.answered


def test_the_word_of_each_verdict() -> None:
    base: dict[str, Any] = {"rate": 10, "achieved_rps": 10, "p50": 1, "p95": 2, "p99": 3, "error_rate": 0,
                            "generator_ok": True}
    no_answer = step.Step(**base, passed=False, requests=30, page_views=30, completed=0,
                          failures_by_kind={"timeout": 12, "connection": 12, "too_large": 6})
    assert step.verdict(no_answer) == "NO ANSWER to 30 page views (connection 12, timeout 12, too_large 6)"
    unsettled = step.Step(**base, passed=False, requests=30, completed=30, verdict="unsettled",
                          evidence={"reasons": ["p95: a", "errors: b"]})
    assert step.verdict(unsettled) == "UNSETTLED: p95: a; errors: b"
    assert step.verdict(step.Step(**base, passed=False, verdict="unsettled")) == "UNSETTLED: "
    assert step.verdict(step.Step(**base, passed=True)) == "held"  # no evidence verdict: the load run's
    assert step.verdict(step.Step(**base, passed=False, breached=("p95",))) == "BREACHED p95"
    assert step.verdict(step.Step(**base, passed=True, verdict="breached", breached=("p95", "errors"))) == (
        "BREACHED p95,errors")  # the pooled evidence outranks one try's sample
    assert step.verdict(step.Step(**base, passed=False, verdict="held")) == "held"


@pytest.mark.parametrize(("kinds", "text"), [
    ({}, ""), ({"timeout": 3}, "timeout 3"),
    ({"b": 2, "a": 2, "c": 5}, "c 5, a 2, b 2")])
def test_kinds_text_puts_the_most_frequent_first(kinds: dict[str, int], text: str) -> None:
    assert step.kinds_text(kinds) == text


def test_a_lag_of_half_a_millisecond_still_counts() -> None:
    assert step.breach_within_lag(_checks(p95(100.4), lag={"p95": 0.5}))
    # no lag at this percentile and no max either: nothing to take off
    p999 = {"name": "p999", "limit": 100.0, "actual": 100.5, "unit": "ms", "passed": False}
    assert not step.breach_within_lag(_checks(p999, lag={"p95": 40.0}))


def test_an_operations_breach_is_compared_with_the_lag_at_its_own_percentile() -> None:
    op = {"name": "chatAllowed.p95", "limit": 100.0, "actual": 150.0, "unit": "ms", "passed": False}
    assert not step.breach_within_lag(_checks(op, lag=LAG))  # 150 - 40 > 100, though 150 - 90 (max) is not


def test_to_json_rounds_concurrency_and_the_scheduled_rate_to_a_thousandth() -> None:
    data = summary(rate=100, p95=20, achieved=95.5, mean=40.1234, duration=3, unsent=2, errors=1000)
    data["total"]["requests"] = 3001
    row = step.from_summary(100, data).to_json()
    assert (row["concurrency"], row["scheduled_rps"], row["unsent"], row["error_rate"]) == (
        3.832, 100.0, 2, 0.333222)
    short = step.Step(rate=1, achieved_rps=1, p50=1, p95=1, p99=1, error_rate=0, passed=True, generator_ok=True,
                      page_views=7, duration_s=3.0)
    assert short.to_json()["scheduled_rps"] == 2.333
    half = step.Step(rate=1, achieved_rps=1, p50=1, p95=1, p99=1, error_rate=0, passed=True, generator_ok=True,
                     page_views=7, duration_s=0.5)
    assert half.to_json()["scheduled_rps"] == 14.0
    assert half.actual("p95") is None  # a step built without an SLO section reads nothing


def test_an_older_schedule_without_counts_is_read_as_none_late() -> None:
    data = {"slo": {"checks": []}, "schedule": {"lag_ms": {"p50": 20}}}
    assert step.generator_problems(data) == [
        "the schedule slipped: page views started late, median lag 20 ms" + STARVED.format(0)]


def test_the_late_share_is_said_in_percent() -> None:
    assert problems(late=600, lag_p50=0.5, lag_p99=40) == [
        "60% of page views started more than 10 ms late (lag p95 32 ms)" + STARVED.format(10)]


def test_a_breach_within_the_lag_without_a_p99_lag_says_0() -> None:
    data = summary(rate=100, p95=130, late=10)
    data["schedule"]["lag_ms"] = {"p95": 40.0}
    assert step.generator_problems(data) == [
        "the SLO breach is within the generator's own lateness (10 page views started late, lag p99 0 ms)"
        + STARVED.format(10)]
