"""`ecekit capacity` for real, each step a locust child process, against servers whose limit is known.

(a) A server of 4 workers x 50 ms holds at most 80 requests/s; with the one-call profile that is 80
page views/s, and the reported maximum must be within 15 % of it. A 50 ms service time (rather than a
few ms) keeps the SLO well above the scheduling hiccups of a busy 2-core machine, which the search
would rightly refuse to blame on the server.
(b) The generator made the bottleneck on purpose: a profile allowing 4 page views in flight, against a
server of 64 workers x 20 ms (3200/s), can offer at most ~4 / 20 ms = 200 page views/s, the same way a
CPU-bound generator process runs out, only deterministic on a shared 2-core machine. (With 2 in flight
and 10 ms, the same limit, a loaded machine's slow tail of answers filled both slots at the first
rate: 14 % of page views late at 25/s.) Capacity must
blame the generator and must not present the rate as the server's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecekit.capacity.report import render as report_text
from ecekit.cli import cli
from tests.capacity.pool_server import NoisyServer, PoolServer
from tests.starved import machine_short_of_cpu

pytestmark = pytest.mark.slow

QUICK = ["--profile", "one-call", "--step-duration", "2", "--warmup", "1", "--seed", "7", "-q"]


def _capacity(base_url: str, out: Path, *args: str) -> tuple[int, str, dict | None]:
    result = CliRunner().invoke(cli, ["capacity", "--base-url", base_url, "--entry-point", "1001",
                                      "--out", str(out), *QUICK, *args])
    path = out / "capacity.json"
    return result.exit_code, result.output, json.loads(path.read_text()) if path.exists() else None


@pytest.mark.timing
def test_finds_a_known_server_limit_within_15_percent(tmp_path: Path) -> None:
    server = PoolServer(workers=4, service_s=0.050)
    with server.running() as url:
        code, output, data = _capacity(url, tmp_path, "--slo", "p95=250ms", "--start", "60", "--step", "20",
                                       "--max", "200", "--refine", "2")
    assert code == 0, output
    assert data is not None
    assert data["limited_by"] == "server", data["verdict"]
    print(report_text(data))
    assert abs(data["max_sustainable_rate"] - server.capacity) <= 0.15 * server.capacity, output
    steps = data["steps"]
    assert [s["phase"] for s in steps].count("refine") >= 1
    assert steps[0]["generator_ok"] and steps[0]["passed"]
    for s in steps:  # every step kept its own summary, with the generator's own figures
        summary = json.loads((tmp_path / s["summary"]).read_text())
        assert summary["offered_rate"] == s["rate"] and summary["warmup_s"] == 1.0
        assert summary["duration_s"] == s["duration_s"] == (2.0 if s["phase"] != "repeat" else summary["duration_s"])
        assert s["duration_s"] in (2.0, 4.0, 8.0)  # a repeat lasts twice as long as the try before
        assert 0 < summary["generator"]["busy_max"] < 0.85
        assert summary["generator"]["answered_rps"] == s["achieved_rps"] <= 1.15 * server.capacity
    assert "max sustainable rate" in output
    assert (tmp_path / "report.html").is_file() and data["target"]["base_url"] == url
    # errors=1% unless given: failing to answer is not holding
    assert [c["name"] for c in data["slo"]["checks"]] == ["p95", "errors"]


@pytest.mark.timing
def test_a_generator_bottleneck_is_reported_as_the_generators(tmp_path: Path) -> None:
    profile = tmp_path / "tiny-pool.toml"
    profile.write_text('description = "four page views in flight"\nmax_in_flight = 4\ntimeout = 2.0\n'
                       '[[call]]\noperation = "chatAllowed"\n', encoding="utf-8")
    server = PoolServer(workers=64, service_s=0.020)
    with server.running() as url:
        code, output, data = _capacity(url, tmp_path / "out", "--profile", str(profile), "--slo", "p95=1s",
                                       "--start", "25", "--factor", "2", "--max", "800")
    assert data is not None
    if machine_short_of_cpu(code, output):  # starved at the first rate: the run says so, blames no one
        assert data["limited_by"] == "generator" and data["first_breach"] is None, output
        assert "the machine is short of CPU" in data["verdict"], data["verdict"]
        return
    assert code == 0, output
    assert data["limited_by"] == "generator", data["verdict"]
    assert data["max_sustainable_rate"] is not None and data["max_sustainable_rate"] < server.capacity / 10
    last = data["steps"][-1]
    assert not last["generator_ok"] and "late" in last["generator_problems"][0]
    if "the machine is short of CPU" not in last["generator_problems"][0]:  # starved there: the run says so
        assert "max_in_flight" in last["generator_problems"][0]  # else it says which limit of the generator
    assert "not the server" in data["verdict"] and "lower bound" in data["verdict"]
    assert data["first_breach"] is None  # nothing is presented as the server's limit


def test_a_noisy_server_is_not_blamed_for_its_noise(tmp_path: Path) -> None:
    """True p95 1 ms at every rate, 3 % of answers 60 ms: p95 over 20 answers is one or two unlucky ones.
    The short search must repeat what it cannot settle and never call the server the limit."""
    server = NoisyServer()
    with server.running() as url:
        result = CliRunner().invoke(cli, ["capacity", "--base-url", url, "--entry-point", "1001", "--out",
                                          str(tmp_path), "--profile", "one-call", "--start", "20", "--factor", "2",
                                          "--max", "160", "--step-duration", "1", "--slo", "p95=50ms", "-q"])
    data = json.loads((tmp_path / "capacity.json").read_text())
    assert data["limited_by"] != "server", result.output
    assert data["first_breach"] is None
    first = [s for s in data["steps"] if s["rate"] == 20]
    if not first[0]["generator_ok"]:  # seen beside the rest of the suite on 2 cores: the machine, said so
        assert data["limited_by"] == "generator" and len(data["steps"]) == 1, result.output
        return
    assert len(first) >= 2 and first[0]["verdict"] == "unsettled"  # 20 answers cannot bound a p95
    p95 = next(c for c in first[-1]["evidence"]["checks"] if c["name"] == "p95")
    assert first[-1]["verdict"] != "held" or p95["samples"] >= 72  # held only from enough answers, pooled


@pytest.mark.parametrize(("args", "words"), [
    (["--profile", "spike"], "steady rate"),
    (["--profile", "one-call"], "no SLO"),
    (["--slo", "p95=1s", "--start", "0"], "--start"),
    (["--slo", "p95=1s", "--step", "10", "--factor", "2"], "both"),
    (["--slo", "p95=1s", "--step-duration", "0"], "--step-duration"),
    (["--slo", "p9=1s"], "unknown measure"),
    (["--slo", "p95=1s", "--base-url", "http://192.0.2.1/system", "--entry-point", "1"], "not on this machine"),
    (["--slo", "p95=1s", "--expect-workers", "2"], "--expect-workers needs --distributed"),
    (["--slo", "p95=1s", "--distributed"], "pass --expect-workers N"),
    (["--slo", "p95=1s", "--distributed", "--expect-workers", "2", "--workers", "2"], "--workers starts local"),
])
def test_usage_errors_exit_2_before_any_load(tmp_path: Path, args: list[str], words: str) -> None:
    result = CliRunner().invoke(cli, ["capacity", "--out", str(tmp_path), *args])
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert not (tmp_path / "steps").exists()


def test_a_server_that_answers_nothing_is_a_setup_error(tmp_path: Path) -> None:
    from ecekit.load.launch import free_port

    code, output, data = _capacity(f"http://127.0.0.1:{free_port()}/system", tmp_path, "--slo", "p95=1s",
                                   "--start", "10", "--step-duration", "1")
    assert code == 2, output
    assert "cannot connect to 127.0.0.1" in output and data is None  # the up-front probe (ecekit.transport)
