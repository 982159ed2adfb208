"""summary.json has exactly its documented shape (a contract with CI scripts); JUnit has one case per SLO."""

from __future__ import annotations

import json

from lxml import etree

from ecekit import operations
from ecekit.load import slo, summary
from ecekit.load.recorder import Recorder

OP_KEYS = {"requests", "failures", "contract_violations", "rps", "latency_ms"}
LAT_KEYS = {"p50", "p90", "p95", "p99", "p999", "max"}


def _summary(slos: list[str]) -> dict:
    rec = Recorder()
    for i in range(100):
        rec.record("chatAllowed", 0.001234 + i * 1e-6)
        rec.record("liveSessionStatus", 0.002, "timeout" if i == 0 else None)
    rec.schedule["page_views"] = 100
    return summary.build(rec, offered_rate=10, duration_s=10.0, slos=slo.parse_all(slos))


def test_shape() -> None:
    s = json.loads(json.dumps(_summary(["p95=50ms", "errors=0.5%"])))
    assert {"offered_rate", "duration_s", "operations", "total", "slo"} <= set(s)
    assert set(s["operations"]) <= set(operations.BY_NAME)
    for stats in [*s["operations"].values(), s["total"]]:
        assert set(stats) >= OP_KEYS
        assert set(stats["latency_ms"]) == LAT_KEYS
    assert s["operations"]["chatAllowed"]["latency_ms"]["p50"] == 1.283  # ms, µs precision
    assert s["total"]["requests"] == 200
    assert s["operations"]["liveSessionStatus"]["failures"] == 1
    assert s["total"]["rps"] == 20.0
    evidence = [check.pop("evidence") for check in s["slo"]["checks"]]
    assert s["slo"] == {"passed": True, "checks": [
        {"name": "p95", "limit": 50.0, "actual": s["total"]["latency_ms"]["p95"], "unit": "ms", "passed": True},
        {"name": "errors", "limit": 0.5, "actual": 0.5, "unit": "%", "passed": True}]}
    assert evidence[0]["samples"] == 200 and evidence[0]["exceeding"] == 0
    assert evidence[1] == {"samples": 200, "exceeding": 1, "allowed_share": 0.005}
    assert set(s["slo"]["checks"][0]) >= {"name", "limit", "actual", "passed"}


def test_junit_one_case_per_slo(tmp_path) -> None:
    s = _summary(["p95=1us", "errors=1%"])
    path = summary.write_junit(s, tmp_path / "load.xml")
    cases = etree.parse(str(path)).findall(".//testcase")
    assert [c.get("name") for c in cases] == ["p95", "errors"]
    assert cases[0].find("failure") is not None
    assert cases[1].find("failure") is None


def test_write_and_render(tmp_path) -> None:
    s = _summary([])
    assert json.loads(summary.write(s, tmp_path).read_text())["total"]["requests"] == 200
    text = summary.render(s)
    assert "chatAllowed" in text
    assert "no SLOs set" in text


def test_write_makes_missing_directories_and_junit_carries_the_run(tmp_path) -> None:
    s = _summary(["p95=1us"])
    path = summary.write(s, tmp_path / "a" / "b")
    assert path == tmp_path / "a" / "b" / "summary.json" and json.loads(path.read_text()) == json.loads(
        json.dumps(s))
    junit = summary.write_junit(s, tmp_path / "c" / "d" / "load.xml")
    tree = etree.parse(str(junit))
    props = {p.get("name"): p.get("value") for p in tree.findall(".//property")}
    assert props == {"offered_rate": "10", "duration_s": "10.0", "requests": "200"}
    case = tree.find(".//testcase")
    assert case is not None and case.get("classname") == "ecekit.load.slo"
    # an SLO is judged once over the run: the suite lasts the run, its cases add no time
    assert float(case.get("time") or 0) == 0.0
    assert float(tree.find(".//testsuite").get("time")) == 10.0  # type: ignore[union-attr]
    assert "p95" in (case.findtext("system-out") or "")


def test_schedule_and_breakdowns_are_reported_as_recorded() -> None:
    rec = Recorder()
    rec.record("chatAllowed", 0.001)
    rec.record("chatAllowed", 0.003, None, ("xsd", "semantics"))
    rec.record("chatAllowed", 5.0, "timeout")
    rec.record("capacity", 0.002, "http_500")
    rec.schedule.update({"page_views": 3, "polls": 2, "surveys": 1, "late": 4, "unsent": 5, "unfinished": 6})
    for lag in (0.000_5, 0.001, 0.002):  # exact in the histogram below 2.048 ms
        rec.record_lag(lag)
    s = summary.build(rec, offered_rate=10.12345, duration_s=4.0, slos=[], extra={"workers": 2})
    assert list(s["operations"]) == ["capacity", "chatAllowed"]  # the guide's order, not arrival order
    assert s["offered_rate"] == 10.123 and s["workers"] == 2
    assert s["schedule"] == {"page_views": 3, "polls": 2, "surveys": 1, "sent_late": 4, "late_after_ms": 10.0,
                             "unsent": 5, "unfinished": 6, "no_free_worker": 0,
                             "lag_ms": {"p50": 1.0, "p90": 2.0, "p95": 2.0, "p99": 2.0, "p999": 2.0, "max": 2.0}}
    ca = s["operations"]["chatAllowed"]
    assert (ca["requests"], ca["failures"], ca["contract_violations"], ca["rps"]) == (3, 1, 1, 0.75)
    assert ca["failures_by_kind"] == {"timeout": 1}
    assert list(ca["violations_by_check"].items()) == [("semantics", 1), ("xsd", 1)]
    assert s["total"]["failures_by_kind"] == {"http_500": 1, "timeout": 1}
    assert summary.op_stats(rec.total(), 0.0)["rps"] == 0.0
