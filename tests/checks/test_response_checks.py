"""Each per-response check on hand-made exchanges: silent on the guide's samples, loud on each defect."""

from __future__ import annotations

import pytest

from ecekit import operations as ops
from ecekit.checks import REGISTRY, evaluate
from ecekit.checks.base import Context, Role, run_checks
from ecekit.client import TransportError

from .helpers import DECL, GOOD, NS, TARGET, body, exchange, observe


def checks_failed(ex, op, role=Role.ANY) -> set[str]:  # type: ignore[no-untyped-def]
    return {v.check for v in evaluate(ex, op, Context(TARGET, role=role))}


@pytest.mark.parametrize("op", list(GOOD), ids=lambda op: op.name)
def test_guide_samples_pass_every_check(op: ops.Operation) -> None:
    assert evaluate(exchange(op), op, Context(TARGET)) == []


@pytest.mark.parametrize("prefixes", [("ns2", "ns3"), ("a", "b")])
def test_prefixes_do_not_matter_only_uris(prefixes: tuple[str, str]) -> None:
    p = prefixes[0]
    raw = (f'<availableSlots xmlns:{p}="{ops.CHAT_NS}">\n\t<{p}:count>3</{p}:count>\n</availableSlots>').encode()
    assert evaluate(exchange(ops.CAPACITY, raw), ops.CAPACITY, Context(TARGET)) == []


@pytest.mark.parametrize(("op", "case", "check"), [
    (ops.AGENT_AVAILABILITY, {"available": "yes"}, "xsd"),
    (ops.AGENT_AVAILABILITY, {"available": "yes"}, "semantics"),
    (ops.CAPACITY, {"count": -1}, "xsd"),
    (ops.CAPACITY, {"count": "four"}, "semantics"),
    (ops.LIVE_SESSION_STATUS, {"waitTime": "-3.0"}, "semantics"),
    (ops.LIVE_SESSION_STATUS, {"waitTime": "NaN"}, "semantics"),
    (ops.CHECK_ELIGIBILITY, {"responseType": 4}, "xsd"),
    (ops.CHECK_ELIGIBILITY, {"responseType": 4}, "semantics"),
    (ops.CHAT_ALLOWED, {"allowed": "false", "reason": "busy"}, "semantics"),
    (ops.CHAT_ALLOWED, {"allowed": "true", "reason": "Other"}, "semantics"),
], ids=str)
def test_value_defects(op: ops.Operation, case: dict[str, object], check: str) -> None:
    assert check in checks_failed(exchange(op, **case), op)


REQUIRED = [(op, f) for op in GOOD for f in op.fields if f.required]


@pytest.mark.parametrize(("op", "field"), REQUIRED, ids=lambda x: getattr(x, "name", ""))
def test_semantics_reports_a_missing_required_field(op: ops.Operation, field: ops.Field) -> None:
    """The missing-field branch of `semantics`, on its own: a vendor XSD may be looser than ours."""
    values = {k: v for k, v in GOOD[op].items() if k != field.name}
    found = evaluate(exchange(op, body(op, **values)), op, Context(TARGET), select=["semantics"])
    assert [(v.check, v.message) for v in found] == [("semantics", f"{field.name} is missing")]
    assert found[0].xpath == f"/{op.response_root}/{field.xpath}"


def test_xsd_lists_every_error_with_its_xpath() -> None:
    raw = f"<sessionStatus {NS}><ns2:waitTime>x</ns2:waitTime></sessionStatus>".encode()
    found = evaluate(exchange(ops.LIVE_SESSION_STATUS, raw), ops.LIVE_SESSION_STATUS, Context(TARGET),
                     select=["xsd"])
    assert len(found) >= 2  # the bad waitTime and the missing queueDepth
    assert all(v.xpath and v.xpath.startswith("/sessionStatus") for v in found)


def test_wrong_root_and_wrong_namespace_are_xsd_failures() -> None:
    raw = f"<agentStatus {NS} available=\"true\"/>".encode()
    assert "xsd" in checks_failed(exchange(ops.AGENT_AVAILABILITY, raw), ops.AGENT_AVAILABILITY)
    raw = b'<availableSlots><count>4</count></availableSlots>'
    assert "xsd" in checks_failed(exchange(ops.CAPACITY, raw), ops.CAPACITY)


@pytest.mark.parametrize("raw", [
    b"<checkEligibility responseType=0 />",
    b"",
    DECL.encode() + b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><chatAllowed allowed="&e;"/>',
    b'<!DOCTYPE a [<!ENTITY l0 "lol"><!ENTITY l1 "&l0;&l0;&l0;">]><agentAvailability available="&l1;"/>',
], ids=["unquoted", "empty", "xxe", "bomb"])
def test_bodies_that_are_not_well_formed(raw: bytes) -> None:
    found = checks_failed(exchange(ops.CHECK_ELIGIBILITY, raw), ops.CHECK_ELIGIBILITY)
    assert found == {"well_formed"}  # and nothing downstream runs on an unparsed body


def test_content_type() -> None:
    for ok in ("application/xml;charset=UTF-8", "text/xml", "application/atom+xml"):
        assert "content_type" not in checks_failed(exchange(ops.CAPACITY, content_type=ok), ops.CAPACITY)
    for bad in ("text/html", "application/json", ""):
        assert "content_type" in checks_failed(exchange(ops.CAPACITY, content_type=bad), ops.CAPACITY)


def test_status_codes() -> None:
    assert checks_failed(exchange(ops.CAPACITY, status=500, raw=b"oops"), ops.CAPACITY) == {
        "not_a_server_error"}
    assert checks_failed(exchange(ops.CHECK_ELIGIBILITY, status=202), ops.CHECK_ELIGIBILITY) == {"status_code"}
    assert "status_code" in checks_failed(exchange(ops.CAPACITY, status=404, raw=b""), ops.CAPACITY)


def test_invalid_entry_point_may_get_a_4xx_but_not_chat_allowed() -> None:
    """A 4xx for an id that is no entry point is a fair answer; chatAllowed must still say so in XML."""
    assert checks_failed(exchange(ops.CAPACITY, status=404, raw=b""), ops.CAPACITY, Role.INVALID) == set()
    assert "status_code" in checks_failed(exchange(ops.CHAT_ALLOWED, status=404, raw=b""), ops.CHAT_ALLOWED,
                                          Role.INVALID)


@pytest.mark.parametrize("error", list(TransportError))
def test_transport_failures_are_one_violation(error: TransportError) -> None:
    found = evaluate(exchange(ops.CAPACITY, error=error), ops.CAPACITY, Context(TARGET))
    assert [v.check for v in found] == ["transport"]
    assert found[0].remedy


def test_response_time() -> None:
    assert "response_time" in checks_failed(exchange(ops.CAPACITY, elapsed=1.5), ops.CAPACITY)
    assert "response_time" not in checks_failed(exchange(ops.CAPACITY, elapsed=0.9), ops.CAPACITY)


@pytest.mark.parametrize(("role", "values", "fails"), [
    (Role.INACTIVE, {"allowed": "false", "reason": "entry_point_inactive"}, False),
    (Role.INACTIVE, {"allowed": "true"}, True),
    (Role.INACTIVE, {"allowed": "false", "reason": "agent_not_available"}, True),
    (Role.INVALID, {"allowed": "false", "reason": "invalid_entry_point"}, False),
    (Role.INVALID, {"allowed": "false", "reason": "entry_point_inactive"}, True),
    (Role.ANY, {"allowed": "true"}, False),
])
def test_chat_allowed_by_role(role: Role, values: dict[str, str], fails: bool) -> None:
    found = checks_failed(exchange(ops.CHAT_ALLOWED, **values), ops.CHAT_ALLOWED, role)
    assert ("entry_point_role" in found) is fails


@pytest.mark.parametrize(("op", "claim", "fails"), [
    (ops.AGENT_AVAILABILITY, {"available": "true"}, True),
    (ops.AGENT_AVAILABILITY, {"available": "false"}, False),
    (ops.CAPACITY, {"count": 2}, True),
    (ops.CAPACITY, {"count": 0}, False),
    (ops.CHECK_ELIGIBILITY, {"responseType": 0}, True),
    (ops.CHECK_ELIGIBILITY, {"responseType": 1}, False),
], ids=str)
def test_invalid_entry_point_never_claims_availability(op: ops.Operation, claim: dict[str, object],
                                                      fails: bool) -> None:
    found = checks_failed(exchange(op, **claim), op, Role.INVALID)
    assert ("entry_point_role" in found) is fails


def test_every_violation_explains_itself() -> None:
    ex = exchange(ops.CAPACITY, count=-1)
    for v in run_checks(observe(ex, ops.CAPACITY)):
        text = v.explain()
        assert v.check in text and "capacity" in text and "expected:" in text


def test_registry_names_are_the_documented_ones() -> None:
    assert set(REGISTRY) == {"transport", "not_a_server_error", "status_code", "content_type",
                             "well_formed", "xsd", "semantics", "entry_point_role", "response_time",
                             "widget_state", "cors"}
    opt_in = {name for name, spec in REGISTRY.items() if spec.wanted is not None}
    assert opt_in == {"widget_state", "cors"}  # run only when the target names a widget or an origin


@pytest.mark.parametrize(("valid", "status", "strict", "expected"), [
    (True, 204, True, set()),
    (True, 400, True, {"survey_accepted"}),  # the embedded server, or a real --sid: 204 or a defect
    (True, 400, False, set()),  # a made-up sid on a real server may be refused (ECE_NOTES)
    (True, 200, False, {"survey_accepted"}),  # a 2xx that is not the documented 204
    (True, 500, False, {"not_a_server_error"}),
    (False, 400, True, set()),
    (False, 204, True, {"survey_rejected"}),
    (False, 302, False, {"survey_rejected"}),
    (False, 503, False, {"not_a_server_error"}),
])
def test_survey_oracle(valid: bool, status: int, strict: bool, expected: set[str]) -> None:
    from ecekit.checks.survey import judge_survey

    ex = exchange(ops.SURVEY, b"", status=status, content_type="")
    found = judge_survey(observe(ex, ops.SURVEY, valid_needs_204=strict), valid=valid)
    assert {v.check for v in found} == expected


def test_survey_oracle_on_a_transport_failure_reports_only_that() -> None:
    from ecekit.checks.survey import judge_survey

    ex = exchange(ops.SURVEY, error=TransportError.TIMEOUT)
    for valid in (True, False):
        found = judge_survey(observe(ex, ops.SURVEY, valid_needs_204=True), valid=valid)
        assert [v.check for v in found] == ["transport"]


def test_survey_oracle_names_the_survey_and_judges_its_time() -> None:
    from ecekit.checks.survey import judge_survey

    ex = exchange(ops.SURVEY, b"", status=400, content_type="", elapsed=5.0)
    found = judge_survey(observe(ex, ops.SURVEY, valid_needs_204=True), valid=True, description="pretty-printed")
    assert [v.check for v in found] == ["response_time", "survey_accepted"]
    assert found[1].message == "a valid survey (pretty-printed) got HTTP 400"
    found = judge_survey(observe(exchange(ops.SURVEY, b"", status=204, content_type=""), ops.SURVEY),
                         valid=False)
    assert found[0].message == "an invalid survey got HTTP 204"
