"""What compare will compare, and the one line it says when it will not."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from ecekit.compare.run import compare_data
from ecekit.errors import UsageError
from tests.compare.helpers import make_summary, page_load_ms, side, write_runs


def runs(folder: Path, count: int = 2, **kw: Any) -> Path:
    rng = random.Random(str(folder))
    return write_runs(folder, [make_summary(page_load_ms(2.0), rng, n=300, **kw) for _ in range(count)])


def refusal(before: Path, after: Path) -> str:
    with pytest.raises(UsageError) as caught:
        compare_data(before, after)
    return caught.value.message


def test_other_profile_is_refused(tmp_path: Path) -> None:
    assert "profile 'one-call'" in refusal(runs(tmp_path / "a"), runs(tmp_path / "b", profile="default"))


def test_other_rate_is_refused(tmp_path: Path) -> None:
    assert "200 page views/s" in refusal(runs(tmp_path / "a"), runs(tmp_path / "b", rate=100.0))


def test_a_rate_within_a_percent_is_the_same_load(tmp_path: Path) -> None:
    assert compare_data(runs(tmp_path / "a"), runs(tmp_path / "b", rate=200.5))["kind"] == "compare"


def test_a_side_mixing_rates_is_refused(tmp_path: Path) -> None:
    rng = random.Random(1)
    mixed = write_runs(tmp_path / "a", [make_summary(page_load_ms(2.0), rng, n=300, rate=r) for r in (200.0, 50.0)])
    assert "offered" in refusal(mixed, runs(tmp_path / "b"))


def test_a_generator_that_faltered_is_refused(tmp_path: Path) -> None:
    before = runs(tmp_path / "a")
    summary = before / "run-02" / "summary.json"
    data = json.loads(summary.read_text())
    data["schedule"].update(sent_late=150, lag_ms={"p50": 40.0, "p95": 80.0})
    summary.write_text(json.dumps(data))
    message = refusal(before, runs(tmp_path / "b"))
    assert "generator faltered" in message and "run-02" in message


def test_load_against_capacity_is_refused(tmp_path: Path) -> None:
    capacity = tmp_path / "cap"
    capacity.mkdir()
    (capacity / "capacity.json").write_text(json.dumps({"max_sustainable_rate": 100, "profile": "one-call"}))
    assert "cannot compare a load run" in refusal(runs(tmp_path / "a"), capacity)


def test_an_ab_root_is_pointed_at_its_sides(tmp_path: Path) -> None:
    root = tmp_path / "ab"
    root.mkdir()
    (root / "runs.json").write_text(json.dumps({"runs": [{"dir": "a/run-01", "side": "a"},
                                                         {"dir": "b/run-01", "side": "b"}]}))
    with pytest.raises(UsageError) as caught:
        compare_data(root, runs(tmp_path / "b"))
    assert caught.value.remedy is not None and str(root / "a") in caught.value.remedy


def test_nothing_there_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert "holds no load run" in refusal(tmp_path / "empty", runs(tmp_path / "b"))
    assert "no such directory" in refusal(tmp_path / "missing", runs(tmp_path / "c"))


def test_a_damaged_summary_is_a_usage_error_not_a_crash(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "summary.json").write_text("{not json")
    assert "cannot be read as JSON" in refusal(broken, runs(tmp_path / "b"))


def test_a_damaged_histogram_leaves_that_runs_sampling_unknown(tmp_path: Path) -> None:
    before = runs(tmp_path / "a")
    summary = before / "run-01" / "summary.json"
    data = json.loads(summary.read_text())
    data["histograms"]["total"] = "not-a-histogram"
    summary.write_text(json.dumps(data))
    assert compare_data(before, runs(tmp_path / "b"))["operations"]["total"]["p50"]["ci95_ms"] is not None


def test_the_answer_names_both_sides_and_the_notes(tmp_path: Path) -> None:
    rng = random.Random(3)
    data = compare_data(side(tmp_path / "a", rng, 2.0, 1, 0.0), side(tmp_path / "b", rng, 2.0, 3, 0.0))
    assert data["before"]["runs"] == 1 and data["after"]["runs"] == 3
    assert any("is one run" in n for n in data["notes"])
    assert list(data)[:2] == ["kind", "verdict"]


def test_other_entry_points_are_refused_and_other_lengths_noted(tmp_path: Path) -> None:
    one, two = runs(tmp_path / "a"), runs(tmp_path / "b")
    for summary in two.glob("run-*/summary.json"):
        data = json.loads(summary.read_text())
        data["entry_points"] = ["1001", "1002"]
        summary.write_text(json.dumps(data))
    assert "0 entry point(s) loaded in" in refusal(one, two) and "but 2 in" in refusal(one, two)
    notes = compare_data(runs(tmp_path / "c"), runs(tmp_path / "d", duration=20.0))["notes"]
    assert any("runs of different lengths (10 s, 20 s)" in n for n in notes), notes
