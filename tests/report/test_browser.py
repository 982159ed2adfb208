"""Each report opened in a real headless Chromium with the network off: no console error, the charts
drawn, and for a failing check the failures on the first screen. Screenshots go to the test's temporary
folder (or to $ECEKIT_SCREENSHOTS, to look at them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser import launch, needs_chromium, open_offline
from tests.report.helpers import KINDS

CHARTS = {"check_pass": 0, "check_fail": 0, "fuzz": 1, "load": 4, "capacity": 4, "capacity_real": 3}

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = launch(pw)
        yield b
        b.close()


@pytest.mark.parametrize("run", list(KINDS))
def test_report_renders_offline_without_errors(browser, runs: dict[str, Path], run: str,  # type: ignore[no-untyped-def]
                                               tmp_path: Path) -> None:
    context, page, errors, fetched = open_offline(browser, runs[run] / "report.html")
    shots = Path(os.environ.get("ECEKIT_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"{run}.png"), full_page=True)
    assert errors == [] and fetched == []
    assert page.locator("canvas").count() >= CHARTS[run]
    if run == "check_fail":
        box = page.locator("#broken").bounding_box()
        assert box is not None and box["y"] < 900, "what broke must be on the first screen"
        assert "capacity" in page.locator("#broken").inner_text()
    context.close()
