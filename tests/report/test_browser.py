"""Each report opened in a real headless Chromium with the network off: no console error, the charts
drawn, and for a failing check the failures on the first screen. Screenshots go to the test's temporary
folder (or to $ECEKIT_SCREENSHOTS, to look at them)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser import launch, needs_chromium, open_offline
from tests.report.helpers import KINDS

CHARTS = {"check_pass": 0, "check_fail": 0, "fuzz": 1, "load": 4, "capacity": 4, "capacity_real": 3,
          "compare": 2, "compare_capacity": 1, "load_outcomes": 5}
BLUE, RED, GREEN, AMBER, DARK_RED = "#0969da", "#cf222e", "#1a7f37", "#bf8700", "#82071e"  # as in charts.js
DRAWN = {"load_outcomes": {"#c-outcomes-0": [GREEN, AMBER, RED, DARK_RED]},  # available, busy, error, ever error
         "compare": {"#c-dist-0": [BLUE, RED], "#c-dist-1": [BLUE, RED]},
         "compare_capacity": {"#c-capacity": [RED, GREEN]}}
"""Per run, the charts whose series must be on the canvas, by the colour of each series."""

# how many pixels of the chart's canvas have each colour (within a little anti-aliasing)
COLOURS = """([sel, colours]) => {
  const c = document.querySelector(sel + ' canvas');
  if (!c) return null;
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  return colours.map(hex => {
    const rgb = [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
    let n = 0;
    for (let i = 0; i < px.length; i += 4)
      if (px[i + 3] > 200
          && Math.abs(px[i] - rgb[0]) + Math.abs(px[i + 1] - rgb[1]) + Math.abs(px[i + 2] - rgb[2]) < 30) n++;
    return n;
  });
}"""

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
    for chart, colours in DRAWN.get(run, {}).items():
        counts = page.evaluate(COLOURS, [chart, colours])
        assert counts is not None, f"{chart} has no canvas"
        assert all(n > 20 for n in counts), f"{chart}: pixels per series colour {counts}"
    if run == "check_fail":
        box = page.locator("#broken").bounding_box()
        assert box is not None and box["y"] < 900, "what broke must be on the first screen"
        assert "capacity" in page.locator("#broken").inner_text()
    context.close()
