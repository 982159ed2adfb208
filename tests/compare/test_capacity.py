"""Two capacity searches: did the limit move, by their brackets?"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecekit.compare.run import compare_data
from ecekit.errors import UsageError


def search(folder: Path, held: float | None, breached: float | None, limited_by: str = "server",
           profile: str = "one-call", slo: float = 50.0) -> Path:
    folder.mkdir(parents=True)
    (folder / "capacity.json").write_text(json.dumps({
        "max_sustainable_rate": held, "first_breach": breached, "limited_by": limited_by, "profile": profile,
        "slo": {"checks": [{"name": "p95", "limit": slo, "unit": "ms"}]}, "steps": []}))
    return folder


@pytest.mark.parametrize(("before", "after", "verdict"), [
    ((400, 800), (800, 1600), "moved up"),
    ((400, 800), (200, 400), "moved down"),
    ((400, 800), (400, 800), "same"),
    ((400, 800), (600, 1200), "inconclusive"),  # the brackets overlap
])
def test_brackets(tmp_path: Path, before: tuple[float, float], after: tuple[float, float], verdict: str) -> None:
    data = compare_data(search(tmp_path / "b", *before), search(tmp_path / "a", *after))
    assert data["kind"] == "compare-capacity" and data["verdict"] == verdict
    assert data["before"]["bracket"] == list(before)


def test_a_search_the_generator_ended_cannot_bracket_the_limit(tmp_path: Path) -> None:
    data = compare_data(search(tmp_path / "b", 400, None, "generator"), search(tmp_path / "a", 400, None, "generator"))
    assert data["verdict"] == "inconclusive" and any("limited by generator" in n for n in data["notes"])


def test_a_lower_bound_above_the_old_breach_still_moved_up(tmp_path: Path) -> None:
    data = compare_data(search(tmp_path / "b", 400, 800), search(tmp_path / "a", 1600, None, "generator"))
    assert data["verdict"] == "moved up"


def test_other_slos_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="different SLOs"):
        compare_data(search(tmp_path / "b", 400, 800), search(tmp_path / "a", 400, 800, slo=100.0))
