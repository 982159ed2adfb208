"""SLO syntax, errors and verdicts (pure: no locust in this process)."""

from __future__ import annotations

import pytest

from ecekit.errors import ConfigError
from ecekit.load import slo


@pytest.mark.parametrize(("text", "op", "metric", "limit"), [
    ("p95=50ms", None, "p95", 50.0),
    ("p99=1.5s", None, "p99", 1500.0),
    ("max=800us", None, "max", 0.8),
    ("p999 = 2 s", None, "p999", 2000.0),
    ("chatAllowed.p95=30ms", "chatAllowed", "p95", 30.0),
    ("errors=1%", None, "errors", 1.0),
    ("capacity.violations=0.5%", "capacity", "violations", 0.5),
])
def test_parses(text: str, op: str | None, metric: str, limit: float) -> None:
    s = slo.parse(text)
    assert (s.operation, s.metric, s.limit) == (op, metric, limit)


@pytest.mark.parametrize(("text", "says"), [
    ("p95", "NAME=VALUE"),
    ("p95=50", "duration with a unit"),
    ("p95=1%", "duration with a unit"),
    ("errors=5ms", "percentage"),
    ("errors=101%", "cannot exceed"),
    ("p96=5ms", "unknown measure"),
    ("chatAlowed.p95=5ms", "Did you mean 'chatAllowed'"),
    ("=5ms", "is not NAME=VALUE"), ("p95=", "is not NAME=VALUE"), ("p95= ", "is not NAME=VALUE"),
    ("p95=5 ms ms", "takes a duration with a unit"), ("p95=-5ms", "takes a duration with a unit"),
    ("errors=-1%", "takes a percentage"), ("errors=100.5%", "a share cannot exceed 100%"),
    ("nosuch.p95=5ms", "SLO 'nosuch.p95=5ms': "), ("p95=1" + "0" * 400 + "s", "the limit is not a number"),
])
def test_refuses_with_a_reason(text: str, says: str) -> None:
    with pytest.raises(ConfigError) as info:
        slo.parse(text)
    assert says in str(info.value)


def test_close_match_for_a_misspelt_measure() -> None:
    with pytest.raises(ConfigError) as info:
        slo.parse("latency=1ms")
    assert "one of p50, p90" in str(info.value)


def test_later_slo_replaces_earlier_by_name_and_commas_split() -> None:
    got = slo.parse_all(["p99=5s", "errors=1%"], ["p99=100ms,chatAllowed.p95=20ms"])
    assert [(s.name, s.limit) for s in got] == [("errors", 1.0), ("p99", 100.0), ("chatAllowed.p95", 20.0)]


def _stats(requests: int, p95: float, failures: int = 0) -> dict:
    return {"requests": requests, "failures": failures, "contract_violations": 0,
            "latency_ms": {"p50": 1.0, "p90": 2.0, "p95": p95, "p99": 4.0, "p999": 5.0, "max": 6.0}}


def test_evaluate_limits_are_inclusive_and_unmeasured_fails() -> None:
    summary = {"operations": {"chatAllowed": _stats(100, 30.0, failures=2)}, "total": _stats(100, 30.0, 2)}
    result = slo.evaluate(slo.parse_all(["chatAllowed.p95=30ms", "errors=1%", "capacity.p95=1s"]), summary)
    verdicts = {c["name"]: (c["actual"], c["passed"]) for c in result["checks"]}
    assert verdicts == {"chatAllowed.p95": (30.0, True), "errors": (2.0, False), "capacity.p95": (None, False)}
    assert result["passed"] is False
    assert "not measured" in slo.describe(result["checks"][2])
