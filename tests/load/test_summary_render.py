"""The terminal table of a load run, line by line, and summary.json's SLO evidence per operation."""

from __future__ import annotations

from typing import Any

from ecekit.load import slo, summary
from ecekit.load.recorder import Recorder


def _run(slos: list[str], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    rec = Recorder()
    rec.record("chatAllowed", 0.001)
    rec.record("chatAllowed", 0.002, "timeout")
    rec.record("capacity", 0.0015, "http_503")
    rec.record("capacity", 0.0015, "http_503")
    rec.record("capacity", 0.0005, None, ("xsd",))
    rec.schedule.update({"page_views": 3, "late": 1, "unsent": 2, "unfinished": 4})
    return summary.build(rec, offered_rate=1.5, duration_s=2.0, slos=slo.parse_all(slos), extra=extra)


HEAD = [
    "operation            requests  fail  viol      rps       p50       p95       p99       max  (ms)",
    "capacity                    3     2     1      1.5     1.500     1.500     1.500     1.500",
    "chatAllowed                 2     1     0      1.0     1.000     2.000     2.000     2.000",
    "total                       5     3     1      2.5     1.500     2.000     2.000     2.000",
    "failures by kind: http_503 2, timeout 1",
    "page views: 3 offered at 1.5/s over 2 s; sent late (>10 ms): 1; unsent: 2; unfinished: 4",
]


def test_a_breached_run_line_by_line() -> None:
    extra = {"request_rate": {"achieved": 2.5, "implied": 3.25},
             "outcomes": {"chat-allowed": {"page_views": 3, "first_state": {"available": 2 / 3, "busy": 0.0,
                                                                            "error": 1 / 3},
                                           "ever_error": 1 / 3, "first_state_ms": {"p95": 2.0}}},
             "tls": {"warning": "WARNING: TLS verification is off"}}
    assert summary.render(_run(["p95=1ms", "errors=50%"], extra)).splitlines() == [
        *HEAD,
        "request rate: 2.5/s achieved; the profile implies 3.25/s at steady state (page views x (calls on "
        "load + mean dwell / poll interval))",
        "visitors (chat-allowed widget, 3 page views): first saw available 66.7%, error 33.3%; ever an error "
        "33.33%; first state p95 2.0 ms",
        "SLO p95: 2 ms > 1 ms  BREACHED",
        "SLO errors: 60 % > 50 %  BREACHED",
        "SLOs FAILED",
        "WARNING: TLS verification is off",
    ]


def test_a_passing_run_and_one_without_slos() -> None:
    extra = {"outcomes": {"w": {"page_views": 0, "first_state": {"available": 0.0}, "ever_error": 0.0,
                                "first_state_ms": {}}}}
    assert summary.render(_run(["p95=2ms", "errors=60%"], extra)).splitlines() == [
        *HEAD,
        "visitors (w widget, 0 page views): first saw -; ever an error 0.00%; first state p95 None ms",
        "SLO p95: 2 ms <= 2 ms  ok",
        "SLO errors: 60 % <= 60 %  ok",
        "SLOs passed",
    ]
    assert summary.render(_run([])).splitlines()[-1] == "no SLOs set"


def test_no_failures_no_breakdown_line() -> None:
    rec = Recorder()
    rec.record("chatAllowed", 0.001)
    text = summary.render(summary.build(rec, offered_rate=1, duration_s=1.0, slos=[]))
    assert "failures by kind" not in text
    assert "page views: 0 offered at 1/s over 1 s; sent late (>10 ms): 0; unsent: 0; unfinished: 0" in text


def test_evidence_is_read_from_the_operation_the_slo_names() -> None:
    s = _run(["capacity.errors=50%", "chatAllowed.p95=1.5ms", "max=1s"])
    by_name = {c["name"]: c for c in s["slo"]["checks"]}
    assert by_name["capacity.errors"]["actual"] == 66.6667
    assert by_name["capacity.errors"]["evidence"] == {"samples": 3, "exceeding": 2, "allowed_share": 0.5}
    ev = by_name["chatAllowed.p95"]["evidence"]
    assert (ev["samples"], ev["exceeding"], ev["allowed_share"], ev["minimum_samples"]) == (2, 1, 0.05, 72)
    assert "evidence" not in by_name["max"]  # a maximum is no count against a limit


def test_mean_latency_and_an_idle_operation() -> None:
    s = _run([])
    assert s["operations"]["chatAllowed"]["mean_latency_ms"] == 1.5
    assert summary.op_stats(Recorder().total(), 1.0)["mean_latency_ms"] == 0.0
    rec = Recorder()
    rec.op("capacity")  # asked for, never recorded: not listed
    rec.record("chatAllowed", 0.001)
    assert list(summary.build(rec, offered_rate=1, duration_s=1.0, slos=[])["operations"]) == ["chatAllowed"]
