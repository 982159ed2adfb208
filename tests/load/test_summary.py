"""summary.json has exactly the shape issue 6 specifies; JUnit has one case per SLO."""

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
    assert s["slo"] == {"passed": True, "checks": [
        {"name": "p95", "limit": 50.0, "actual": s["total"]["latency_ms"]["p95"], "unit": "ms", "passed": True},
        {"name": "errors", "limit": 0.5, "actual": 0.5, "unit": "%", "passed": True}]}
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
    assert case is not None and case.get("classname") == "ecekit.load.slo" and case.get("time") == "10.000000"
    assert "p95" in (case.findtext("system-out") or "")
