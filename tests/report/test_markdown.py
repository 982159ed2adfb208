"""summary.md from hand-made run JSON, in process: each row's verdict is the SLO's, each kind shows
what broke. (tests/report/test_reports.py checks the same files of real runs, made in subprocesses.)"""

from __future__ import annotations

from typing import Any

from ecekit.report import markdown
from ecekit.report.views import NONE

P95_HELD = {"name": "p95", "limit": 50.0, "unit": "ms", "passed": True, "actual": 20.0}
ERRORS_BREACHED = {"name": "errors", "limit": 1.0, "unit": "%", "passed": False, "actual": 7.5}


def _load(*checks: dict[str, Any], requests: int = 100) -> dict[str, Any]:
    return {"offered_rate": 20, "slo": {"passed": all(c["passed"] for c in checks), "checks": list(checks)},
            "total": {"requests": requests, "failures": 3, "contract_violations": 2,
                      "latency_ms": {"p50": 10, "p95": 20, "p99": 30}}}


def _rows(text: str) -> dict[str, str]:
    """SLO name -> its verdict cell, from the Markdown table."""
    rows = [line.split("|") for line in text.splitlines() if line.startswith("| ") and "---" not in line]
    return {cells[1].strip(): cells[4].strip() for cells in rows[1:]}


def test_a_breached_slo_is_shown_breached_and_a_held_one_held() -> None:
    text = markdown.render("load", _load(P95_HELD, ERRORS_BREACHED))
    assert _rows(text) == {"p95": "held", "errors": "**BREACHED**"}
    assert text.startswith("### ❌ ecekit load: SLO BREACHED at 20 page views/s")
    assert "| errors | 1 % | 7.5 % | **BREACHED** |" in text
    assert "100 requests, 3 failures, 2 contract violations; p50 10 ms, p95 20 ms, p99 30 ms" in text
    assert text.endswith("Full report: `report.html`\n")


def test_every_slo_held() -> None:
    text = markdown.render("load", _load(P95_HELD), report="out/report.html")
    assert _rows(text) == {"p95": "held"}
    assert text.startswith("### ✅ ecekit load: SLOs held at 20 page views/s")
    assert "| p95 | 50 ms | 20.0 ms | held |" in text and "Full report: `out/report.html`" in text


def test_an_slo_without_a_value_shows_a_dash_and_a_run_without_requests_checked_nothing() -> None:
    text = markdown.render("load", _load({**ERRORS_BREACHED, "actual": None}, requests=0))
    assert f"| errors | 1 % | {NONE} % | **BREACHED** |" in text
    assert text.startswith("### ⚠️ ecekit load: SLO BREACHED")


def test_capacity_steps_say_held_or_breached() -> None:
    data = {"max_sustainable_rate": 100.0, "limited_by": "server",
            "steps": [{"rate": 150, "achieved_rps": 120, "p95": 300, "error_rate": 0.02, "passed": False},
                      {"rate": 100, "achieved_rps": 99.5, "p95": 23, "error_rate": 0, "passed": True},
                      {"rate": 50, "achieved_rps": 50, "p95": 21, "error_rate": None, "passed": True}]}
    lines = markdown.render("capacity", data).splitlines()
    assert lines[0] == "### ✅ ecekit capacity: 100 page views/s within the SLO (limited by server)"
    assert lines[2:7] == ["| rate | achieved | p95 (ms) | error rate | SLO |", "|---|---|---|---|---|",
                          f"| 50 | 50 | 21 | {NONE} | held |", "| 100 | 99.5 | 23 | 0.00 % | held |",
                          "| 150 | 120 | 300 | 2.00 % | breached |"]
    assert markdown.render("capacity", {"steps": []}).startswith("### ❌ ecekit capacity: no rate held the SLO")


def test_check_lists_what_broke_with_cells_escaped() -> None:
    data = {"results": [
        {"outcome": "failed", "check": "semantics", "operation": "checkEligibility", "entry_point": "1001",
         "headline": "responseType 4 | out of range\nsecond line"},
        {"outcome": "passed", "check": "xsd", "operation": "capacity", "entry_point": "1001"}]}
    text = markdown.render("check", data)
    assert text.startswith("### ❌ ")
    row = next(line for line in text.splitlines() if line.startswith("| semantics"))
    assert "checkEligibility" in row and "1001" in row
    assert "responseType 4 \\| out of range second line" in row
