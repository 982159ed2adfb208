"""Runs made to be compared: summary.json keeps the histograms its percentiles come from, ``--repeat``
makes K runs against one embedded server with seeds that replay, ``--ab`` alternates two servers, and
every mistake (``--ab`` with ``--base-url``, a wrong URL of B) is exit 2 before any run. Two short real
repeated runs (two and four locust runs); the interrupt is a unit test with launches made up."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hdrh.histogram import HdrHistogram

import ecekit
from ecekit.cli import cli
from ecekit.load import launch, repeat
from ecekit.load.recorder import PERCENTILES
from ecekit.run_summaries import RunsJson
from ecekit.server.embedded import default_roles
from tests.load.helpers import mismatches

# the tests of one real repeated run share its module fixture on one xdist worker (built once)
ONE_RUN = pytest.mark.xdist_group("repeat_runs")
SHORT = ["--profile", "one-call", "--rate", "8", "--duration", "1", "--pause", "0", "-q"]


def _json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------ --repeat 2, embedded server
@pytest.fixture(scope="module")
def repeated(tmp_path_factory: pytest.TempPathFactory) -> tuple[repeat.RepeatedResult, int]:
    """Two runs with --seed 7; how many times a live server (embedded or probed) was set up."""
    import ecekit.live

    started = []
    real = ecekit.live.live_target

    @contextlib.contextmanager
    def counted(*args: Any, **kwargs: Any) -> Iterator[Any]:
        started.append(1)
        with real(*args, **kwargs) as live:
            yield live

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ecekit.live, "live_target", counted)
        result = ecekit.run_repeated(repeat=2, pause=0, rate=8, duration=1, profile="one-call", seed=7,
                                     slos=["p99=5s"], out=tmp_path_factory.mktemp("repeat") / "out")
    return result, len(started)


@pytest.mark.slow
@ONE_RUN
def test_the_histograms_of_summary_json_decode_to_its_own_percentiles(
        repeated: tuple[repeat.RepeatedResult, int]) -> None:
    result, _ = repeated
    for run in result.runs:
        written = _json(run.out / "summary.json")
        stats = {"total": written["total"], **written["operations"]}
        assert set(written["histograms"]) == set(stats) == {"total", "chatAllowed"}
        for name, op in stats.items():
            histogram = HdrHistogram.decode(written["histograms"][name].encode("ascii"))
            assert histogram.get_total_count() == op["requests"] > 0
            max_us = round(op["latency_ms"]["max"] * 1000)  # exact, in whole µs
            for p in ("p50", "p95", "p99"):
                assert round(min(histogram.get_value_at_percentile(PERCENTILES[p]), max_us) / 1000, 3) == \
                    op["latency_ms"][p], (name, p)
        for seen in written["outcomes"].values():
            first = HdrHistogram.decode(seen["first_state_histogram"].encode("ascii"))
            assert first.get_total_count() == seen["page_views"] > 0
            for p in ("p50", "p95", "p99"):  # capped at the exact max, which summary.json does not keep
                at = first.get_value_at_percentile(PERCENTILES[p])
                assert first.get_lowest_equivalent_value(at) <= round(seen["first_state_ms"][p] * 1000) <= at


@pytest.mark.slow
@ONE_RUN
def test_repeat_makes_run_dirs_with_seeds_that_follow_on_one_embedded_server(
        repeated: tuple[repeat.RepeatedResult, int]) -> None:
    result, servers_started = repeated
    assert servers_started == 1
    runs: RunsJson = _json(result.runs_json)
    assert result.runs_json == result.out / "runs.json"
    assert mismatches(runs, RunsJson) == []
    assert [(r["dir"], r["side"], r["order"], r["seed"], r["exit_code"]) for r in runs["runs"]] == [
        ("run-01", None, 1, 7, 0), ("run-02", None, 2, 8, 0)]
    assert "interrupted" not in runs
    assert runs["settings"]["seed"] == 7 and runs["settings"]["repeat"] == 2
    summaries = [_json(result.out / r["dir"] / "summary.json") for r in runs["runs"]]
    assert [s["seed"] for s in summaries] == [7, 8]
    assert summaries[0]["base_url"] == summaries[1]["base_url"] == runs["settings"]["base_url"]
    assert {"cpus", "python", "ecekit", "platform"} == set(summaries[0]["machine"])
    assert summaries[0]["started_at"] <= summaries[1]["started_at"]
    assert result.exit_code == 0 and len(result.runs) == 2


def test_a_run_given_no_seed_draws_one_and_names_it() -> None:
    """The seed a run without --seed used is in its options (and so in summary.json and its workers)."""
    from types import SimpleNamespace

    from ecekit.load import runstate

    given = SimpleNamespace(parsed_options=SimpleNamespace(ece_seed="12"))
    runstate.fix_seed(given)
    assert given.parsed_options.ece_seed == "12"
    drawn = SimpleNamespace(parsed_options=SimpleNamespace(ece_seed=""))
    runstate.fix_seed(drawn)
    first = drawn.parsed_options.ece_seed
    assert first.isdigit()
    seen = {first}
    for _ in range(5):  # a new test of the same process (locust's web UI) draws afresh
        runstate.fix_seed(drawn)
        seen.add(drawn.parsed_options.ece_seed)
    assert len(seen) > 1


# ------------------------------------------------------------------------------------------- --ab
@pytest.fixture(scope="module")
def two_servers() -> Iterator[tuple[str, str]]:
    with ecekit.serve() as a, ecekit.serve() as b:
        yield a.url, b.url


def _eps() -> list[str]:
    return [arg for ep in default_roles().entry_points for arg in ("--entry-point", ep)]


@pytest.mark.slow
@ONE_RUN
def test_ab_alternates_the_servers_and_shares_each_runs_seed(two_servers: tuple[str, str], tmp_path: Path) -> None:
    url_a, url_b = two_servers
    out = tmp_path / "out"
    run = CliRunner().invoke(cli, ["load", "--ab", url_a, url_b, *_eps(), "--repeat", "2", "--seed", "3",
                                   "--out", str(out), *SHORT])
    assert run.exit_code == 0, run.output
    runs = _json(out / "runs.json")
    assert mismatches(runs, RunsJson) == []
    assert [(r["dir"], r["side"], r["order"], r["seed"]) for r in runs["runs"]] == [
        ("a/run-01", "a", 1, 3), ("b/run-01", "b", 2, 3), ("a/run-02", "a", 3, 4), ("b/run-02", "b", 4, 4)]
    assert runs["settings"]["ab"] == {"a": url_a, "b": url_b} and runs["settings"]["base_url"] is None
    for entry in runs["runs"]:
        summary = _json(out / entry["dir"] / "summary.json")
        assert summary["base_url"] == {"a": url_a, "b": url_b}[entry["side"]]
        assert summary["seed"] == entry["seed"]
    assert "run 2/4 (B 1/2): p50 " in run.output
    assert f"compare with: ecekit compare {out.resolve() / 'a'} {out.resolve() / 'b'}" in run.output


def test_ab_with_base_url_is_a_usage_error(tmp_path: Path) -> None:
    run = CliRunner().invoke(cli, ["load", "--ab", "http://127.0.0.1:1/system", "http://127.0.0.1:2/system",
                                   "--base-url", "http://127.0.0.1:3/system", "--entry-point", "1001",
                                   "--out", str(tmp_path / "out"), *SHORT])
    assert run.exit_code == 2
    assert run.output.strip().splitlines() == ["Error: --ab URL_A URL_B names both servers: drop --base-url"]
    assert not (tmp_path / "out").exists()


@ONE_RUN
def test_a_wrong_url_b_is_exit_2_before_any_run(two_servers: tuple[str, str], tmp_path: Path) -> None:
    nothing = f"http://127.0.0.1:{launch.free_port()}/system"
    run = CliRunner().invoke(cli, ["load", "--ab", two_servers[0], nothing, *_eps(), "--out", str(tmp_path / "out"),
                                   *SHORT])
    assert run.exit_code == 2, run.output
    assert "--ab URL_B: cannot reach" in run.output and "URL_B of --ab" in run.output
    assert not list((tmp_path / "out").rglob("summary.json")) and not (tmp_path / "out" / "runs.json").exists()


def test_ab_refuses_a_remote_url_b(tmp_path: Path) -> None:
    run = CliRunner().invoke(cli, ["load", "--ab", "http://127.0.0.1:1/system", "http://ece.example.com/system",
                                   "--entry-point", "1001", "--out", str(tmp_path / "out"), *SHORT])
    assert run.exit_code == 2 and "--allow-remote" in run.output


# ------------------------------------------------------------------------------ Ctrl-C, made up runs
def _made_up_summary(passed: bool) -> dict[str, Any]:
    latency = {"p50": 1.0, "p90": 1.0, "p95": 2.0, "p99": 3.0, "p999": 3.0, "max": 3.0}
    return {"total": {"requests": 10, "latency_ms": latency}, "slo": {"passed": passed, "checks": []}}


def test_ctrl_c_leaves_runs_json_with_the_runs_so_far(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    launched: list[Path] = []

    def launch_(self: Any, out: Path, on_progress: Any = None, **overrides: str) -> dict[str, Any]:
        launched.append(out)
        if len(launched) == 3:
            raise KeyboardInterrupt
        return _made_up_summary(passed=len(launched) != 2)

    @contextlib.contextmanager
    def started(self: Any, out: Path, length_s: float | None = None) -> Iterator[Any]:
        yield repeat.LoadPlan("http://127.0.0.1:1/system", {}, {}, 1, 10.0)

    monkeypatch.setattr(repeat.LoadPlan, "launch", launch_)
    monkeypatch.setattr(repeat.LoadSetup, "started", started)
    load = repeat.RepeatedLoad.checked(None, repeat=5, pause=0, duration=1)
    with pytest.raises(KeyboardInterrupt):
        load.run(tmp_path / "out")
    runs = _json(tmp_path / "out" / "runs.json")
    assert runs["interrupted"] is True
    assert [(r["dir"], r["exit_code"]) for r in runs["runs"]] == [("run-01", 0), ("run-02", 1)]


def test_any_breached_run_makes_the_exit_code_1(tmp_path: Path) -> None:
    def result(passed: bool) -> ecekit.LoadResult:
        return ecekit.LoadResult(_made_up_summary(passed), tmp_path)  # type: ignore[arg-type]

    made = repeat.RepeatedResult([result(True), result(False), result(True)], tmp_path / "runs.json",
                                 [None, None, None])
    assert made.exit_code == 1
    assert repeat.RepeatedResult([result(True)] * 2, tmp_path / "runs.json", [None, None]).exit_code == 0


def test_bad_repeat_or_pause_is_a_usage_error() -> None:
    with pytest.raises(ecekit.UsageError, match="--repeat 0"):
        repeat.RepeatedLoad.checked(None, repeat=0)
    with pytest.raises(ecekit.UsageError, match="--pause"):
        repeat.RepeatedLoad.checked(None, pause=-1)
