"""capacity.json's shape, the knee and the words a planner reads."""

from __future__ import annotations

import json

import pytest

from ecekit.capacity import report, step
from ecekit.capacity.ladder import Ladder
from ecekit.capacity.search import search
from ecekit.load import slo
from ecekit.report import publish
from tests.capacity.fakes import Model, summary

STEP_KEYS = {"rate", "achieved_rps", "p50", "p95", "p99", "error_rate", "passed", "generator_ok"}


def test_capacity_json_has_the_issues_shape(tmp_path) -> None:
    out = search(Ladder(100, 1000, step=100), Model(capacity=230), refine=2)
    data = report.build(out, slo.parse_all(["p95=100ms"]), {"profile": "one-call"})
    path = publish.write_json(data, tmp_path / "capacity.json")
    data = json.loads(path.read_text())
    assert {"max_sustainable_rate", "slo", "limited_by", "steps", "usl", "knee"} <= set(data)
    assert data["max_sustainable_rate"] == 225 and data["limited_by"] == "server"
    assert data["slo"] == {"checks": [{"name": "p95", "limit": 100.0, "unit": "ms"}]}
    assert all(set(s) >= STEP_KEYS for s in data["steps"])
    assert "holds the SLO up to 225" in data["verdict"]
    text = report.render(data)
    assert "max sustainable rate: 225" in text and "limited by: server" in text
    page = publish.write_reports("capacity", data, tmp_path, step_summary=False)  # the HTML report reads it
    assert "225" in page["html"].read_text() and "225" in page["markdown"].read_text()


def test_generator_limit_is_said_to_be_a_lower_bound() -> None:
    out = search(Ladder(100, 1000, step=100), Model(capacity=1000, generator_limit=250), refine=2)
    data = report.build(out, slo.parse_all(["p95=100ms"]), {})
    assert data["limited_by"] == "generator"
    assert "not the server" in data["verdict"] and "lower bound" in data["verdict"]
    assert "--workers" in data["generator_remedy"]
    assert "--workers" in report.render(data)


def test_knee_is_measured_against_the_slo() -> None:
    """The knee is where p95 first uses more than half its SLO, not where it doubles from the lowest
    step: 1.5 -> 4.7 ms is a tripling and nothing against a 20 ms SLO."""
    slos = slo.parse_all(["p95=50ms"])
    steps = [step.from_summary(r, summary(rate=r, p95=p, limit=50)) for r, p in
             [(100, 10), (200, 12), (300, 18), (400, 30)]]
    k = report.knee(steps, slos)
    assert k["between"] == [300, 400] and k["threshold_ms"] == 25
    assert k["rate"] == pytest.approx(300 + 100 * (25 - 18) / (30 - 18), abs=1e-3)
    flat = [step.from_summary(r, summary(rate=r, p95=p, limit=20)) for r, p in
            [(100, 1.5), (200, 1.6), (400, 1.9), (800, 2.4), (1600, 4.7)]]
    noise = report.knee(flat, slo.parse_all(["p95=20ms"]))
    assert noise["rate"] is None and "within 10 ms" in noise["reason"] and "not seen" in noise["description"]
    assert report.knee(steps, slo.parse_all(["errors=1%"]))["rate"] is None  # nothing to measure it against
    high = report.knee(steps, slo.parse_all(["p95=15ms"]))
    assert high["rate"] is None and "already at the lowest rate" in high["reason"]


def test_usl_uses_only_steps_the_generator_kept_up_with() -> None:
    rates = [50, 100, 150, 200, 250]
    steps = [step.from_summary(r, summary(rate=r, p95=20, achieved=min(r, 180), mean=10 + max(0, r - 150)))
             for r in rates]
    steps.append(step.from_summary(300, summary(rate=300, p95=20, late=3000, lag_p50=900, achieved=50, mean=500)))
    fit = report.usl_fit(steps)
    assert fit["points"] == 5


def test_step_line_shows_the_measures_and_the_verdict() -> None:
    held = step.Step(rate=150, achieved_rps=148.25, p50=1.5, p95=12.345, p99=40, error_rate=0.0125, passed=True,
                     generator_ok=True, phase="refine", generator_busy=0.456)
    assert report.step_line(held) == ("refine       150/s  achieved     148.2 req/s  p50     1.50  p95    12.35  "
                                      "p99    40.00 ms  errors 1.25%  cpu 46%  held")
    breached = step.Step(rate=300, achieved_rps=200, p50=1, p95=2, p99=3, error_rate=0.5, passed=False,
                         generator_ok=True, breached=("p95", "errors"))
    assert report.step_line(breached).startswith("ladder       300/s")
    assert report.step_line(breached).endswith("BREACHED p95,errors")
    saturated = step.Step(rate=900, achieved_rps=200, p50=1, p95=2, p99=3, error_rate=0, passed=True,
                          generator_ok=False)
    assert report.step_line(saturated).endswith("cpu 0%  generator saturated")
