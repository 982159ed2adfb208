"""`ecekit compare` from the command line: text, --json, the files it writes, exit codes 0, 1 and 2."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ecekit.cli import cli
from tests.compare.helpers import side


def run(*args: str) -> Result:
    return CliRunner(env={"NO_COLOR": "1"}).invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(autouse=True)
def _in_a_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def test_a_slower_upgrade_exits_1_with_its_interval(tmp_path: Path) -> None:
    rng = random.Random(7)
    before, after = side(tmp_path / "a", rng, 2.0, 5, 0.1), side(tmp_path / "b", rng, 3.0, 5, 0.1)
    result = run("compare", str(before), str(after), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1, result.output
    assert result.output.startswith("verdict: SLOWER")
    assert "chatAllowed" in result.output and "p50" in result.output
    written = json.loads((tmp_path / "out" / "compare.json").read_text())
    assert written["verdict"] == "slower"
    assert (tmp_path / "out" / "report.html").is_file() and (tmp_path / "out" / "summary.md").is_file()


def test_the_same_server_exits_0_and_json_is_the_file(tmp_path: Path) -> None:
    rng = random.Random(8)
    before, after = side(tmp_path / "a", rng, 2.0, 5, 0.1), side(tmp_path / "b", rng, 2.0, 5, 0.1)
    result = run("compare", str(before), str(after), "--json", "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed == json.loads((tmp_path / "out" / "compare.json").read_text())
    p50 = printed["operations"]["chatAllowed"]["p50"]
    assert p50["verdict"] in ("same", "inconclusive") and len(p50["ci95_ms"]) == 2


def test_other_rates_are_refused_in_one_line_with_exit_2(tmp_path: Path) -> None:
    rng = random.Random(9)
    before = side(tmp_path / "a", rng, 2.0, 2, 0.1, n=200)
    after = side(tmp_path / "b", rng, 2.0, 2, 0.1, n=200, rate=100.0)
    result = run("compare", str(before), str(after))
    assert result.exit_code == 2
    first = result.output.strip().splitlines()[0]
    assert "cannot compare runs of different loads" in first and "100/s" in first


def test_a_bad_margin_is_a_usage_error() -> None:
    assert run("compare", "a", "b", "--margin", "lots").exit_code == 2
