"""Reproducible runs: the seed is printed, ``--seed N`` replays a run request for request, and under
``CI`` the default seed is fixed, so two builds send the same surveys. Proven at a server that records
every survey it receives (Content-Type and body, in order), for `ecekit check` and `ecekit fuzz`. The
one part of a body that differs on purpose is the XXE canary's URL (its port and a token per survey):
it is put back to the placeholder before comparing."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from ecekit import seeds
from ecekit.canary import PATH, PLACEHOLDER
from ecekit.cli import cli
from tests.checks.helpers import run_check
from tests.survey_recorder import Recorder, recording

pytestmark = pytest.mark.slow


_CANARY = re.compile(rb"http://127\.0\.0\.1:\d+" + PATH.encode() + rb"/[0-9a-f]{16}/")


def unarmed(sent: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The surveys as generated: each canary URL back to the placeholder."""
    return [(ct, _CANARY.sub(PLACEHOLDER.encode(), body)) for ct, body in sent]


def check_sends(tmp: Path, *args: str, ci: bool = False) -> tuple[list[tuple[str, bytes]], str, Path]:
    """The surveys one `ecekit check` run sends, its output and its JUnit file."""
    env_ci = os.environ.pop("CI", None)
    try:
        if ci:
            os.environ["CI"] = "true"
        with recording() as server:
            result = run_check(tmp, "--base-url", server.base_url, "--entry-point", "1001", "--allow-writes",
                               "--fuzz-examples", "40", "-k", "survey", *args)
            sent = unarmed(list(server.received))
    finally:
        os.environ.pop("CI", None)
        if env_ci is not None:
            os.environ["CI"] = env_ci
    assert result.code == 0, result.output[-3000:]
    return sent, result.output, result.junit


def test_check_under_ci_fixes_its_seed_prints_it_and_that_seed_replays_the_run(tmp_path: Path) -> None:
    """Three runs: under CI with no seed (the fixed one, printed), the printed seed given on a terminal
    (the same surveys, request for request), and another seed (other surveys: the test can fail)."""
    first, out, junit = check_sends(tmp_path, ci=True)
    assert f"seed {seeds.CI_SEED} (fixed because CI is set; --seed {seeds.CI_SEED} replays this run)" in out
    props = {p.get("name"): p.get("value") for p in etree.parse(str(junit)).iter("property")}
    assert props["seed"] == str(seeds.CI_SEED)
    again, out, _ = check_sends(tmp_path, "--seed", str(seeds.CI_SEED))
    assert f"seed {seeds.CI_SEED} (given;" in out
    other, _, _ = check_sends(tmp_path, "--seed", "8")
    assert len(first) > 40
    assert again == first
    assert other != first



def fuzz_sends(recorder: Recorder, *args: str) -> tuple[list[tuple[str, bytes]], str]:
    before = len(recorder.received)
    result = CliRunner(env={"NO_COLOR": "1"}).invoke(cli, ["fuzz", "-q", "--base-url", recorder.base_url,
                                                           "--allow-writes", "--no-database",
                                                           "--max-examples", "60", *args])
    assert result.exit_code == 0, result.output
    return unarmed(recorder.received[before:]), result.output


def test_fuzz_replays_a_seed_request_for_request(recorder: Recorder) -> None:
    first, out = fuzz_sends(recorder, "--seed", "12")
    assert "seed 12 (given; --seed 12 replays this run)" in out
    again, _ = fuzz_sends(recorder, "--seed", "12")
    other, _ = fuzz_sends(recorder, "--seed", "13")
    assert again == first and other != first


def test_fuzz_under_ci_is_derandomised(recorder: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    first, out = fuzz_sends(recorder)
    assert "fixed because CI is set" in out
    again, _ = fuzz_sends(recorder)
    assert again == first
