"""What a planner reads: the verdict sentence, the knee, capacity.json's keys and the terminal text,
asserted as printed."""

from __future__ import annotations

from typing import Any

import pytest

from ecekit.capacity import report, step
from ecekit.capacity.ladder import Ladder
from ecekit.capacity.search import GENERATOR, INCONCLUSIVE, MAX, NO_ANSWER, SERVER, Outcome, search
from ecekit.capacity.step import Step
from ecekit.load import slo
from tests.capacity.fakes import Model

P95_50 = slo.parse_all(["p95=50ms"])


def mk(rate: float, p95: float, *, ok: bool = True, requests: int = 100, actual: float | None = None,
       **kw: Any) -> Step:
    checks = [] if actual is None else [{"name": "p95", "actual": actual}]
    return Step(rate=rate, achieved_rps=rate, p50=p95 / 2, p95=p95, p99=p95 * 2, error_rate=0.0, passed=True,
                generator_ok=ok, requests=requests, slo={"checks": checks}, **kw)


# ------------------------------------------------------------------------------------------- knee

def test_knee_without_a_percentile_slo_is_not_reported() -> None:
    reason = "no latency percentile SLO on all requests to measure it against"
    expected = {"rate": None, "rule": "", "reason": reason, "description": f"not reported: {reason}"}
    assert report.knee([mk(100, 10)], slo.parse_all(["errors=1%"])) == expected
    assert report.knee([mk(100, 10)]) == expected
    assert report.knee([mk(100, 10)], slo.parse_all(["chatAllowed.p95=50ms"])) == expected  # one operation only


def test_knee_is_interpolated_between_the_steps_around_the_crossing() -> None:
    steps = [mk(100, 10), mk(200, 20), mk(300, 25), mk(400, 45)]
    rule = "p95 first above 50% of its SLO (25 of 50 ms)"
    assert report.knee(steps, P95_50) == {
        "rate": 300.0, "rule": rule, "threshold_ms": 25.0, "between": [300, 400],
        "description": f"300 page views/s ({rule})"}  # 25 ms is not above 25 ms: the crossing is after 300
    steps = [mk(100, 10), mk(200, 20), mk(300, 24), mk(400, 30)]
    assert report.knee(list(reversed(steps)), P95_50) == {
        "rate": 316.667, "rule": rule, "threshold_ms": 25.0, "between": [300, 400],
        "description": f"316.7 page views/s ({rule})"}


def test_knee_uses_the_first_percentile_slo_on_all_requests() -> None:
    slos = slo.parse_all(["chatAllowed.p95=10ms", "errors=1%", "p99=40ms", "p95=50ms"])
    k = report.knee([mk(100, 5), mk(200, 12)], slos)  # p99 = 2 x p95: 10, then 24 > 20
    assert k["rule"] == "p99 first above 50% of its SLO (20 of 40 ms)" and k["between"] == [100, 200]
    assert k["rate"] == pytest.approx(171.429)


def test_knee_prefers_the_checks_own_reading_to_the_step_total() -> None:
    steps = [mk(100, 10, actual=30.0), mk(200, 10, actual=40.0)]
    k = report.knee(steps, P95_50)
    assert k["rate"] is None and k["reason"] == "p95 was above 25 ms already at the lowest rate, 100/s"
    assert k["description"] == "not seen: p95 was above 25 ms already at the lowest rate, 100/s"
    assert k["threshold_ms"] == 25.0 and k["rule"] == "p95 first above 50% of its SLO (25 of 50 ms)"


def test_knee_at_the_threshold_at_the_lowest_rate_is_still_sought() -> None:
    k = report.knee([mk(100, 25), mk(200, 35)], P95_50)
    assert k["rate"] == 100.0 and k["between"] == [100, 200]


def test_knee_never_crossed_says_how_high_latency_went() -> None:
    k = report.knee([mk(100, 10), mk(200, 12.5), mk(400, 11)], P95_50)
    reason = "p95 stayed at or below 12.5 ms, within 25 ms, up to 400/s"
    assert k == {"rate": None, "rule": "p95 first above 50% of its SLO (25 of 50 ms)", "threshold_ms": 25.0,
                 "reason": reason, "description": f"not seen: {reason}"}


def test_knee_reads_only_steps_the_generator_kept_up_with_and_the_last_try_of_a_rate() -> None:
    steps = [mk(100, 10), mk(200, 40, ok=False), mk(300, 90, requests=0), mk(300, 12, phase="repeat"),
             mk(400, 30)]
    k = report.knee(steps, P95_50)
    assert k["between"] == [300, 400] and k["rate"] == pytest.approx(372.222)
    last_try = [mk(100, 10), mk(200, 40), mk(200, 20, phase="repeat"), mk(300, 30)]
    assert report.knee(last_try, P95_50)["between"] == [200, 300]


def test_knee_without_a_usable_step_says_so() -> None:
    rule = "p95 first above 50% of its SLO (25 of 50 ms)"
    reason = "needs a step the generator kept up with"
    expected = {"rate": None, "rule": rule, "reason": reason, "description": f"not seen: {reason}"}
    assert report.knee([mk(100, 10, ok=False), mk(200, 10, requests=0)], P95_50) == expected
    assert report.knee([], P95_50) == expected
    p999 = report.knee([mk(100, 10)], slo.parse_all(["p999=50ms"]))  # no step total and no reading: unseen
    assert p999["reason"] == reason


# --------------------------------------------------------------------------------------- sentence

def outcome(limited_by: str, best: float | None, steps: list[Step], **kw: Any) -> Outcome:
    return Outcome(steps=steps, max_sustainable_rate=best, limited_by=limited_by, **kw)


def test_the_sentence_of_each_limit() -> None:
    assert report.sentence(outcome(SERVER, 200, [mk(300, 90)], first_breach=237.5)) == (
        "the server holds the SLO up to 200 page views/s; it breached at 237.5/s")
    assert report.sentence(outcome(SERVER, None, [mk(100, 90)], first_breach=100)) == (
        "the server breached the SLO at the first rate tried (100 page views/s): its capacity within this SLO "
        "is below that")
    sick = mk(400, 10, ok=False, generator_problems=("a load process used 97% of a CPU core", "3 unsent"))
    assert report.sentence(outcome(GENERATOR, 300, [mk(300, 10), sick])) == (
        "the load generator, not the server, ran out at 400 page views/s (a load process used 97% of a CPU core; "
        "3 unsent); the server held the SLO up to 300/s, which is a lower bound of its capacity, not its limit")
    assert report.sentence(outcome(GENERATOR, None, [sick])) == (
        "the load generator could not keep up even at 400 page views/s (a load process used 97% of a CPU core; "
        "3 unsent): nothing was learned about the server")
    assert report.sentence(outcome(MAX, 800, [mk(800, 10)])) == (
        "the server held the SLO at every rate up to --max 800 page views/s: its capacity is at least that")
    assert report.sentence(outcome(MAX, None, [])) == "no step finished"


def test_the_sentence_of_an_inconclusive_search_counts_the_tries_and_blames_nobody() -> None:
    why = {"reasons": ["p95: 0 of 40 answers slower than 50 ms: too few answers to judge p95 (72 needed)", "x"]}
    steps = [mk(10, 5), mk(20, 5, evidence=why), mk(20, 5, evidence=why), mk(20, 5, evidence=why)]
    head = ("inconclusive at 20 page views/s after 3 tries (p95: 0 of 40 answers slower than 50 ms: too few answers "
            "to judge p95 (72 needed); x): the answers do not settle the SLO either way, so nothing is blamed on "
            "the server")
    assert report.sentence(outcome(INCONCLUSIVE, 10, steps, unsettled_at=20)) == (
        head + "; it held the SLO up to 10/s, a lower bound of its capacity, not its limit")
    assert report.sentence(outcome(INCONCLUSIVE, None, steps[1:], unsettled_at=20)) == head
    assert report.sentence(outcome(INCONCLUSIVE, None, [mk(5, 1)], unsettled_at=5)) == (
        "inconclusive at 5 page views/s after 1 tries (): the answers do not settle the SLO either way, so "
        "nothing is blamed on the server")


def test_the_sentence_of_a_server_that_never_answered() -> None:
    dead = mk(10, 0, requests=100, page_views=100, completed=0, failures_by_kind={"timeout": 60, "connection": 40})
    assert report.sentence(outcome(NO_ANSWER, None, [dead])) == (
        "no request at 10 page views/s got a complete answer (timeout 60, connection 40): a server that does not "
        "answer has no capacity to measure, and this is no limit of it (see the step's summary)")


# ------------------------------------------------------------------------------------------ build

def test_build_has_every_key_and_a_remedy_only_where_one_helps() -> None:
    out = search(Ladder(100, 400, step=100), Model(capacity=230), refine=1)
    data = report.build(out, slo.parse_all(["p95=100ms", "errors=1%"]), {"profile": "one-call", "workers": 2})
    assert list(data) == ["max_sustainable_rate", "rate_unit", "limited_by", "verdict", "first_breach", "slo",
                          "unsettled_at", "evidence_rule", "knee", "steps", "usl", "profile", "workers"]
    assert (data["max_sustainable_rate"], data["rate_unit"], data["limited_by"], data["first_breach"],
            data["unsettled_at"]) == (200, "page views/s", "server", 250, None)
    assert data["slo"] == {"checks": [{"name": "p95", "limit": 100.0, "unit": "ms"},
                                      {"name": "errors", "limit": 1.0, "unit": "%"}]}
    assert data["evidence_rule"] == report.EVIDENCE_RULE and "(p95: 72)" in data["evidence_rule"]
    assert data["steps"] == [s.to_json() for s in out.steps]
    assert data["knee"] == report.knee(out.steps, slo.parse_all(["p95=100ms"]))
    gen = report.build(search(Ladder(100, 400, step=100), Model(1000, generator_limit=150)), [], {})
    assert gen["generator_remedy"] == report.GENERATOR_REMEDY and "remedy" not in gen
    unsettled = report.build(Outcome(steps=[mk(10, 1)], limited_by=INCONCLUSIVE, unsettled_at=10), [], {})
    assert unsettled["remedy"] == report.UNSETTLED_REMEDY and "generator_remedy" not in unsettled
    assert report.UNSETTLED_REMEDY.startswith("lengthen --step-duration (more answers per step) or raise --repeat")


def test_usl_fit_takes_every_try_the_generator_kept_up_with() -> None:
    steps = [mk(r, 10, mean_ms=m) for r, m in [(100, 10), (200, 10), (300, 20)]]
    steps += [mk(400, 10, mean_ms=50, ok=False), mk(500, 10, mean_ms=0)]
    fit = report.usl_fit(steps)
    assert fit["points"] == 3 and fit["fitted"] and fit["measured_concurrency"] == [1.0, 6.0]
    quick = [mk(r, 1, mean_ms=0.5) for r in (100, 200, 400)]  # under a millisecond is still a latency
    assert report.usl_fit(quick)["points"] == 3
    assert fit["data"] == "X = answered requests/s inside each step's window; N = X x mean latency (Little's law)"
    assert report.usl_fit(steps[:2])["data"] == fit["data"]  # said even when too few to fit


# ----------------------------------------------------------------------------------------- render

def row(rate: float, **kw: Any) -> dict[str, Any]:
    base = {"rate": rate, "achieved_rps": rate * 0.99, "p50": 1.234, "p95": 12.345, "p99": 40.0, "error_rate": 0.0125,
            "phase": "ladder", "generator_ok": True, "passed": True, "verdict": "held", "breached": [],
            "requests": 100, "completed": 100}
    return {**base, **kw}


LINEAR = {"fitted": True, "model": "linear", "points": 4, "r2": 0.9876, "lambda": 41.23456,
          "lambda_ci": [40.123, 42.57], "sigma": 0.0, "kappa": 0.0, "peak_concurrency": None,
          "reason_no_peak": "no saturation seen up to 400 req/s; the data do not support a peak (linear)"}


def page(**kw: Any) -> dict[str, Any]:
    data = {"steps": [row(200), row(100)], "max_sustainable_rate": 200.0, "limited_by": "max",
            "verdict": "the server held", "knee": {"rate": None, "description": "not seen: x"}, "usl": LINEAR}
    return {**data, **kw}


HEADER = "    rate/s   achieved      p50      p95      p99  errors  phase  verdict   (ms, req/s)"


def test_render_prints_the_table_sorted_by_rate_and_the_findings() -> None:
    assert report.render(page()).split("\n") == [
        HEADER,
        "       100       99.0     1.23    12.35    40.00   1.25%  ladder held",
        "       200      198.0     1.23    12.35    40.00   1.25%  ladder held",
        "max sustainable rate: 200 page views/s",
        "limited by: max: the server held",
        "knee: not seen: x",
        "scalability fit (linear, 4 points, r2 0.9876; 95% intervals): lambda 41.2 [40.1, 42.6] req/s; "
        "no saturation seen up to 400 req/s; the data do not support a peak (linear)"]


def test_render_words_for_each_step() -> None:
    steps = [row(1, completed=0), row(2, completed=0, requests=0), row(3, generator_ok=False),
             row(4, verdict="unsettled"), row(5, verdict="", passed=True), row(6, verdict="", passed=False,
                                                                              breached=["p95", "errors"]),
             row(7, verdict="breached", breached=["p99"]), row(8, phase="refine")]
    del steps[7]["completed"]
    del steps[7]["verdict"]
    lines = report.render(page(steps=steps)).split("\n")
    assert [line[58:] for line in lines[1:9]] == [
        "ladder NO ANSWER", "ladder held", "ladder generator saturated", "ladder unsettled", "ladder held",
        "ladder BREACHED p95,errors", "ladder BREACHED p99", "refine held"]
    no_phase = row(9)
    del no_phase["phase"]
    assert report.render(page(steps=[no_phase])).split("\n")[1].endswith("1.25%         held")


def test_render_shows_remedies_and_a_missing_rate() -> None:
    text = report.render(page(max_sustainable_rate=None, limited_by="generator", verdict="v",
                              generator_remedy="use --workers", remedy="wait longer",
                              knee={"rate": 316.6667, "rule": "p95 first above 50%", "description": "d"}))
    assert text.split("\n")[3:8] == ["max sustainable rate: none", "limited by: generator: v", "  → use --workers",
                                     "  → wait longer", "knee: 316.667 page views/s (p95 first above 50%)"]
    assert "→" not in report.render(page(generator_remedy="", remedy=None))


def test_render_shows_each_models_coefficients_with_their_intervals() -> None:
    amdahl = {**LINEAR, "model": "amdahl", "sigma": 0.1234, "sigma_ci": [0.1, 0.15]}
    assert report.render(page(usl=amdahl)).split("\n")[-1] == (
        "scalability fit (amdahl, 4 points, r2 0.9876; 95% intervals): lambda 41.2 [40.1, 42.6] req/s, "
        "sigma 0.123 [0.1, 0.15]; no saturation seen up to 400 req/s; the data do not support a peak (linear)")
    full = {**amdahl, "model": "usl", "kappa": 1.23e-05, "kappa_ci": [0.001234, 0.0015], "peak_concurrency": 27.5,
            "peak_throughput_rps": 740.25, "peak_beyond_measured": False}
    assert report.render(page(usl=full)).split("\n")[-1] == (
        "scalability fit (usl, 4 points, r2 0.9876; 95% intervals): lambda 41.2 [40.1, 42.6] req/s, "
        "sigma 0.123 [0.1, 0.15], kappa 1.23e-05 [0.00123, 0.0015]; predicted peak 740.25 req/s at concurrency 27.5 "
        "(EXTRAPOLATION, not a measurement)")
    beyond = {**full, "peak_beyond_measured": True, "lambda_ci": None}
    del beyond["model"]  # an older capacity.json: the USL
    assert report.render(page(usl=beyond)).split("\n")[-1] == (
        "scalability fit (usl, 4 points, r2 0.9876; 95% intervals): lambda 41.2 req/s, "
        "sigma 0.123 [0.1, 0.15], kappa 1.23e-05 [0.00123, 0.0015]; predicted peak 740.25 req/s at concurrency 27.5 "
        "(EXTRAPOLATION beyond the measured range, not a measurement)")


def test_render_says_why_no_fit() -> None:
    text = report.render(page(usl={"fitted": False, "reason": "needs at least 3 steps"}))
    assert text.split("\n")[-1] == "USL: not fitted (needs at least 3 steps)"


def test_a_rendered_search_reads_as_the_planner_expects() -> None:
    out = search(Ladder(100, 300, step=100), Model(capacity=230), refine=1)
    data = report.build(out, slo.parse_all(["p95=100ms"]), {})
    lines = report.render(data).split("\n")
    assert lines[:7] == [
        HEADER,
        "       100      100.0    10.00    20.00    24.00   0.00%  ladder held",
        "       200      200.0    10.00    20.00    24.00   0.00%  ladder held",
        "       250      250.0   250.00   500.00   600.00   0.00%  refine BREACHED p95",
        "       300      300.0   250.00   500.00   600.00   0.00%  ladder BREACHED p95",
        "max sustainable rate: 200 page views/s",
        "limited by: server: the server holds the SLO up to 200 page views/s; it breached at 250/s"]
    assert lines[7] == "knee: 203.125 page views/s (p95 first above 50% of its SLO (50 of 100 ms))"
    assert step.verdict(out.steps[-1]) == "BREACHED p95"


def test_step_line_shows_the_generators_cpu_in_percent() -> None:
    busy = Step(rate=10, achieved_rps=10, p50=1, p95=2, p99=3, error_rate=0, passed=True, generator_ok=True,
                generator_busy=0.6)
    assert report.step_line(busy).endswith("errors 0.00%  cpu 60%  held")
