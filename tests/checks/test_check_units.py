"""Small pieces of the checks on their own, with the exact text a user reads: the widget's reading of
an answer, the json_served violation, the atoms consistency rules are built from, the registry."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ecekit import operations as ops
from ecekit.checks import REGISTRY, consistency, json_parity
from ecekit.checks import widget as widget_mod
from ecekit.checks.base import Context, Observation, register, run_checks
from ecekit.checks.lenient import read
from ecekit.client import TransportError
from ecekit.widgets import BUNDLED, Rule, State, Widget

from .helpers import TARGET, body, exchange, observe

CA, CE, CAP = ops.CHAT_ALLOWED, ops.CHECK_ELIGIBILITY, ops.CAPACITY
ELIGIBILITY, CHAT = BUNDLED["eligibility"], BUNDLED["chat-allowed"]


def state(ex, op: ops.Operation, widget: Widget = ELIGIBILITY) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    found, why = widget_mod.state_of(Observation(ex, op, Context(TARGET)), widget)
    return found.value, why


def test_the_widget_timeout_is_inclusive() -> None:
    assert state(exchange(CE, elapsed=ELIGIBILITY.timeout), CE) == ("available", "responseType=0")
    assert state(exchange(CE, elapsed=ELIGIBILITY.timeout + 0.05), CE) == (
        "error", "answered after 5.0 s, past the widget's 5 s timeout")


@pytest.mark.parametrize(("status", "why"), [(199, "HTTP 199"), (300, "HTTP 300"), (404, "HTTP 404")])
def test_a_status_outside_2xx_is_an_error(status: int, why: str) -> None:
    assert state(exchange(CE, status=status), CE) == ("error", why)


def test_the_last_2xx_still_reads_the_body() -> None:
    assert state(exchange(CE, status=299), CE) == ("available", "responseType=0")


def test_what_is_not_xml_or_not_the_documented_root_is_an_error() -> None:
    assert state(exchange(CE, content_type=""), CE) == ("error", "content type (none) is not XML")
    assert state(exchange(CE, content_type="text/html"), CE) == ("error", "content type text/html is not XML")
    assert state(exchange(CE, body(CAP, count=4)), CE) == ("error", "the body is not the documented XML")
    assert state(exchange(CE, error=TransportError.CONNECTION), CE) == ("error", "no answer (connection)")


def test_a_field_that_does_not_read_leaves_the_next_one_readable() -> None:
    """chatAllowed's allowed is unreadable; its reason still maps to a state."""
    assert state(exchange(CA, allowed="maybe", reason="agent_not_available"), CA, CHAT) == (
        "unavailable", "agent_not_available")


def test_the_widget_shows_its_fields_or_the_rule_that_matched() -> None:
    assert state(exchange(CA, allowed="false", reason="queue_depth_reached"), CA, CHAT) == (
        "busy", "queue_depth_reached")
    assert state(exchange(CA, allowed="true"), CA, CHAT) == ("available", "allowed=true")
    both = replace(CHAT, show=("reason", "allowed"))
    assert state(exchange(CA, allowed="false", reason="Other"), CA, both) == ("unavailable", "Other, false")


def test_a_wildcard_rule_matches_any_value_present() -> None:
    slots = Widget("slots", CAP, (Rule("count", "*", State.AVAILABLE),))
    assert state(exchange(CAP, count=7), CAP, slots) == ("available", "count=7")
    literal = Widget("literal", CAP, (Rule("count", "7", State.BUSY),))
    assert state(exchange(CAP, count=7), CAP, literal) == ("busy", "count=7")
    assert state(exchange(CAP, count=8), CAP, literal) == ("error", "no rule of widget 'literal' maps {'count': '8'}")


def test_no_rule_names_the_values_or_else_the_raw_text() -> None:
    assert state(exchange(CE, responseType=3), CE) == (
        "error", "no rule of widget 'eligibility' maps {'responseType': '3'}")
    assert state(exchange(CE, responseType="x"), CE) == (
        "error", "no rule of widget 'eligibility' maps {'responseType': 'x'}")


def test_widget_state_runs_on_the_widgets_operation_only() -> None:
    target = TARGET.replace(widget="eligibility")
    three = Observation(exchange(CE, responseType=3), CE, Context(target))
    assert widget_mod._widget_operation(three)
    found = run_checks(three, ["widget_state"])
    assert [(v.check, v.message) for v in found] == [
        ("widget_state", "the eligibility widget would show an error: no rule of widget 'eligibility' maps "
                         "{'responseType': '3'}")]
    assert found[0].expected == "an answer the widget maps to one of available, unavailable, busy, closed"
    other = Observation(exchange(CAP, count=4), CAP, Context(target))
    assert not widget_mod._widget_operation(other) and run_checks(other, ["widget_state"]) == []
    no_widget = Observation(exchange(CE, responseType=3), CE, Context(TARGET))
    assert not widget_mod._widget_operation(no_widget) and run_checks(no_widget, ["widget_state"]) == []


def _json_answer(op: ops.Operation, ep: str, content_type: str = "application/xml", status: int = 200):  # type: ignore[no-untyped-def]
    return exchange(op, status=status, content_type=content_type, entry_point=ep)


def test_json_served_names_every_answer_up_to_eight_then_counts() -> None:
    missing = [_json_answer(CAP, str(1000 + i)) for i in range(9)]
    missing.append(_json_answer(CA, "2000", content_type=""))
    served = [_json_answer(CAP, "3000", content_type="application/json"),
              _json_answer(CAP, "3001", content_type="application/problem+json")]
    failed = exchange(CAP, error=TransportError.TIMEOUT)
    too_large = _json_answer(CAP, "4000")
    too_large.error = TransportError.TOO_LARGE  # a status came, then the body was cut: not asked
    found = json_parity.served_violation([*missing, *served, failed, too_large])
    assert found is not None
    assert (found.check, found.operation, found.entry_point) == ("json_served", "all", None)
    assert found.message == "10 of 12 JSON requests got no JSON (application/xml, no Content-Type)"
    assert found.actual == ", ".join(f"capacity[{1000 + i}]" for i in range(8)) + " and 2 more"
    assert found.expected == ("Content-Type application/json for Accept: application/json (chat clients ask "
                              "for JSON)")
    assert found.remedy == ("enable JSON on the server's web service layer, or leave out --json (and json = "
                            "true) if this server is meant to speak XML only, as the guide documents")


def test_json_served_with_exactly_eight_lists_them_all() -> None:
    found = json_parity.served_violation([_json_answer(CAP, str(i)) for i in range(8)])
    assert found is not None and found.actual == ", ".join(f"capacity[{i}]" for i in range(8))
    found = json_parity.served_violation([_json_answer(CAP, str(i)) for i in range(9)])
    assert found is not None and found.actual == ", ".join(f"capacity[{i}]" for i in range(8)) + " and 1 more"
    found = json_parity.served_violation([_json_answer(CAP, "1", content_type="text/plain", status=406)])
    assert found is not None and found.message == "1 of 1 JSON requests got no JSON (HTTP 406)"
    assert json_parity.served_violation([]) is None


def test_json_parity_shows_values_as_the_guide_spells_them() -> None:
    xml = exchange(CA, allowed="false", reason="Other")
    js = exchange(CA, b'{"allowed":false}', content_type="application/json")
    found = json_parity.compare(CA, xml, js)
    assert [v.message for v in found] == ["JSON and XML disagree: reason XML Other, JSON absent"]
    js = exchange(CA, b'{"allowed":true,"reason":"Other"}', content_type="application/json")
    assert [v.message for v in json_parity.compare(CA, xml, js)] == [
        "JSON and XML disagree: allowed XML false, JSON true"]


def test_a_violation_from_a_single_read_names_its_entry_point() -> None:
    rule = consistency.BY_NAME["capacity_implies_availability"]
    snap = consistency.Snapshot("1007", {ops.AGENT_AVAILABILITY.name: {"available": False}, CAP.name: {"count": 3}})
    found = consistency.violation(rule, [snap])
    assert (found.check, found.operation, found.entry_point) == ("consistency", "capacity+agentAvailability",
                                                                 "1007")
    assert found.message == "capacity_implies_availability contradicted on 1 of 1 back-to-back reads"
    assert found.actual == "read 1: capacity count=3, agentAvailability available=false"
    assert found.expected == "if capacity count>0 then agentAvailability available=true"


def test_the_atoms_rules_are_made_of() -> None:
    snap = consistency.Snapshot("1", {CA.name: {"allowed": False, "reason": "Other"}, CAP.name: {"count": 2}})
    allowed = consistency._is(CA, "allowed", False)
    assert (allowed.operation, allowed.name, allowed.text) == (CA, "allowed", "chatAllowed allowed=false")
    assert allowed(snap) is True and consistency._is(CA, "allowed", True)(snap) is False
    assert consistency._is(CA, "reason", "Other").text == "chatAllowed reason=Other"  # only booleans lowered
    count = consistency._is(CAP, "count", 2)
    assert count.text == "capacity count=2" and count(snap) is True
    reason = consistency._in(CA, "reason", frozenset({"Other"}), "is about nothing")
    assert (reason.operation, reason.name, reason.text) == (CA, "reason", "chatAllowed reason is about nothing")
    assert reason(snap) is True and consistency._in(CA, "reason", frozenset({"x"}), "t")(snap) is False
    positive = consistency._positive(CAP, "count")
    assert (positive.operation, positive.name, positive.text) == (CAP, "count", "capacity count>0")
    assert positive(snap) is True
    assert consistency._positive(CAP, "count")(consistency.Snapshot("1", {CAP.name: {"count": 0}})) is False
    assert consistency._positive(CAP, "count")(consistency.Snapshot("1", {CAP.name: {"count": 1}})) is True
    assert positive(consistency.Snapshot("1", {})) is None  # capacity did not answer: unknown


def test_register_adds_a_check_described_by_its_docstring() -> None:
    def guard(obs: Observation) -> bool:
        return True

    def wanted(target: object, op: ops.Operation) -> bool:
        return op is CAP

    def probe(obs: Observation) -> list:  # type: ignore[type-arg]
        """First line.

        More."""
        return []

    def bare(obs: Observation) -> list:  # type: ignore[type-arg]
        return []

    try:
        assert register("_probe", guard, wanted=wanted)(probe) is probe
        spec = REGISTRY["_probe"]
        assert (spec.name, spec.func, spec.description, spec.guards, spec.wanted) == (
            "_probe", probe, "First line.", (guard,), wanted)
        register("_bare")(bare)
        assert (REGISTRY["_bare"].description, REGISTRY["_bare"].guards, REGISTRY["_bare"].wanted) == ("", (), None)
    finally:
        REGISTRY.pop("_probe", None)
        REGISTRY.pop("_bare", None)


def test_the_lenient_reading_names_a_root_in_another_namespace() -> None:
    assert read(b'<x sid="1"/>').problem == (
        f"the root is <x> with no namespace, not <egainSurvey> in {ops.CHAT_NS}")
    assert read(b'<x xmlns="urn:other" sid="1"/>').problem == (
        f"the root is <x> in urn:other, not <egainSurvey> in {ops.CHAT_NS}")


def test_the_expected_line_for_each_field_type() -> None:
    from ecekit.checks.values import expected

    def field(op: ops.Operation, name: str) -> ops.Field:
        return next(f for f in op.fields if f.name == name)

    assert expected(field(ops.AGENT_AVAILABILITY, "available")) == "an xs:boolean: true, false, 1 or 0"
    assert expected(field(CAP, "count")) == "a non-negative integer"
    assert expected(field(ops.LIVE_SESSION_STATUS, "waitTime")) == "a non-negative decimal number of seconds, e.g. 3.0"
    assert expected(field(CE, "responseType")) == "one of " + "; ".join(
        f"{k} ({v})" for k, v in ops.RESPONSE_TYPES.items())
    assert expected(field(CE, "responseType")).startswith("one of 0 (")
    assert expected(field(CA, "reason")) == ("one of queue_depth_reached, agent_not_available, service_not_running, "
                                             "invalid_entry_point, entry_point_inactive, Other")


def test_a_latin_1_root_tag_is_read_when_the_dtd_is_not() -> None:
    """With an unread external DTD the root's raw start tag is searched for entity references; a
    document in another declared encoding must not make that search fail."""
    survey = (b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<!DOCTYPE egainSurvey SYSTEM "http://x/s.dtd">\n'
              b'<egainSurvey xmlns="' + ops.CHAT_NS.encode() + b'" sid="caf\xe9"><survey><question>q</question>'
              b"<answer>a</answer></survey></egainSurvey>")
    reading = read(survey)
    assert (reading.problem, reading.sid, reading.pairs) == ("", "café", (("q", "a"),))


def _survey(doctype: str, question: str = "q") -> bytes:
    return (f'{doctype}<egainSurvey xmlns="{ops.CHAT_NS}" sid="1"><survey><question>{question}</question>'
            "<answer>a</answer></survey></egainSurvey>").encode()


@pytest.mark.parametrize(("doctype", "problem"), [
    ('<!DOCTYPE egainSurvey [<!ENTITY b "x"><!ENTITY a "&b;">]>',
     "entity &a; is defined through other entities (an expansion bomb); it is not expanded"),
    ('<!DOCTYPE egainSurvey [<!ENTITY % p "&#37;q;">]>',
     "entity %p; is defined through other entities (an expansion bomb); it is not expanded"),
])
def test_an_entity_defined_through_entities_is_refused_at_its_declaration(doctype: str, problem: str) -> None:
    assert read(_survey(doctype)).problem == problem


def test_an_undeclared_entity_matters_only_where_it_is_bound() -> None:
    dtd = '<!DOCTYPE egainSurvey SYSTEM "http://x/s.dtd">'
    nested = read(_survey(dtd, "q<b>&u;</b>"))  # inside an element JAXB skips: nothing is lost
    assert (nested.problem, nested.pairs) == ("", (("q", "a"),))
    assert read(_survey(dtd, "q&u;")).problem == (
        "an answer or question uses &u;, declared nowhere this reading can see (perhaps in the external DTD or a "
        "parameter entity, neither loaded)")


def test_references_in_the_sid_with_an_unread_dtd() -> None:
    def root(sid: str, subset: str = "") -> bytes:
        return (f'<!DOCTYPE egainSurvey SYSTEM "http://x/s.dtd"{subset}><egainSurvey xmlns="{ops.CHAT_NS}" '
                f'sid="{sid}"><survey><question>q</question><answer>a</answer></survey></egainSurvey>').encode()

    assert (read(root("a&amp;b")).problem, read(root("a&amp;b")).sid) == ("", "a&b")  # predefined
    declared = read(root("&e;", ' [<!ENTITY e "s9">]'))
    assert (declared.problem, declared.sid) == ("", "s9")  # declared as plain text where it is read
    assert read(root("x&u;")).problem == "the root's attributes use &u;, which this reading cannot resolve"


def test_what_the_lenient_reading_leaves_unloaded_is_named() -> None:
    external = read(_survey('<!DOCTYPE egainSurvey PUBLIC "-//x//EN" "http://x/s.dtd" '
                            '[<!ENTITY % p SYSTEM "http://x/p.ent"><!ENTITY % q "x">]>'))
    assert external.problem == ""
    assert external.ignored == ("the external DTD 'http://x/s.dtd' (not loaded)",
                                "the parameter entity %p; 'http://x/p.ent' (not expanded)",
                                "the parameter entity %q; 'internal' (not expanded)")


def test_a_parameter_entity_makes_the_sid_suspect_too() -> None:
    body = (f'<!DOCTYPE egainSurvey [<!ENTITY % p SYSTEM "http://x/p.ent"> %p;]><egainSurvey '
            f'xmlns="{ops.CHAT_NS}" sid="x&u;"><survey><question>q</question><answer>a</answer></survey>'
            "</egainSurvey>").encode()
    assert read(body).problem == "the root's attributes use &u;, which this reading cannot resolve"


@pytest.mark.parametrize(("declaration", "why"), [
    ('<!ENTITY e PUBLIC "-//x//EN" "http://x/e">',
     "an external entity ('http://x/e'): its text is not knowable without fetching it"),
    ('<!ENTITY e "<b>x</b>">', "an entity holding markup, which this reading does not expand"),
])
def test_an_entity_that_cannot_be_resolved_says_why(declaration: str, why: str) -> None:
    assert read(_survey(f"<!DOCTYPE egainSurvey [{declaration}]>", "&e;")).problem == (
        f"an answer or question uses &e;, {why}")


def test_typed_values_skip_an_invalid_field_and_keep_the_rest() -> None:
    from ecekit.checks.values import typed_values
    from ecekit.xmlsafe import parse

    root = parse(body(ops.LIVE_SESSION_STATUS, waitTime="soon", queueDepth=2)).root
    assert typed_values(root, ops.LIVE_SESSION_STATUS) == {"queueDepth": 2}
    no_allowed = parse(body(CA, reason="Other")).root  # an absent field, then a present one
    assert typed_values(no_allowed, CA) == {"reason": "Other"}


def test_semantics_names_the_lexical_value_it_refused() -> None:
    def semantics(ex, op: ops.Operation) -> list[str]:  # type: ignore[no-untyped-def]
        return [v.message for v in run_checks(Observation(ex, op, Context(TARGET)), ["semantics"])]

    assert semantics(exchange(ops.AGENT_AVAILABILITY, available="yes"), ops.AGENT_AVAILABILITY) == [
        "available: 'yes' is not an xs:boolean (true, false, 1 or 0)"]
    assert semantics(exchange(CAP, count=""), CAP) == ["count: '' is not a non-negative integer"]
    assert semantics(exchange(CAP, count="+3"), CAP) == []  # xs:nonNegativeInteger allows the sign


def _field(op: ops.Operation, name: str) -> ops.Field:
    return next(f for f in op.fields if f.name == name)


@pytest.mark.parametrize(("op", "name", "lexical", "message"), [
    (CAP, "count", "3+", "'3+' is not a non-negative integer"),
    (CAP, "count", "-3", "'-3' is not a non-negative integer"),
    (CAP, "count", "X3", "'X3' is not a non-negative integer"),
    (ops.LIVE_SESSION_STATUS, "waitTime", "soon", "'soon' is not a decimal number of seconds"),
    (ops.LIVE_SESSION_STATUS, "waitTime", "-1.5", "'-1.5' is not a non-negative decimal number of seconds"),
    (ops.LIVE_SESSION_STATUS, "waitTime", "3E0", "'3E0' is not a non-negative decimal number of seconds"),
    (ops.LIVE_SESSION_STATUS, "waitTime", "Infinity", "'Infinity' is not a non-negative decimal number of seconds"),
    (CE, "responseType", "4", "'4' is not one of the documented responseType values 0-3"),
    (CA, "reason", "busy", "'busy' is not one of queue_depth_reached, agent_not_available, service_not_running, "
                           "invalid_entry_point, entry_point_inactive, Other"),
])
def test_typed_says_what_is_wrong_with_a_value(op: ops.Operation, name: str, lexical: str, message: str) -> None:
    from ecekit.checks.values import typed

    with pytest.raises(ValueError, match="is not") as info:
        typed(_field(op, name), lexical)
    assert str(info.value) == message


def test_typed_reads_the_documented_lexical_forms() -> None:
    from decimal import Decimal

    from ecekit.checks.values import typed

    assert typed(_field(CAP, "count"), " +3 ") == 3
    assert typed(_field(ops.LIVE_SESSION_STATUS, "waitTime"), "0.50") == Decimal("0.50")
    assert typed(_field(CE, "responseType"), "3") == 3
    assert typed(_field(ops.AGENT_AVAILABILITY, "available"), "0") is False


def test_a_pair_is_complete_or_named_by_what_it_lacks() -> None:
    def pairs(items: str) -> bytes:
        return f'<egainSurvey xmlns="{ops.CHAT_NS}" sid="1">{items}</egainSurvey>'.encode()

    ok = "<survey><question>q</question><answer>a</answer></survey>"
    assert read(pairs(ok + "<survey><answer>a</answer></survey>")).problem == "pair 2 has no <question>"
    assert read(pairs("<survey><question>q</question></survey>")).problem == "pair 1 has no <answer>"
    sibling = read(pairs("<survey><question>q</question><note>t</note><answer>a</answer></survey>"))
    assert (sibling.problem, sibling.pairs) == ("", (("q", "a"),))  # an unknown sibling's text is skipped
    after = read(pairs(ok + "<note><question>x</question></note>"))  # a question outside any pair
    assert (after.problem, after.pairs) == ("", (("q", "a"),))


def test_an_answer_cut_at_the_cap_is_not_answered_and_only_2xx_is_success() -> None:
    from ecekit.checks import guards

    cut = exchange(ops.CAPACITY)
    cut.error = TransportError.TOO_LARGE  # the status came, the body was cut: nothing to judge
    assert not guards.answered(observe(cut, ops.CAPACITY))
    assert [guards.success(observe(exchange(ops.CAPACITY, status=s), ops.CAPACITY)) for s in (199, 200, 299, 300)] \
        == [False, True, True, False]


def test_a_read_keeps_every_usable_answer_after_an_unusable_one() -> None:
    first, *rest = ops.STATUS_OPERATIONS
    cut = exchange(ops.CAPACITY)
    cut.error = TransportError.TOO_LARGE
    answers = {first.name: exchange(first, error=TransportError.TIMEOUT),
               **{op.name: exchange(op) for op in rest}, ops.CAPACITY.name: cut}
    snap = consistency.snapshot_from("1001", answers, TARGET)
    assert set(snap.values) == {op.name for op in rest} - {ops.CAPACITY.name}


def test_a_missing_required_field_is_unknown_and_a_missing_optional_one_is_none() -> None:
    snap = consistency.Snapshot("1001", {ops.CAPACITY.name: {}, ops.CHAT_ALLOWED.name: {"allowed": True}})
    assert snap.get(ops.CAPACITY, "count") is consistency._ABSENT
    assert snap.get(ops.CHAT_ALLOWED, "reason") is None
    assert snap.shown(ops.CAPACITY, "count") == "capacity count=?"
