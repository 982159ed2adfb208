"""The evidence rule's words and boundaries, as capacity.json's ``evidence`` and the UNSETTLED line show them."""

from __future__ import annotations

from typing import Any

from ecekit.capacity import evidence
from ecekit.capacity.evidence import BREACHED, HELD, TOO_FEW, UNCONFIRMED, UNSETTLED, Count


def p95(n: int, k: int) -> Count:
    return Count("p95", 50.0, "ms", n, k, 0.05, True)


def errors(n: int, k: int) -> Count:
    return Count("errors", 1.0, "%", n, k, 0.01, False)


def test_a_percentile_needs_72_answers_to_hold() -> None:
    assert (p95(71, 0).verdict, p95(72, 0).verdict) == (TOO_FEW, HELD)
    assert p95(71, 0).describe() == "p95: 0 of 71 answers slower than 50 ms: too few answers to judge p95 (72 needed)"
    assert p95(72, 0).describe() == "p95: 0 of 72 answers slower than 50 ms: held"
    p99 = Count("p99", 250.5, "ms", 100, 0, 0.01, True)
    assert p99.describe() == "p99: 0 of 100 answers slower than 250.5 ms: too few answers to judge p99 (368 needed)"


def test_a_rate_needs_no_minimum_of_answers() -> None:
    assert errors(3, 0).verdict == HELD
    assert errors(3, 0).describe() == "errors: 0 of 3 beyond 1 %: held"


def test_a_sample_breach_short_of_confirmation_is_unconfirmed() -> None:
    assert p95(100, 6).verdict == UNCONFIRMED  # the sample's p95 is above the limit, its interval reaches it
    assert p95(100, 5).verdict == HELD  # 5 of 100 slower: the 95th answer is within the limit
    assert p95(100, 6).describe() == (
        "p95: 6 of 100 answers slower than 50 ms: a breach the 99 % interval does not confirm")
    assert errors(100, 1).verdict == HELD  # exactly the 1 % allowed
    assert errors(100, 2).verdict == UNCONFIRMED
    assert errors(100, 2).describe() == "errors: 2 of 100 beyond 1 %: a breach the 99 % interval does not confirm"


def test_a_confirmed_breach_says_so() -> None:
    assert p95(100, 15).verdict == BREACHED
    assert p95(100, 15).describe() == (
        "p95: 15 of 100 answers slower than 50 ms: breached (99 % interval wholly above the limit)")
    assert errors(1000, 40).describe() == (
        "errors: 40 of 1000 beyond 1 %: breached (99 % interval wholly above the limit)")


def _check(name: str, passed: bool, samples: int | None = None, exceeding: int = 0, share: float = 0.05,
           unit: str | None = "ms", limit: float = 50.0) -> dict[str, Any]:
    check: dict[str, Any] = {"name": name, "limit": limit, "passed": passed, "actual": 1.0}
    if unit is not None:
        check["unit"] = unit
    if samples is not None:
        check["evidence"] = {"samples": samples, "exceeding": exceeding, "allowed_share": share}
    return check


def test_judge_pools_counts_and_reports_each_check() -> None:
    tries = [{"checks": [_check("p95", False, 20, 5), _check("errors", True, 20, 0, 0.01, "%", 1.0)]},
             {"checks": [_check("p95", True, 60, 1), _check("errors", True, 60, 0, 0.01, "%", 1.0)]}]
    judged = evidence.judge(tries)
    assert judged.to_json() == {
        "verdict": "unsettled",
        "reasons": ["p95: 6 of 80 answers slower than 50 ms: a breach the 99 % interval does not confirm"],
        "checks": [{"name": "p95", "samples": 80, "exceeding": 6, "allowed_share": 0.05, "verdict": "unconfirmed"},
                   {"name": "errors", "samples": 80, "exceeding": 0, "allowed_share": 0.01, "verdict": "held"}]}
    assert judged.counts[0].limit == 50.0 and judged.counts[0].percentile and not judged.counts[1].percentile
    rates = evidence.judge([{"checks": [_check("errors", False, 100, 2, 0.01, "%", 1.0)]}])
    assert rates.counts[0].unit == "%"
    assert rates.reasons == ["errors: 2 of 100 beyond 1 %: a breach the 99 % interval does not confirm"]


def test_judge_reads_the_verdicts_of_the_pooled_counts() -> None:
    few = {"checks": [_check("p95", True, 40, 0)]}
    assert evidence.judge([few]).verdict == UNSETTLED
    assert evidence.judge([few]).reasons == [
        "p95: 0 of 40 answers slower than 50 ms: too few answers to judge p95 (72 needed)"]
    assert evidence.judge([few, few]).verdict == HELD  # 80 answers together
    breach = {"checks": [_check("p95", False, 100, 30)]}
    assert evidence.judge([breach]).verdict == BREACHED
    mixed = {"checks": [_check("p95", False, 100, 30), _check("p90", True, 10, 0, 0.1)]}
    assert evidence.judge([mixed]).verdict == BREACHED  # a confirmed breach outranks an open check
    assert evidence.judge([]).verdict == HELD and evidence.judge([{}]).verdict == HELD


def test_a_check_without_a_unit_is_a_latency_percentile() -> None:
    judged = evidence.judge([{"checks": [_check("p95", True, 40, 0, unit=None)]}])
    assert judged.counts[0].unit == "ms" and judged.counts[0].percentile and judged.verdict == UNSETTLED


def test_checks_without_counts_keep_the_load_runs_verdict_once() -> None:
    tries = [{"checks": [_check("max", False), _check("first_state.p95", True), _check("p95", True, 100, 0)]},
             {"checks": [_check("max", False), _check("error_views", False)]}]
    judged = evidence.judge(tries)
    assert judged.verdict == BREACHED and judged.uncounted_breaches == ("max", "error_views")
    assert judged.reasons == ["max: breached", "error_views: breached"]
    assert judged.to_json()["checks"] == [
        {"name": "p95", "samples": 100, "exceeding": 0, "allowed_share": 0.05, "verdict": "held"}]
    held = evidence.judge([{"checks": [_check("max", True)]}])
    assert held.verdict == HELD and held.reasons == [] and held.counts == ()
