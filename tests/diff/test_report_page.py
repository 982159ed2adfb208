"""The diff's report.html in a real headless Chromium, network off: no console error, nothing fetched,
the breaking differences on the first screen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecekit.cli import cli
from tests.browser import launch, needs_chromium, open_offline

pytestmark = needs_chromium


def test_diff_report_renders_offline(tmp_path: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    runner = CliRunner()
    before, after, out = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "report"
    assert runner.invoke(cli, ["snapshot", "--out", str(before), "--reads", "1"]).exit_code == 0
    assert runner.invoke(cli, ["snapshot", "--out", str(after), "--reads", "1",
                               "--fault", "capacity-negative", "--fault", "restyle"]).exit_code == 0
    assert runner.invoke(cli, ["diff", str(before), str(after), "--out", str(out)]).exit_code == 1
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        context, page, errors, fetched = open_offline(browser, out / "report.html")
        shots = Path(os.environ.get("ECEKIT_SCREENSHOTS") or tmp_path)
        page.screenshot(path=str(shots / "diff.png"), full_page=True)
        assert errors == [] and fetched == []
        table = page.locator("table.diff.breaking")
        box = table.bounding_box()
        assert box is not None and box["y"] < 900, "what breaks must be on the first screen"
        assert "count" in table.inner_text() and "capacity" in table.inner_text()
        context.close()
        browser.close()
