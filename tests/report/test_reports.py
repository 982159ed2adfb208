"""report.html, summary.md and exchanges.har of real runs: offline, small, redacted, in HAR 1.2."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from ecekit.report import html, markdown, publish
from tests.report.helpers import KINDS, SECRET, ecekit

HAR_SCHEMA = json.loads((Path(__file__).parent / "har-1.2.schema.json").read_text())


@pytest.mark.parametrize("run", list(KINDS))
def test_every_run_writes_an_offline_page_under_2_mib_and_a_summary(runs: dict[str, Path], run: str) -> None:
    page = (runs[run] / "report.html").read_text(encoding="utf-8")
    assert len(page.encode()) < 2 * 1024 * 1024
    # nothing is fetched: no src/href to anything but an anchor on the page, no @import, CSP forbids the rest
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!#)""", page)
    assert "@import" not in page and "default-src 'none'" in page
    assert "uPlot" in page and 'id="ecekit-data"' in page
    assert (runs[run] / "summary.md").read_text(encoding="utf-8").startswith("### ")


def test_a_failing_check_names_the_operation_entry_point_and_check_at_the_top(runs: dict[str, Path]) -> None:
    page = (runs["check_fail"] / "report.html").read_text(encoding="utf-8")
    broken = page[page.index('id="broken"'):page.index("</ul>", page.index('id="broken"'))]
    assert "not_a_server_error" in broken and "capacity" in broken
    assert "semantics" in broken and "checkEligibility" in broken
    assert page.index('id="broken"') < page.index('id="grid"')
    summary = (runs["check_fail"] / "summary.md").read_text(encoding="utf-8")
    assert "❌" in summary and "| semantics | checkEligibility |" in summary
    assert "curl" in page  # each failure carries its reproduction


def test_check_json_records_the_provenance(runs: dict[str, Path]) -> None:
    data = json.loads((runs["check_fail"] / "check.json").read_text())
    assert data["ecekit_version"] and set(data["xsd"]["hashes"]) >= {"eGainBosh.xsd", "eGainSurvey.xsd"}
    assert data["target"]["faults"] == ["eligibility-out-of-range", "capacity-500"]
    assert data["target"]["headers"] == {"Authorization": "<redacted>"}
    assert data["totals"]["failed"] > 0 and data["exchanges"]["count"] >= 45


@pytest.mark.parametrize("run", ["check_pass", "check_fail", "fuzz"])
def test_har_files_are_har_1_2_with_every_exchange(runs: dict[str, Path], run: str) -> None:
    har = json.loads((runs[run] / "exchanges.har").read_text(encoding="utf-8"))
    jsonschema.validate(har, HAR_SCHEMA)
    entries = har["log"]["entries"]
    assert len(entries) > 50
    methods = {e["request"]["method"] for e in entries}
    assert "GET" in methods if run.startswith("check") else methods == {"POST"}
    if run == "fuzz":
        assert any(e["request"].get("postData") for e in entries)


def test_redacted_headers_never_reach_any_file_of_a_run(runs: dict[str, Path]) -> None:
    for path in runs["check_fail"].iterdir():
        assert SECRET not in path.read_text(encoding="utf-8", errors="replace"), path
    har = json.loads((runs["check_fail"] / "exchanges.har").read_text())
    sent = [h for e in har["log"]["entries"] for h in e["request"]["headers"] if h["name"] == "Authorization"]
    assert sent and {h["value"] for h in sent} == {"<redacted>"}


def test_load_summary_has_windows_and_the_page_draws_them(runs: dict[str, Path]) -> None:
    data = json.loads((runs["load"] / "summary.json").read_text())
    windows = data["windows"]
    assert len(windows) >= 3 and windows[0]["t"] == 0
    assert sum(w["started"] for w in windows) == data["schedule"]["page_views"] + data["schedule"]["polls"]
    assert sum(op["requests"] for w in windows for op in w["ops"].values()) == data["total"]["requests"]
    page = (runs["load"] / "report.html").read_text()
    assert "SLO BREACHED" in page and '"p99"' in page


def test_report_renders_an_old_run_again(runs: dict[str, Path], tmp_path: Path) -> None:
    """`ecekit report DIR` from the JSON alone, even one without the keys newer versions add."""
    data = json.loads((runs["load"] / "summary.json").read_text())
    del data["windows"]
    (tmp_path / "summary.json").write_text(json.dumps(data))
    proc = ecekit("report", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "no per-window data" in (tmp_path / "report.html").read_text()
    bad = ecekit("report", str(tmp_path / "nothing"), cwd=tmp_path)
    assert bad.returncode == 2 and "holds no ecekit run" in bad.stderr + bad.stdout


def test_text_from_a_server_cannot_break_out_of_the_page() -> None:
    hostile = "</script><script>alert(1)</script><!--"
    data = {"results": [{"name": hostile, "check": "xsd", "test_check": "xsd", "operation": "capacity",
                         "entry_point": "1", "outcome": "failed", "headline": hostile,
                         "violations": [{"check": "xsd", "operation": "capacity", "message": hostile,
                                         "actual": hostile}],
                         "exchanges": [{"method": "GET", "url": "http://x/", "response": hostile,
                                        "excerpt": hostile, "curl": hostile}]}],
            "target": {"base_url": hostile}}
    page = html.render("check", data)
    assert "<script>alert(1)" not in page
    assert page.count("<script") == 3  # the data, uPlot and the charts: nothing else
    assert html.script_json({"a": hostile}).count("<") == 0


def test_step_summary_goes_to_github_when_set(runs: dict[str, Path], tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    data = json.loads((runs["check_fail"] / "check.json").read_text())
    publish.write_reports("check", data, tmp_path / "again")
    text = summary.read_text()
    assert text.startswith("earlier step\n") and "ecekit check: FAILED" in text
    assert text.strip().endswith(markdown.render("check", data, report=str(tmp_path / "again" / "report.html")).strip())
