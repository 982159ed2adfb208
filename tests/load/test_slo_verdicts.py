"""SLO verdicts as CI reads them: the exact line of each verdict, the units, and the outcome SLOs."""

from __future__ import annotations

import pytest

from ecekit.errors import ConfigError
from ecekit.load import slo


@pytest.mark.parametrize(("text", "limit"), [
    ("p50=.5s", 500.0), ("p50=2.s", 2000.0), ("p50=3µs", 0.003), ("p50=250 us", 0.25),
    ("first_state.p95=1.5s", 1500.0), ("first_state.p50=20ms", 20.0), ("error_views=2.5%", 2.5),
    ("errors=100%", 100.0), ("errors=0%", 0.0),
])
def test_limits_in_milliseconds_or_percent(text: str, limit: float) -> None:
    assert slo.parse(text).limit == limit


@pytest.mark.parametrize(("text", "name", "unit"), [
    ("p95=1ms", "p95", "ms"), ("capacity.max=2s", "capacity.max", "ms"), ("errors=1%", "errors", "%"),
    ("chatAllowed.violations=1%", "chatAllowed.violations", "%"), ("error_views=1%", "error_views", "%"),
    ("first_state.p99=1s", "first_state.p99", "ms"),
])
def test_names_and_units(text: str, name: str, unit: str) -> None:
    s = slo.parse(text)
    assert (s.name, s.unit) == (name, unit)


def test_an_outcome_slo_has_no_operation_and_keeps_its_text_trimmed() -> None:
    assert slo.parse("  first_state.p95=1s ") == slo.Slo(None, "first_state.p95", 1000.0, "first_state.p95=1s")
    assert slo.parse("error_views=1%").operation is None


def test_refusals_carry_the_syntax_as_remedy() -> None:
    with pytest.raises(ConfigError) as info:
        slo.parse("p95")
    assert info.value.remedy == slo.EXAMPLE
    with pytest.raises(ConfigError) as info:
        slo.parse("p95=5")
    assert info.value.remedy == "write it like 50ms, 1.5s or 800us"
    with pytest.raises(ConfigError) as info:
        slo.parse("errors=5")
    assert info.value.remedy == "write it like 1% or 0.5%"


def test_several_slos_in_one_value_split_on_commas_and_spaces() -> None:
    got = slo.parse_all([" p95=5ms ,, errors=1%\tp99=1s  "])
    assert [s.text for s in got] == ["p95=5ms", "errors=1%", "p99=1s"]
    assert slo.parse_all([""], []) == []


def test_actual_values() -> None:
    stats = {"requests": 3, "failures": 1, "contract_violations": 2,
             "latency_ms": {"p50": 1.0, "p90": 2.0, "p95": 3.0, "p99": 4.0, "p999": 5.0, "max": 6.0}}
    assert slo.actual(slo.parse("errors=1%"), stats) == 33.3333
    assert slo.actual(slo.parse("violations=1%"), stats) == 66.6667
    assert slo.actual(slo.parse("max=1s"), stats) == 6.0
    assert slo.actual(slo.parse("p999=1s"), stats) == 5.0
    assert slo.actual(slo.parse("p50=1s"), {**stats, "requests": 0}) is None
    assert slo.actual(slo.parse("p50=1s"), None) is None


def _outcomes(**by_widget: tuple[int, float, float | None]) -> dict:
    return {w: {"page_views": n, "ever_error": err, "first_state_ms": {"p50": p, "p95": p, "p99": p}}
            for w, (n, err, p) in by_widget.items()}


def test_outcome_slos_take_the_worst_widget_with_page_views() -> None:
    outcomes = _outcomes(a=(10, 0.1, 30.0), b=(5, 0.25, 20.0), c=(0, 0.9, 99.0))
    assert slo.outcome_actual(slo.parse("error_views=1%"), outcomes) == 25.0
    assert slo.outcome_actual(slo.parse("first_state.p95=1s"), outcomes) == 30.0
    assert slo.outcome_actual(slo.parse("first_state.p95=1s"), _outcomes(a=(3, 0.0, None))) is None
    assert slo.outcome_actual(slo.parse("error_views=1%"), {}) is None
    assert slo.outcome_actual(slo.parse("error_views=1%"), _outcomes(a=(3, 0.123456789, 1.0))) == 12.3457


def test_evaluate_outcome_slos_from_the_summary_outcomes() -> None:
    summary = {"operations": {}, "total": {"requests": 0}, "outcomes": _outcomes(w=(4, 0.25, 80.0))}
    result = slo.evaluate(slo.parse_all(["error_views=25%", "first_state.p95=79ms"]), summary)
    assert result == {"passed": False, "checks": [
        {"name": "error_views", "limit": 25.0, "actual": 25.0, "unit": "%", "passed": True},
        {"name": "first_state.p95", "limit": 79.0, "actual": 80.0, "unit": "ms", "passed": False}]}
    unmeasured = slo.evaluate(slo.parse_all(["error_views=5%"]), {"operations": {}, "total": {}})
    assert unmeasured["passed"] is False and unmeasured["checks"][0]["actual"] is None
    assert slo.evaluate([], {"operations": {}, "total": {}}) == {"passed": True, "checks": []}


def test_the_line_of_each_verdict() -> None:
    held = {"name": "chatAllowed.p95", "limit": 30.0, "actual": 12.345, "unit": "ms", "passed": True}
    assert slo.describe(held) == "chatAllowed.p95: 12.345 ms <= 30 ms  ok"
    breached = {"name": "errors", "limit": 1.0, "actual": 2.5, "unit": "%", "passed": False}
    assert slo.describe(breached) == "errors: 2.5 % > 1 %  BREACHED"
    unmeasured = {"name": "capacity.p99", "limit": 500.0, "actual": None, "passed": False}
    assert slo.describe(unmeasured) == "capacity.p99: not measured (no requests), limit 500 ms  BREACHED"
