"""Verdicts that cannot be decided are not passes: a consistency rule no read could decide is skipped
with the reason, and a run in which nothing could be checked says so and does not exit 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecekit.report.results import CaseResult
from ecekit.report.summary import summary_lines
from ecekit.suite.options import Options
from ecekit.suite.reporting import undecided_exit
from ecekit.suite.session import Suite
from ecekit.suite.verdict import NOT_APPLICABLE
from ecekit.target import Target

from .helpers import ecekit_check

SERVER_SKIP = f"xsd {NOT_APPLICABLE}: no complete response arrived (see the transport check)"
OPTION_SKIP = "the survey suite writes to the server: pass --allow-writes"


def result(outcome: str, headline: str = "") -> CaseResult:
    return CaseResult(f"t{id(headline)}{outcome}", "t", "xsd", "capacity", outcome, headline=headline)


def suite_of(*results: CaseResult) -> Suite:
    suite = Suite(Target(), Options())
    suite.record.results = {f"{i}": r for i, r in enumerate(results)}
    return suite


def test_all_skipped_is_never_all_passed() -> None:
    lines = summary_lines([result("skipped", SERVER_SKIP)] * 3)
    assert lines[0].startswith("nothing could be checked (3 skipped)")
    assert not any("passed" in line and "all contract checks" in line for line in lines)
    assert SERVER_SKIP in lines[1]
    assert summary_lines([result("passed"), result("skipped", SERVER_SKIP)])[0].startswith(
        "all contract checks passed")


@pytest.mark.parametrize(("outcomes", "code"), [
    ([("skipped", SERVER_SKIP)], 1),
    ([("skipped", SERVER_SKIP), ("skipped", OPTION_SKIP)], 1),
    ([("skipped", OPTION_SKIP)], 2),
    ([("skipped", SERVER_SKIP), ("passed", "")], None),
    ([("skipped", SERVER_SKIP), ("failed", "x")], None),
    ([], None),
])
def test_exit_status_of_a_run_with_nothing_checked(outcomes: list[tuple[str, str]], code: int | None) -> None:
    assert undecided_exit(suite_of(*(result(o, h) for o, h in outcomes))) == code


@pytest.mark.slow
@pytest.mark.parametrize(("args", "code", "says"), [
    (("--fault", "drop", "-k", "consistency"), 1, "consistency not applicable: no read had a usable answer"),
    (("--fault", "drop", "-k", "xsd"), 1, "xsd not applicable: no complete response arrived"),
    (("-k", "survey"), 2, "--allow-writes"),
])
def test_check_with_nothing_checkable_does_not_pass(tmp_path: Path, args: tuple[str, ...], code: int,
                                                     says: str) -> None:
    proc = ecekit_check(*args, cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == code, out[-3000:]
    assert "nothing could be checked" in out and says in out
    assert "all contract checks passed" not in out


@pytest.mark.slow
def test_a_rule_over_a_broken_operation_is_skipped_and_the_others_still_judged(tmp_path: Path) -> None:
    """capacity answers 500: every rule that reads capacity is skipped with the reason, the others pass."""
    proc = ecekit_check("--fault", "capacity-500", "-k", "consistency and 1001", cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "consistency not applicable: no read had a usable answer of each of capacity" in out
    assert "all contract checks passed" in out
