"""`ecekit capacity` against hostile answers (tests/hostile.py): bounded in time and memory, and a
server that never completes an answer is never given a capacity limit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import hostile
from tests.hostile_runs import MEMORY_BOUND_MB, ecekit

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("mode", "kind"), [("gzip-bomb", "too_large"), ("drip", "timeout")])
def test_capacity_is_no_answer_not_a_server_limit(tmp_path: Path, mode: str, kind: str) -> None:
    with hostile.process(mode, "--max-seconds", "40") as url:
        ran = ecekit("capacity", "--base-url", url, "--entry-point", "1001", "--start", "5", "--max", "20",
                     "--step-duration", "3", "--slo", "errors=1%", "--out", str(tmp_path), timeout=90)
    assert ran.code == 1, ran.output
    data = json.loads((tmp_path / "capacity.json").read_text())
    assert data["limited_by"] == "no_answer" and data["first_breach"] is None, data["verdict"]
    step = data["steps"][0]
    assert len(data["steps"]) == 1 and step["completed"] == 0 and step["page_views"] > 0
    assert kind in data["verdict"] and f"NO ANSWER to {step['page_views']} page views ({kind}" in ran.output
    assert ran.seconds < 30, ran.output
    assert ran.max_rss_mb < MEMORY_BOUND_MB
