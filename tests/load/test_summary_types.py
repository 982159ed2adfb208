"""The TypedDicts of ecekit.run_summaries hold what the runs really write: every key of a real
summary.json, progress.json, capacity step row and capacity.json is declared, with a value of its
declared type, and every required key is there, at every depth. A key added to a summary without its
type fails here; mypy cannot see it, since the JSON is built from dicts and read back from files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ecekit import run_summaries as shapes
from ecekit import transport
from ecekit.capacity import report, search, step, usl
from ecekit.capacity.ladder import Ladder
from ecekit.load import generator, provenance, slo, summary
from ecekit.load import outcomes as outcomes_mod
from ecekit.load.recorder import Recorder
from ecekit.load.run import run_load
from ecekit.report import run_info
from ecekit.target import Target
from tests.capacity import fakes
from tests.load.helpers import mismatches

SETTINGS: shapes.CapacitySettings = {"profile": "default", "workers": 1, "step_duration_s": 10.0, "warmup_s": 0.0,
                                     "ladder": [10.0, 20.0], "refine": 3, "repeat": 2}


# ------------------------------------------------------------------------------- the checker itself
def test_the_checker_sees_an_undeclared_key_a_missing_one_and_a_wrong_type_at_any_depth() -> None:
    good: shapes.RequestRate = {"implied": 1.0, "achieved": 2}
    assert mismatches(good, shapes.RequestRate) == []
    assert mismatches({**good, "extra": 1}, shapes.RequestRate) == ["$.extra: not declared in RequestRate"]
    assert mismatches({"implied": 1.0}, shapes.RequestRate) == ["$.achieved: required by RequestRate, missing"]
    assert mismatches({"implied": 1.0}, shapes.RequestRate, partial=True) == []
    assert mismatches({"implied": "1", "achieved": True}, shapes.RequestRate) == [
        "$.implied: '1' is not a float", "$.achieved: True is not a float"]
    deep = {"passed": True, "checks": [{"name": "p95", "limit": 1.0, "actual": None, "unit": "ms", "passed": True,
                                        "evidence": {"samples": 3, "exceeding": 0, "allowed_share": 0.05,
                                                     "new": 1}}]}
    assert mismatches(deep, shapes.SloSection) == ["$.checks[0].evidence.new: not declared in CheckEvidence"]


# ------------------------------------------------------------------------------- a real load run
@pytest.fixture(scope="module")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("typed-run")
    result = run_load(rate=5, duration=2, slos=["p95=2s", "chatAllowed.p99=2s", "max=5s", "error_views=50%"],
                      out=out)
    return dict(result.to_dict()), out


@pytest.mark.slow
def test_a_real_summary_json_is_a_load_summary(real_run: tuple[dict[str, Any], Path]) -> None:
    returned, out = real_run
    written = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "exit_code" in returned and "exit_code" not in written
    assert written["outcomes"] and written["windows"] and written["generator"]["processes"]
    assert {"histograms", "seed", "machine", "started_at"} <= set(written)
    assert mismatches(written, shapes.LoadSummary) == []
    assert mismatches(returned, shapes.LoadSummary) == []


@pytest.mark.slow
def test_the_last_progress_json_is_progress_counts(real_run: tuple[dict[str, Any], Path]) -> None:
    _, out = real_run
    assert mismatches(json.loads((out / "progress.json").read_text(encoding="utf-8")), shapes.ProgressCounts) == []


@pytest.mark.slow
def test_a_real_summary_makes_a_step_row(real_run: tuple[dict[str, Any], Path]) -> None:
    returned, _ = real_run
    row = step.from_summary(5.0, returned, path="steps/01-5/summary.json").to_json()
    assert mismatches(row, shapes.StepRow) == []
    assert set(row["evidence"]) == shapes.StepEvidence.__optional_keys__  # a judged step carries them all


# ------------------------------------------------------------------------- every section, built here
def _built_summary() -> shapes.LoadSummary:
    """summary.build with every section a run can have, TLS included (only an https run has it)."""
    rec = Recorder(window_s=1)
    rec.start_clock(0.0)
    for i in range(200):
        rec.record("chatAllowed", 0.001 + i * 1e-5, "timeout" if i % 50 == 0 else None,
                   ("xsd",) if i % 70 == 0 else (), due=i * 0.01)
        rec.record_lag(i * 1e-5, due=i * 0.01, late=i % 90 == 0)
    rec.schedule.update({"page_views": 200, "late": 3})
    seen = outcomes_mod.Outcomes(origin=0.0)
    for i in range(30):
        seen.first("chat-allowed", f"100{i % 3}", ("available", "error")[i % 2], i * 0.5, 0.003)
        seen.change("chat-allowed", "1001", "available", "busy", i * 0.5, False)
    tls = transport.properties(Target(base_url="https://ece.example.com/system", insecure=True,
                                      client_cert="client.pem"))
    extra: shapes.RunContext = {
        "profile": "default", "shape": "steady", "base_url": "https://ece.example.com/system",
        "entry_points": ["1001"], "elapsed_s": 3.1, "workers": 2, "workers_reported": 2, "writes": False,
        "warmup_s": 0.0, "generator": generator.section([generator.figures("master", 0.1, 2.0, 0),
                                                         generator.figures("worker", 1.0, 2.0, 200)], 2.0),
        "widget": "chat-allowed", "outcomes": outcomes_mod.summary(seen),
        "request_rate": {"implied": 100.0, "achieved": 100.0}, "tls": tls,
        "seed": 7, "machine": provenance.machine(), "started_at": provenance.utc_iso(0.0)}
    slos = slo.parse_all(["p95=3ms", "errors=1%", "chatAllowed.p99=1s", "max=1s", "error_views=50%",
                          "first_state.p95=5ms", "survey.p95=1s"])
    return summary.build(rec, offered_rate=100.0, duration_s=2.0, slos=slos, extra=extra)


def test_every_section_of_a_built_summary_is_declared() -> None:
    built = json.loads(json.dumps(_built_summary()))
    assert set(built["tls"]) == {"tls_verification", "tls_client_cert", "warning"}
    assert {"ci95_ms", "minimum_samples"} <= set(built["slo"]["checks"][0]["evidence"])
    assert set(built["histograms"]) == {"total", "chatAllowed"}
    assert built["outcomes"]["chat-allowed"]["first_state_histogram"]
    assert mismatches(built, shapes.LoadSummary) == []


def test_the_made_up_step_summaries_of_the_capacity_tests_declare_nothing_new() -> None:
    made_up = [fakes.summary(rate=10, p95=20), fakes.summary(rate=10, p95=500, late=70, errors=3, busy=0.9)]
    for data in made_up:
        assert mismatches(data, shapes.LoadSummary, partial=True) == []


# ------------------------------------------------------------------------------------ capacity.json
@pytest.mark.parametrize(("capacity", "generator_limit", "limited_by"), [
    (100, float("inf"), search.SERVER), (1000, float("inf"), search.MAX), (1000, 30, search.GENERATOR)])
def test_capacity_json_is_a_capacity_json(capacity: float, generator_limit: float, limited_by: str) -> None:
    outcome = search.search(Ladder(10, 800, None, 2.0), fakes.Model(capacity, generator_limit))
    assert outcome.limited_by == limited_by
    data = {**run_info.header(Target(), seed=7),
            **report.build(outcome, slo.parse_all(["p95=100ms"]), {**SETTINGS, "interrupted": True})}
    assert mismatches(json.loads(json.dumps(data)), shapes.CapacityJson) == []


def test_every_kind_of_fit_is_a_usl_fit() -> None:
    def throughput(n: float) -> float:
        return 100 * n / (1 + 0.05 * (n - 1) + 0.002 * n * (n - 1))

    peaked = usl.fit([(n, throughput(n)) for n in (1, 2, 4, 8, 16, 24, 32, 48, 64)])
    assert peaked["peak_supported"] is True
    for fit in (peaked, usl.fit([(n, throughput(n)) for n in (1, 2, 4, 8)]), usl.fit([(1, 100.0)])):
        assert mismatches(json.loads(json.dumps(fit)), shapes.UslFit) == []
