"""Against a correct server that parses surveys leniently (``ecekit serve --survey-parsing lenient``,
as a JAXB server without schema validation): `ecekit check` and `ecekit fuzz` pass on every seed and
list the lenient findings; with ``--strict-surveys`` (or ``strict_surveys = true``) they fail; and a
fault that accepts a must-refuse body is still caught on top of lenient parsing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from ecekit.cli import cli
from ecekit.server.embedded import ServerHandle, default_roles, running_server
from tests.checks.helpers import CheckRun, run_check

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def lenient() -> Iterator[ServerHandle]:
    with running_server(survey_parsing="lenient", subprocess=True) as srv:
        yield srv


def roles() -> list[str]:
    flags = []
    for key, flag in (("entry_points", "--entry-point"), ("inactive_entry_points", "--inactive-entry-point"),
                      ("invalid_entry_points", "--invalid-entry-point")):
        for ep in default_roles().target_kwargs().get(key, ()):
            flags += [flag, ep]
    return flags


def check(tmp: Path, srv: ServerHandle, *args: str) -> CheckRun:
    return run_check(tmp, "--base-url", srv.base_url, *roles(), "--allow-writes", "--fuzz-examples", "150",
                     *args)


def findings(run: CheckRun) -> list[str]:
    """The messages of the lenient findings in the JUnit file (skipped cases of ecekit.survey_lenient)."""
    tree = etree.parse(str(run.junit))
    return [s.get("message", "") for s in tree.findall(".//testsuite[@name='ecekit.survey_lenient']//skipped")]


@pytest.mark.parametrize("seed", [1, 2])
def test_check_passes_and_lists_the_findings_on_every_seed(tmp_path: Path, lenient: ServerHandle,
                                                           seed: int) -> None:
    run = check(tmp_path, lenient, "--seed", str(seed))
    assert run.code == 0, run.output[-4000:]
    assert run.failed_checks() == {}
    assert "findings, not failures" in run.output and "survey_lenient" in run.output
    found = findings(run)
    assert len(found) >= 5 and all(m.startswith("finding, not a failure: survey_lenient") for m in found)
    # the DOCTYPEs a hardened JAXB ignores are findings, and nothing fetched them (survey_xxe passed)
    junit = run.junit.read_text()
    assert "lenient-external-dtd" in junit and "lenient-parameter-entity" in junit
    assert "test_survey_xxe" in junit  # judged (a loopback canary), and passed


def test_check_with_strict_surveys_fails_on_them(tmp_path: Path, lenient: ServerHandle) -> None:
    run = check(tmp_path, lenient, "--seed", "1", "--strict-surveys", "-k", "survey")
    assert run.code == 1
    assert set(run.failed_checks()) == {"survey_lenient"}, run.output[-3000:]
    (tmp_path / "ecekit.toml").write_text("strict_surveys = true\n")
    run = check(tmp_path, lenient, "--seed", "1", "-k", "survey")
    assert run.code == 1 and set(run.failed_checks()) == {"survey_lenient"}


def strictness(run: CheckRun) -> set[str | None]:
    return {p.get("value") for p in etree.parse(str(run.junit)).iter("property") if p.get("name") == "strict_surveys"}


def test_the_embedded_server_is_strict_by_default_and_may_be_told_not_to_be(tmp_path: Path) -> None:
    """The setting as the JUnit file records it (one cheap operation each: that the embedded server passes
    the strict survey checks is test_fault_proof's clean run)."""
    run = run_check(tmp_path, "-k", "agentAvailability")
    assert run.code == 0 and strictness(run) == {"true"}, run.output[-3000:]
    run = run_check(tmp_path, "-k", "agentAvailability", "--no-strict-surveys")
    assert run.code == 0 and strictness(run) == {"false"}, run.output[-3000:]


def test_a_must_refuse_body_accepted_by_a_fault_still_fails(tmp_path: Path) -> None:
    with running_server(survey_parsing="lenient", faults=["survey-204-non-xml"]) as srv:
        run = check(tmp_path, srv, "-k", "survey")
    assert run.code == 1
    assert "survey_rejected" in run.failed_checks(), run.output[-3000:]


def fuzz(srv: ServerHandle, *args: str) -> tuple[int, str]:
    result = CliRunner(env={"NO_COLOR": "1"}).invoke(cli, ["fuzz", "-q", "--base-url", srv.base_url,
                                                           "--allow-writes", "--no-database", *args])
    return result.exit_code, result.output


@pytest.mark.parametrize("seed", [3])
def test_fuzz_passes_and_lists_the_findings(lenient: ServerHandle, seed: int, tmp_path: Path) -> None:
    junit = tmp_path / "fuzz.xml"
    code, out = fuzz(lenient, "--seed", str(seed), "--max-examples", "200", "--junit-xml", str(junit))
    assert code == 0, out
    assert "FINDING " in out and "lenient finding(s), not failures" in out
    assert "FINDING doctype: survey_lenient" in out  # the canary cases are sent on every run
    assert 'classname="ecekit.fuzz.survey_lenient"' in junit.read_text()


def test_fuzz_with_strict_surveys_fails(lenient: ServerHandle) -> None:
    # the DOCTYPE canary cases, which the lenient server ignores, are sent on every run: 40 examples do
    code, out = fuzz(lenient, "--seed", "1", "--max-examples", "40", "--strict-surveys")
    assert code == 1, out
    assert ":survey_lenient" in out
