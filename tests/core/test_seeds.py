"""The seed of a run: the one given; under CI a fixed one; on a terminal a new one each run.

(That a printed seed replays a run request for request is proven by real runs in
tests/checks/test_reproducible.py.)"""

from __future__ import annotations

import pytest

from ecekit import seeds


@pytest.mark.parametrize("ci", ["true", "1", "yes", "GitLab"])
def test_under_ci_the_seed_is_fixed(monkeypatch: pytest.MonkeyPatch, ci: str) -> None:
    monkeypatch.setenv("CI", ci)
    assert seeds.choose(None) == (seeds.CI_SEED, "fixed because CI is set")
    assert seeds.choose(9) == (9, "given")  # a given seed wins


@pytest.mark.parametrize("ci", [None, "", "0", "false", "No"])
def test_on_a_terminal_each_run_draws_a_new_seed(monkeypatch: pytest.MonkeyPatch, ci: str | None) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    drawn = {seeds.choose(None) for _ in range(5)}
    assert {how for _, how in drawn} == {"random"}
    assert len(drawn) == 5  # five draws below 2**32 collide by a chance of about 2e-9


def test_the_header_line_says_how_to_replay() -> None:
    assert seeds.describe(7, "random") == "seed 7 (random; --seed 7 replays this run)"
    assert seeds.describe(7, "given", "--fuzz-seed") == "seed 7 (given; --fuzz-seed 7 replays this run)"
