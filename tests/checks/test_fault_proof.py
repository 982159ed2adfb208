"""Proof that the contract suites can fail: `ecekit check` against every fault of the reference server.

The list comes from the server's own catalogue (``ecekit.server.faults.catalogue()``), so a new fault
without a way to run it here fails the build. Each run must exit 1 with the fault's check (``trips``)
among the failed checks, read from the JUnit file `ecekit check` writes (which proves that file too);
the clean server must exit 0. Each run is a subprocess: pytest inside pytest shares too much. A fault
that breaks one operation runs that operation's checks (``-k``: the fault changes no other answer, and
the clean run proves the rest); the others run every check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from ecekit.server.faults import catalogue

from .helpers import run_check

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class FaultRun:
    """How to prove one fault: its spec, and options that keep the run short."""

    spec: str
    args: tuple[str, ...] = ()


# Parameterised faults need a value, and slow ones a narrow selection (one answer, short limits).
PARAMETERISED = {
    "latency": FaultRun("latency=300ms", ("--max-response-time", "0.1", "-k", "capacity and 1001")),
    "stall": FaultRun("stall=3", ("--timeout", "0.5", "-k", "capacity and 1001 and not consistency")),
    "drop": FaultRun("drop"),
}
# Faults of what only some targets ask for: the run names it.
SITE = ("--origin", "https://www.example.com")
OPT_IN = {"cors-missing": FaultRun("cors-missing", SITE),
          "preflight-refused": FaultRun("preflight-refused", (*SITE, "-k", "preflight"))}
WRITES = ("--allow-writes", "--fuzz-examples", "25", "-k", "survey")
JSON_CHECKS = {"json_parity": ("--json", "-k", "json"), "json_served": ("--json", "-k", "json")}


def fault_run(name: str) -> FaultRun:
    cls = catalogue()[name]
    if name in PARAMETERISED:
        return PARAMETERISED[name]
    if name in OPT_IN:
        return OPT_IN[name]
    if cls.takes_param:
        pytest.fail(f"fault {name!r} takes a parameter: add a FaultRun for it to PARAMETERISED")
    if cls.trips in JSON_CHECKS:  # found only when the run asks for JSON
        return FaultRun(name, JSON_CHECKS[cls.trips])
    operation = getattr(cls, "operation", None)
    if operation is not None and operation.name == "survey":
        return FaultRun(name, WRITES)
    if operation is not None and not cls.harmless:  # the checks of the one operation it breaks
        return FaultRun(name, ("-k", operation.name))
    return FaultRun(name)


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_each_fault_is_caught_by_its_check(name: str, tmp_path: Path) -> None:
    run = fault_run(name)
    result = run_check(tmp_path, "--fault", run.spec, *run.args)
    expected = catalogue()[name].trips
    if catalogue()[name].harmless:  # restyled answers: every check must still pass
        assert result.code == 0, f"{run.spec}: exit {result.code}\n{result.output[-3000:]}"
        assert result.failed_checks() == {}
        return
    assert result.code == 1, f"{run.spec}: exit {result.code}\n{result.output[-3000:]}"
    failed = result.failed_checks()
    assert expected in failed, f"{run.spec} must trip {expected}; failed: {failed}\n{result.output[-3000:]}"
    assert "error" not in failed, result.output[-3000:]
    assert "Traceback" not in result.output, result.output[-3000:]
    assert f"{expected}" in result.output  # named in the terminal summary too
    print(f"{run.spec}: exit 1, failed checks {failed}, {result.seconds:.1f}s")


def test_clean_server_passes_everything_including_surveys(tmp_path: Path) -> None:
    result = run_check(tmp_path, "--allow-writes")
    assert result.code == 0, result.output[-5000:]
    assert result.failed_checks() == {}
    assert "passed" in result.output and "skipped" not in result.output.split("ecekit contract summary")[-1]


def test_junit_file_carries_the_failure_and_its_curl_line(tmp_path: Path) -> None:
    result = run_check(tmp_path, "--fault", "capacity-500", "-k", "capacity and 1001")
    assert result.code == 1
    tree = etree.parse(str(result.junit))
    assert tree.getroot().tag == "testsuites"
    failures = tree.findall(".//testsuite[@name='ecekit.not_a_server_error']/testcase/failure")
    assert failures, etree.tostring(tree, encoding="unicode")[:2000]
    failure = failures[0]
    case = failure.getparent()
    assert case.get("classname") == "ecekit.capacity"
    assert "server error HTTP 500" in failure.get("message", "")
    text = failure.text or ""
    assert "curl " in text and "/capacity/1001" in text
    assert "HTTP 500" in text and "expected:" in text
    assert "Traceback" not in text


def test_hostile_bodies_fail_cleanly_and_fast(tmp_path: Path) -> None:
    """Entity bomb, XXE and a 64 MiB body in one run: clean failures, no traceback, in seconds."""
    result = run_check(tmp_path, "--fault", "entity-bomb", "--fault", "doctype-entity", "--fault", "huge-body",
                       "-k", "not consistency")
    assert result.code == 1
    failed = result.failed_checks()
    assert {"well_formed", "transport"} <= set(failed), failed
    assert "Traceback" not in result.output
    assert result.seconds < 30


def test_a_hung_server_fails_the_whole_run_in_a_few_timeouts(tmp_path: Path) -> None:
    """After 3 consecutive timeouts the run stops waiting: every answer is a transport failure."""
    result = run_check(tmp_path, "--fault", "stall=60", "--timeout", "0.5", "--allow-writes",
                       "--fuzz-examples", "5")
    assert result.code == 1
    assert set(result.failed_checks()) == {"transport"}
    assert "not sent: the server answered none of the last 3 requests" in result.output
    assert "Traceback" not in result.output


def test_clean_server_passes_with_json(tmp_path: Path) -> None:
    result = run_check(tmp_path, "--json")
    assert result.code == 0, result.output[-5000:]
    assert result.failed_checks() == {}
    assert "json_parity" in result.junit.read_text()


def test_a_server_without_json_fails_once(tmp_path: Path) -> None:
    """XML answered to every JSON request: one json_served failure, not one per answer."""
    result = run_check(tmp_path, "--fault", "json-ignored", "--json")
    assert result.code == 1
    assert result.failed_checks() == {"json_served": 1}, result.output[-3000:]


def test_json_faults_pass_unnoticed_without_json(tmp_path: Path) -> None:
    """The guide documents XML only: without --json no JSON is asked for, so nothing is reported."""
    result = run_check(tmp_path, "--fault", "json-disagrees", "--fault", "json-ignored")
    assert result.code == 0, result.output[-3000:]
    junit = result.junit.read_text()
    assert "json_parity" not in junit and "json_served" not in junit
