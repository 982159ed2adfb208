"""The fuzzer against the reference server: clean, each survey fault mode, pacing, replay."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecekit.fuzz.pacing import Pacer
from ecekit.fuzz.runner import FuzzConfig, FuzzResult, fuzz
from ecekit.server.embedded import running_server
from ecekit.target import Target


@pytest.fixture(autouse=True)
def _draws_follow_the_seed_alone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Hypothesis mixes into its draws the constants of every local module loaded so far, so what a
    seed yields in this process depended on the tests this xdist worker had run before (seen: seed 5
    missed one of four faults in one of three full runs). Here a seed's draws depend on the seed alone,
    as they do in a fresh ``ecekit fuzz`` process."""
    from hypothesis.internal.conjecture import providers

    monkeypatch.setattr(providers, "_get_local_constants", providers.Constants)
    providers.CONSTANTS_CACHE.cache.clear()  # what earlier tests' draws cached holds their constants
    yield
    providers.CONSTANTS_CACHE.cache.clear()


def run(faults: tuple[str, ...], tmp_path: Path, **config: object) -> FuzzResult:
    with running_server(faults=faults) as srv:
        cfg = FuzzConfig(database=tmp_path / "db", **config)  # type: ignore[arg-type]
        return fuzz(Target(base_url=srv.base_url), cfg, valid_needs_204=True)


def test_the_clean_reference_server_passes_500_examples(tmp_path: Path) -> None:
    result = run((), tmp_path, seed=1)
    assert result.ok, [f.kind for f in result.failures]
    assert result.progress.examples >= 500
    assert result.progress.requests >= 450


# fault -> (what the failure must be, the largest shrunk payload in bytes)
FAULTS = {
    "survey-500-non-ascii": ("valid[non_ascii]:not_a_server_error", 300),
    "survey-500-long-answer": ("valid[long_text]:not_a_server_error", 300 + 320),
    "survey-500-many-pairs": ("valid[many_pairs]:not_a_server_error", 500),
    "survey-204-non-xml": ("not_xml:survey_rejected", 300),
    "survey-500-malformed": (":not_a_server_error", 300),
}


# The budget of the fault tests: each fault is found within it (the default is 500), and it also bounds
# the last search, the one that finds nothing new, which is most of the cost (a fault is first seen
# within 2-91 examples of these seeds; docs/fuzzing.md gives the figures over more seeds).
BUDGET = 200


# One seed each here; test_several_faults_at_once finds the three valid-survey faults again under
# another seed.
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_survey_fault_is_found_and_shrunk(fault: str, tmp_path: Path) -> None:
    seed = 7
    kind, limit = FAULTS[fault]
    result = run((fault,), tmp_path, seed=seed, max_examples=BUDGET)
    assert result.failures, f"{fault} not found with seed {seed}"
    head = result.failures[0]
    assert kind in head.kind
    assert len(head.case.body) <= limit, head.case.body[:400]
    if fault == "survey-500-long-answer":
        answer_chars = head.case.description.split(" chars")[0].rsplit(" ", 1)[1]
        assert 300 < int(answer_chars) <= 320  # shrunk to just past the fault's threshold
    assert all(f.exchange.curl().startswith("curl ") for f in result.failures)


def test_several_faults_at_once_are_each_reported(tmp_path: Path) -> None:
    # three faults share one search, two of them in the same family: each is reported on its own (with
    # BUDGET, seeds 1-4, 6 and 7 find all three, seed 5 misses many_pairs; this one takes 675 examples)
    faults = ("survey-500-long-answer", "survey-500-many-pairs", "survey-204-non-xml")
    result = run(faults, tmp_path, seed=3, max_examples=BUDGET)
    kinds = sorted(f.kind for f in result.failures)
    assert kinds == ["not_xml:survey_rejected", "valid[long_text]:not_a_server_error",
                     "valid[many_pairs]:not_a_server_error"]


def test_failures_are_remembered_and_replayed_alone(tmp_path: Path) -> None:
    # Hypothesis mixes constants from every imported local module into its draws, so what a seed yields
    # moves when a module is added: the seed finds this fault within about 25 examples, a tenth of BUDGET.
    first = run(("survey-500-non-ascii",), tmp_path, seed=3, database_key="k", max_examples=BUDGET)
    assert first.failures
    again = run(("survey-500-non-ascii",), tmp_path, replay=True, database_key="k")
    # the fault's shrunk payload fails again; on a loaded machine the first run may also have met a failure
    # of the moment (an answer past its deadline), which passes when replayed and is forgotten, rightly
    replayed = {f.case.body for f in again.failures}
    assert replayed and replayed <= {f.case.body for f in first.failures}
    assert again.progress.examples <= 10  # only the remembered payloads (a few kinds), no generation
    clean = run((), tmp_path, replay=True, database_key="k")  # fixed: the replay passes (and forgets it)
    assert clean.ok


def test_max_time_stops_sending(tmp_path: Path) -> None:
    result = run((), tmp_path, max_time=0.5, max_examples=100_000)
    assert result.out_of_time
    assert result.progress.elapsed < 30


def test_pacer_spaces_starts_by_the_interval() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(20, clock=lambda: now[0], sleep=sleep)
    starts = []
    for _ in range(5):
        pacer.wait()
        starts.append(now[0])
    assert [round(b - a, 6) for a, b in itertools.pairwise(starts)] == [0.05] * 4
    with pytest.raises(ValueError, match="positive"):
        Pacer(0)


@pytest.mark.parametrize(("mode", "kind"), [("gzip-bomb", "too_large"), ("drip", "timeout")])
def test_a_server_that_answers_nothing_whole_is_fuzzed_briefly(mode: str, kind: str, tmp_path: Path) -> None:
    from tests import hostile

    with hostile.serving(mode, max_seconds=30) as srv:
        result = fuzz(Target(base_url=srv.base_url, read_timeout=1.0),
                      FuzzConfig(database=tmp_path / "db", max_examples=50), valid_needs_204=True)
    assert not result.ok and kind in result.unresponsive
    assert result.progress.requests <= 3  # three answers that never came whole, then none
    assert any(kind in f.exchange.describe() for f in result.failures)
