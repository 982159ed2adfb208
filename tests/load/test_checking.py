"""The checks under load (FastChecker), in process: every answer counts once, as a failure or as
violations by check, never both; clean answers count as neither."""

from __future__ import annotations

import pytest

from ecekit import operations as ops
from ecekit.client import TransportError
from ecekit.load.checking import OK, FastChecker, Verdict
from ecekit.load.recorder import Recorder
from tests.checks.helpers import GOOD, TARGET, body

XML = "application/xml;charset=UTF-8"


@pytest.fixture(scope="module", params=[True, False], ids=["memo", "no-memo"])
def checker(request: pytest.FixtureRequest) -> FastChecker:
    return FastChecker(TARGET, memo=request.param)


def judge(checker: FastChecker, op: ops.Operation, raw: bytes, status: int = 200,
          content_type: str = XML) -> Verdict:
    ep = "1001" if op.takes_entry_point else None
    return checker.judge(op, "/x", ep, status=status, content_type=content_type, body=raw, elapsed=0.01)


@pytest.mark.parametrize("op", list(GOOD), ids=lambda op: op.name)
def test_clean_answers_are_neither_failures_nor_violations(checker: FastChecker, op: ops.Operation) -> None:
    for _ in range(2):  # the second from the memo, when it is on
        verdict = judge(checker, op, body(op, **GOOD[op]))
        assert (verdict.failure, verdict.checks) == (None, ())
    assert judge(checker, ops.CHAT_ALLOWED, body(ops.CHAT_ALLOWED, allowed="true")).allowed is True


@pytest.mark.parametrize(("op", "values", "checks"), [
    (ops.CHECK_ELIGIBILITY, {"responseType": 4}, ("xsd", "semantics")),  # eligibility-out-of-range
    (ops.CAPACITY, {"count": -1}, ("xsd",)),
    (ops.CHAT_ALLOWED, {"allowed": "true", "reason": "Other"}, ("semantics",)),
])
def test_a_usable_answer_that_breaks_the_contract_is_a_violation_by_check(
        checker: FastChecker, op: ops.Operation, values: dict[str, object], checks: tuple[str, ...]) -> None:
    for _ in range(2):
        verdict = judge(checker, op, body(op, **values))
        assert verdict.failure is None
        assert set(checks) <= set(verdict.checks), verdict
        # the message locust shows is the first violation's headline: check, operation, entry point
        assert verdict.message.startswith(f"{verdict.checks[0]} · {op.name} [1001]: "), verdict.message


def test_other_ways_to_break_the_contract(checker: FastChecker) -> None:
    good = body(ops.CAPACITY, count=4)
    assert judge(checker, ops.CAPACITY, good, status=202).checks == ("status_code",)
    assert judge(checker, ops.CAPACITY, good, content_type="text/html").checks == ("content_type",)
    assert judge(checker, ops.CAPACITY, b"<availableSlots").checks == ("well_formed",)


@pytest.mark.parametrize("status", [400, 404, 500, 503])
def test_an_error_status_is_a_failure_only(checker: FastChecker, status: int) -> None:
    """An HTTP error counts once, as a failure by kind: not also as not_a_server_error/status_code, and
    whatever its body looks like."""
    for raw in (b"<error>unable to retrieve</error>", body(ops.CAPACITY, count=4), b""):
        verdict = judge(checker, ops.CAPACITY, raw, status=status, content_type="text/html")
        assert (verdict.failure, verdict.checks, verdict.message) == (f"http_{status}", (), f"HTTP {status}")
    survey = judge(checker, ops.SURVEY, b"<error/>", status=status)
    assert (survey.failure, survey.checks) == (f"http_{status}", ())


def test_a_transport_failure_is_a_failure_only(checker: FastChecker) -> None:
    verdict = checker.judge(ops.CAPACITY, "/x", "1001", status=None, content_type="", body=b"", elapsed=5.0,
                            error=TransportError.TIMEOUT, error_detail="read timed out")
    assert (verdict.failure, verdict.checks) == ("timeout", ())
    assert verdict.message == "transport: timeout: read timed out"


def test_a_survey_answered_204_is_clean(checker: FastChecker) -> None:
    assert judge(checker, ops.SURVEY, b"", status=204, content_type="") == OK


def test_the_recorder_counts_each_answer_once(checker: FastChecker) -> None:
    rec = Recorder()
    for raw, status in ((b"<error/>", 500), (body(ops.CHECK_ELIGIBILITY, responseType=4), 200),
                        (body(ops.CHECK_ELIGIBILITY, responseType=0), 200)):
        v = judge(checker, ops.CHECK_ELIGIBILITY, raw, status=status)
        rec.record(ops.CHECK_ELIGIBILITY.name, 0.01, v.failure, v.checks)
    total = rec.total()
    assert (total.requests, total.failures, total.contract_violations) == (3, 1, 1)
    assert dict(total.failures_by_kind) == {"http_500": 1}
    assert set(total.violations_by_check) == {"xsd", "semantics"}


def test_a_survey_not_answered_204_is_a_violation(checker: FastChecker) -> None:
    verdict = judge(checker, ops.SURVEY, b"ok", status=200, content_type="text/plain")
    assert (verdict.failure, verdict.checks) == (None, ("survey_accepted",))
    assert "load survey" in verdict.message
