"""`ecekit load` against hostile answers (tests/hostile.py): every run ends within its time cap and
its memory, counts the page views it offered, and exits 1 naming what the visitors got instead of
answers (too_large, timeout). Short real runs, one per mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import hostile
from tests.hostile_runs import MEMORY_BOUND_MB, ecekit

pytestmark = pytest.mark.slow

KIND = {"gzip-bomb": "too_large", "endless-chunked": "too_large", "huge-length": "too_large",
        "drip": "timeout", "lying-length": "timeout"}


@pytest.mark.parametrize("mode", sorted(KIND))
def test_load_ends_bounded_and_names_the_failure(tmp_path: Path, mode: str) -> None:
    with hostile.process(mode, "--max-seconds", "40") as url:
        ran = ecekit("load", "--base-url", url, "--entry-point", "1001", "--rate", "5", "--duration", "3",
                     "--slo", "errors=1%", "--out", str(tmp_path), timeout=60)
    assert ran.code == 1, ran.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    kinds = summary["total"]["failures_by_kind"]
    assert kinds.get(KIND[mode], 0) >= summary["schedule"]["page_views"] > 0, kinds  # every widget call failed so
    assert f"failures by kind: {KIND[mode]}" in ran.output
    assert f"page views: {summary['schedule']['page_views']} offered" in ran.output
    assert ran.seconds < 30, ran.output
    assert ran.max_rss_mb < MEMORY_BOUND_MB
