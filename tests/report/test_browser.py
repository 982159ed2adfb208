"""Each report opened in a real headless Chromium with the network off: no console error, the charts
drawn, and for a failing check the failures on the first screen. Screenshots go to the test's temporary
folder (or to $ECEKIT_SCREENSHOTS, to look at them)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.report.test_reports import KINDS

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
CHARTS = {"check_pass": 0, "check_fail": 0, "fuzz": 1, "load": 4, "capacity": 4, "capacity_real": 3}

if CHROMIUM is None and os.environ.get("CI"):
    pytest.fail("chromium is not installed: .ci/run installs Debian's chromium package", pytrace=False)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium package is not installed "
                                "(apt-get install -y chromium; .ci/run does it)")


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.mark.parametrize("run", list(KINDS))
def test_report_renders_offline_without_errors(browser, runs: dict[str, Path], run: str,  # type: ignore[no-untyped-def]
                                               tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    page = context.new_page()
    errors: list[str] = []
    fetched: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda req: fetched.append(req.url) if not req.url.startswith("file:") else None)
    page.goto((runs[run] / "report.html").resolve().as_uri())
    page.wait_for_load_state("load")
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
