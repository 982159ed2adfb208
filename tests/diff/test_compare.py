"""Comparing two snapshots built as data: each difference, its kind, severity, values and words.

No server: the snapshots are the dictionaries `ecekit snapshot` writes (docs/diff.md), cut down to
what a comparison reads, so every branch of :mod:`ecekit.diff.compare` is reached in milliseconds.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ecekit import operations
from ecekit.diff.classify import Change, Severity, Tolerance
from ecekit.diff.compare import answer_changes, compare

CHAT = operations.CHAT_NS
COUNT = f"{{{CHAT}}}count"
DEPTH = f"{{{CHAT}}}queueDepth"


def response(**changes: Any) -> dict[str, Any]:
    """A well-formed 200 answer with nothing in it; ``changes`` replace its parts."""
    base: dict[str, Any] = {"transport": None, "status": 200, "content_type": "application/xml",
                            "charset": "utf-8", "xml": "ok", "root": "availableSlots", "attributes": {},
                            "elements": {}, "prefixes": {}}
    base.update(changes)
    return base


def checks(passed: tuple[str, ...] = (), skipped: tuple[str, ...] = (),
           failed: dict[str, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
    return {"pass": list(passed), "skip": list(skipped), "fail": dict(failed or {})}


def answer(resp: dict[str, Any] | None = None, chk: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"role": "any", "response": resp or response(), "checks": chk or checks(), "latency_ms": {}}


def snap(answers: dict[str, dict[str, Any]], **rest: Any) -> dict[str, Any]:
    return {"schema_version": 1, "answers": answers, **rest}


def count(value: Any, valid: bool = True) -> dict[str, Any]:
    return {"field": "count", "type": "count", "valid": valid, "value": value}


def violation(message: str, xpath: str | None = None) -> dict[str, Any]:
    return {"message": message, "xpath": xpath}


def one(a: dict[str, Any], b: dict[str, Any], op: str = "capacity", ep: str = "1001") -> list[Change]:
    return answer_changes(op, ep, answer(a), answer(b))


# ------------------------------------------------------------------------------ whole snapshots
def test_identical_snapshots_have_no_differences() -> None:
    a = snap({"capacity": {"1001": answer(response(elements={COUNT: count(3)}))}},
             latency_ms={"capacity": {"p50": 10.0, "p90": 20.0, "reads": 10}},
             consistency={"1001": {"capacity_implies_availability": "pass"}},
             xsd={"hashes": {"eGainBosh.xsd": "ab"}})
    assert compare(a, copy.deepcopy(a)) == []


def test_different_schemas_are_named() -> None:
    a = snap({}, xsd={"hashes": {"eGainBosh.xsd": "1", "eGainSurvey.xsd": "2", "gone.xsd": "3"}})
    b = snap({}, xsd={"hashes": {"eGainBosh.xsd": "9", "eGainSurvey.xsd": "2", "new.xsd": "4"}})
    assert compare(a, b) == [Change("schemas_differ", "-", "xsd", None, None, None,
                                    "verdicts were judged against different schemas: eGainBosh.xsd, "
                                    "gone.xsd, new.xsd")]
    assert compare(a, b)[0].severity is Severity.COMPATIBLE


def test_missing_or_empty_schema_records_are_the_same_set() -> None:
    assert compare(snap({}), snap({}, xsd=None)) == []
    assert compare(snap({}, xsd={"hashes": None}), snap({}, xsd={"hashes": {}})) == []
    only_b = compare(snap({}, xsd={}), snap({}, xsd={"hashes": {"a.xsd": "1"}}))
    assert [(c.kind, c.detail) for c in only_b] == [
        ("schemas_differ", "verdicts were judged against different schemas: a.xsd")]


def test_what_only_one_snapshot_read_is_not_compared() -> None:
    a = snap({"capacity": {"1001": answer(), "1002": answer()}})
    b = snap({"capacity": {"1002": answer(), "1003": answer()}, "chatAllowed": {"1001": answer()}})
    assert compare(a, b) == [
        Change("not_compared", "capacity", "answer", None, None, "1001", "only snapshot A read it"),
        Change("not_compared", "capacity", "answer", None, None, "1003", "only snapshot B read it"),
        Change("not_compared", "chatAllowed", "answer", None, None, "1001", "only snapshot B read it"),
    ]
    reverse = compare(b, a)
    assert [(c.operation, c.entry_point, c.detail) for c in reverse] == [
        ("capacity", "1001", "only snapshot B read it"), ("capacity", "1003", "only snapshot A read it"),
        ("chatAllowed", "1001", "only snapshot A read it")]


def test_what_holds_for_a_whole_operation_comes_before_its_entry_points() -> None:
    a = snap({"capacity": {"1001": answer(response(elements={COUNT: count(1)}))}},
             latency_ms={"capacity": {"p50": 100.0}})
    b = snap({"capacity": {"1001": answer(response(elements={COUNT: count(2)}))}},
             latency_ms={"capacity": {"p50": 10.0}})
    assert [(c.kind, c.entry_point) for c in compare(a, b)] == [("latency_faster", None), ("value_changed", "1001")]
    xsd = compare(snap({"x": {"1": answer()}}, xsd={"hashes": {"a": "1"}}), snap({}, xsd={"hashes": {"a": "2"}}))
    assert [(c.kind, c.operation) for c in xsd] == [("schemas_differ", "-"), ("not_compared", "x")]


def test_unknown_operations_come_last_in_name_order() -> None:
    a = snap({"zeta": {"1": answer()}, "alpha": {"1": answer()}, "chatAllowed": {"1": answer()}})
    assert [c.operation for c in compare(a, snap({}))] == ["chatAllowed", "alpha", "zeta"]


def test_differences_are_ordered_by_severity_then_the_guide_s_operation_order() -> None:
    slow = {"p50": 10.0, "p90": 10.0, "reads": 3}
    a = snap({"chatAllowed": {"1001": answer(response(status=200))},
              "checkEligibility": {"1001": answer(response(elements={COUNT: count(1)}))},
              "liveSessionStatus": {"1002": answer(response(status=200)), "1001": answer(response(status=200))},
              "agentAvailability": {"1001": answer(response(elements={COUNT: count(1)}))}},
             latency_ms={"capacity": slow, "agentAvailability": slow})
    b = snap({"chatAllowed": {"1001": answer(response(status=500))},
              "checkEligibility": {"1001": answer(response(elements={COUNT: count(2)}))},
              "liveSessionStatus": {"1002": answer(response(status=500)), "1001": answer(response(status=503))},
              "agentAvailability": {"1001": answer(response(elements={COUNT: count(2)}))}},
             latency_ms={"capacity": {**slow, "p50": 100.0}, "agentAvailability": {**slow, "p90": 100.0}})
    found = [(c.severity.value, c.operation, c.entry_point, c.field) for c in compare(a, b)]
    assert found == [
        ("breaking", "liveSessionStatus", "1001", "status"),
        ("breaking", "liveSessionStatus", "1002", "status"),
        ("breaking", "chatAllowed", "1001", "status"),
        ("slower", "agentAvailability", None, "latency p90"),
        ("slower", "capacity", None, "latency p50"),
        ("compatible", "agentAvailability", "1001", "count"),
        ("compatible", "checkEligibility", "1001", "count"),
    ]


def test_within_one_answer_the_field_then_the_kind_orders() -> None:
    a = snap({"capacity": {"1001": answer(response(elements={"b": {"type": "text", "value": "x"},
                                                             "a": {"type": "text", "value": "x"}}))}})
    b = snap({"capacity": {"1001": answer(response(elements={"a": {"type": "text", "value": "y"},
                                                             "c": {"type": "text", "value": "z"}},
                                                   prefixes={}))}})
    found = [(c.field, c.kind) for c in compare(a, b)]
    assert found == [("b (no namespace)", "element_gone"), ("a (no namespace)", "value_changed"),
                     ("c (no namespace)", "element_added")]
    x, y = {"type": "text", "value": "1"}, {"type": "text", "value": "2"}
    same_field = snap({"capacity": {"1001": answer(response(elements={f"{{{CHAT}}}x": x},
                                                            attributes={"@x": x}))}})
    swapped = snap({"capacity": {"1001": answer(response(elements={f"{{{CHAT}}}y": y},
                                                         attributes={"@y": y}))}})
    assert [(c.field, c.kind) for c in compare(same_field, swapped)] == [
        ("x", "attribute_gone"), ("x", "element_gone"), ("y", "attribute_added"), ("y", "element_added")]


# ------------------------------------------------------------------------------ transport
def test_an_answer_that_stops_arriving_is_breaking_and_one_that_returns_repaired() -> None:
    broken = one(response(), response(transport="timeout", status=None, xml=None, root=None))
    assert broken == [Change("transport_failed", "capacity", "transport", None, "timeout", "1001")]
    assert broken[0].severity is Severity.BREAKING
    back = one(response(transport="too_large", status=None), response())
    assert back == [Change("repaired", "capacity", "transport", "too_large", None, "1001",
                           "answers arrive again")]
    other = one(response(transport="timeout", status=None), response(transport="too_large", status=None))
    assert other == [Change("transport_failed", "capacity", "transport", "timeout", "too_large", "1001")]


def test_bodies_are_not_compared_when_either_answer_failed_to_arrive() -> None:
    a = response(transport="timeout", status=None, elements={COUNT: count(1)})
    b = response(transport="timeout", status=500, content_type="text/html", elements={})
    assert one(a, b) == []
    assert [c.kind for c in one(response(elements={COUNT: count(1)}), response(transport="dropped"))] == [
        "transport_failed"]


# ------------------------------------------------------------------------------ status, media type
def test_status_content_type_and_charset() -> None:
    assert one(response(), response(status=500)) == [
        Change("status_changed", "capacity", "status", 200, 500, "1001")]
    assert one(response(), response(content_type="text/html", charset="iso-8859-1")) == [
        Change("content_type_changed", "capacity", "content_type", "application/xml", "text/html", "1001")]
    charset = one(response(), response(charset="iso-8859-1"))
    assert charset == [Change("charset_changed", "capacity", "charset", "utf-8", "iso-8859-1", "1001")]
    assert charset[0].severity is Severity.COMPATIBLE


def test_bodies_are_compared_only_between_two_successes() -> None:
    a_body, b_body = {COUNT: count(1)}, {COUNT: count(2)}
    for sa, sb in ((200, 299), (299, 200)):
        assert [c.kind for c in one(response(status=sa, elements=a_body), response(status=sb, elements=b_body))
                ] == ["status_changed", "value_changed"], (sa, sb)
    failed: list[tuple[Any, Any]] = [(200, 300), (199, 200), (None, 200), (200, "200")]
    for sa, sb in failed:
        assert [c.kind for c in one(response(status=sa, elements=a_body), response(status=sb, elements=b_body))
                ] == ["status_changed"], (sa, sb)
    assert [c.kind for c in one(response(elements=a_body), response(elements=b_body))] == ["value_changed"]


# ------------------------------------------------------------------------------ the body
def test_a_body_that_stops_being_xml_is_breaking_and_one_that_becomes_xml_repaired() -> None:
    broken = one(response(elements={COUNT: count(1)}), response(xml="not_well_formed", root=None))
    assert broken == [Change("xml_broken", "capacity", "body", "well-formed XML", "not_well_formed", "1001"),
                      Change("element_gone", "capacity", "count", 1, None, "1001", COUNT)]
    fixed = one(response(xml="forbidden_markup", root=None), response(elements={COUNT: count(1)}))
    assert fixed == [Change("repaired", "capacity", "body", "forbidden_markup", "well-formed XML", "1001"),
                     Change("element_added", "capacity", "count", None, 1, "1001", COUNT)]
    assert one(response(xml="not_well_formed", root=None), response(xml="forbidden_markup", root=None)) == []
    assert one(response(xml=None, root=None), response(xml="not_well_formed", root=None)) == []


def test_fields_of_two_bodies_that_are_not_xml_are_not_gone() -> None:
    a = response(xml="not_well_formed", root=None, elements={COUNT: count(1)},
                 attributes={"@x": {"type": "text", "value": "1"}})
    assert one(a, response(xml="forbidden_markup", root=None)) == []


def test_root_changed_only_between_two_roots() -> None:
    assert one(response(root="availableSlots"), response(root=f"{{{CHAT}}}availableSlots")) == [
        Change("root_changed", "capacity", "root", "availableSlots", f"{{{CHAT}}}availableSlots", "1001")]
    assert one(response(root=None), response(root="x")) == []
    assert one(response(root="x"), response(root=None)) == []


def test_elements_gone_added_and_changed_carry_values_and_paths() -> None:
    a = response(elements={COUNT: count(3), "extra": {"type": "text", "value": "x"}})
    b = response(elements={COUNT: count(4), "{urn:new}note": {"type": "text", "value": "hi"}})
    assert one(a, b) == [
        Change("value_changed", "capacity", "count", 3, 4, "1001", COUNT),
        Change("element_gone", "capacity", "extra (no namespace)", "x", None, "1001", "extra"),
        Change("element_added", "capacity", "note (namespace urn:new)", None, "hi", "1001", "{urn:new}note"),
    ]
    assert [c.severity for c in one(a, b)] == [Severity.COMPATIBLE, Severity.BREAKING, Severity.COMPATIBLE]


def test_attributes_gone_added_and_changed() -> None:
    yes = {"field": "allowed", "type": "boolean", "valid": True, "value": True}
    no = {**yes, "value": False}
    a = response(root="chatAllowed", attributes={"@allowed": yes, "@old": {"type": "text", "value": "1"}})
    b = response(root="chatAllowed", attributes={"@allowed": no, "@new": {"type": "text", "value": "2"}})
    assert one(a, b, "chatAllowed") == [
        Change("value_changed", "chatAllowed", "allowed", True, False, "1001", "@allowed"),
        Change("attribute_gone", "chatAllowed", "old", "1", None, "1001", "@old"),
        Change("attribute_added", "chatAllowed", "new", None, "2", "1001", "@new"),
    ]


def test_an_optional_field_gone_is_compatible_only_where_the_guide_says_optional() -> None:
    reason = {"@reason": {"field": "reason", "type": "reason", "valid": True, "value": "agent_not_available"}}
    allowed = {"@allowed": {"field": "allowed", "type": "boolean", "valid": True, "value": False}}
    gone = one(response(attributes={**reason, **allowed}), response(attributes=allowed), "chatAllowed")
    assert [(c.kind, c.before, c.severity) for c in gone] == [
        ("optional_field_gone", "agent_not_available", Severity.COMPATIBLE)]
    required = one(response(attributes={**reason, **allowed}), response(attributes=reason), "chatAllowed")
    assert [c.kind for c in required] == ["attribute_gone"]
    # the same field under an operation that does not document it, or a value without a field
    assert [c.kind for c in one(response(attributes=reason), response(), "noSuchOperation")] == [
        "attribute_gone"]
    untyped = {"@reason": {"type": "text", "value": "x"}}
    assert [c.kind for c in one(response(attributes=untyped), response(), "chatAllowed")] == ["attribute_gone"]


@pytest.mark.parametrize(("before", "after", "kind"), [
    (count(3), count(3), None),
    (count(3), count(4), "value_changed"),
    (count(3), count("-1", valid=False), "type_changed"),
    (count("-1", valid=False), count(3), "repaired"),
    (count("-1", valid=False), count("x", valid=False), "value_changed"),
    (count(3), {"type": "text", "value": "3"}, "type_changed"),
    ({"type": "text", "value": "a"}, {"type": "text", "value": "b"}, "value_changed"),
    ({"type": "count", "value": 3}, count("x", valid=False), "type_changed"),
    (count("x", valid=False), {"type": "count", "value": 3}, "repaired"),
    ({"type": "responseType", "valid": True, "value": 0}, {"type": "responseType", "valid": False, "value": "4"},
     "value_outside_enumeration"),
    ({"type": "reason", "valid": True, "value": "other"}, {"type": "reason", "valid": False, "value": "x"},
     "value_outside_enumeration"),
    ({"type": "text", "value": "0"}, {"type": "responseType", "valid": True, "value": 0}, "type_changed"),
    ({"type": "responseType", "valid": True, "value": 0}, {"type": "text", "value": "0"}, "type_changed"),
    ({"type": "responseType", "valid": True, "value": 0}, {"type": "responseType", "valid": True, "value": 1},
     "value_changed"),
])
def test_value_changes_by_type_and_validity(before: dict[str, Any], after: dict[str, Any], kind: str | None) -> None:
    found = one(response(elements={COUNT: before}), response(elements={COUNT: after}))
    assert [c.kind for c in found] == ([kind] if kind else [])
    if kind:
        assert (found[0].before, found[0].after, found[0].field) == (before["value"], after["value"], "count")


def test_a_namespace_bound_to_another_prefix_says_which() -> None:
    a = response(prefixes={CHAT: "ns2", "urn:a": "", "urn:b": "b", "urn:gone": "g"})
    b = response(prefixes={CHAT: "chat", "urn:a": "a", "urn:b": "b", "urn:new": "n"})
    assert one(a, b) == [Change("prefix_changed", "capacity", "namespace prefixes", {CHAT: "ns2", "urn:a": ""},
                                {CHAT: "chat", "urn:a": "a"}, "1001", "(default) → a, ns2 → chat")]
    back = one(response(prefixes={CHAT: "chat"}), response(prefixes={CHAT: ""}))
    assert [(c.kind, c.severity, c.detail) for c in back] == [
        ("prefix_changed", Severity.COMPATIBLE, "chat → (default)")]
    assert one(response(prefixes={CHAT: "ns2"}), response(prefixes={"urn:x": "ns2"})) == []


# ------------------------------------------------------------------------------ checks
def test_a_check_that_starts_failing_is_breaking_and_names_the_field() -> None:
    failed = {"semantics": [violation("count is negative", "/availableSlots/ns2:count")]}
    for passed, skipped, before in ((("semantics",), (), "pass"), ((), ("semantics",), "skip"), ((), (), "skip")):
        found = answer_changes("capacity", "1001", answer(chk=checks(passed, skipped)),
                               answer(chk=checks(failed=failed)))
        assert found == [Change("contract_broken", "capacity", "check semantics: count", before, "fail", "1001",
                                "count is negative")]
        assert found[0].extra == {"check": "semantics"} and found[0].severity is Severity.BREAKING
        assert found[0].as_dict()["check"] == "semantics"


def test_a_check_that_passes_again_is_repaired_and_one_no_longer_applying_is_nothing() -> None:
    failed = {"xsd": [violation("bad", "/a")]}
    found = answer_changes("capacity", "1001", answer(chk=checks(failed=failed)), answer(chk=checks(("xsd",))))
    assert found == [Change("repaired", "capacity", "check xsd", "fail", "pass", "1001", "check xsd passes now")]
    assert found[0].extra == {"check": "xsd"}
    assert answer_changes("capacity", "1001", answer(chk=checks(failed=failed)),
                          answer(chk=checks(skipped=("xsd",)))) == []
    assert answer_changes("capacity", "1001", answer(chk=checks(("xsd",))), answer(chk=checks(skipped=("xsd",)))
                          ) == []


def test_a_check_failing_in_both_reports_only_its_new_violations() -> None:
    old = [violation("count is negative", "/availableSlots/ns2:count"), violation("no root", None)]
    same = answer_changes("capacity", "1001", answer(chk=checks(failed={"semantics": old})),
                          answer(chk=checks(failed={"semantics": list(reversed(old))})))
    assert same == []
    fewer = answer_changes("capacity", "1001", answer(chk=checks(failed={"semantics": old})),
                           answer(chk=checks(failed={"semantics": old[:1]})))
    assert fewer == []
    new = [*old, violation("count is negative", "/availableSlots/ns2:other"),
           violation("count is huge", "/availableSlots/ns2:count")]
    found = answer_changes("capacity", "1001", answer(chk=checks(failed={"semantics": old})),
                           answer(chk=checks(failed={"semantics": new})))
    assert found == [Change("contract_new_violation", "capacity", "check semantics: other, count", "fail", "fail",
                            "1001", "count is negative; count is huge")]
    assert found[0].extra == {"check": "semantics"} and found[0].severity is Severity.BREAKING


@pytest.mark.parametrize(("violations", "field", "detail"), [
    ([violation("m")], "check semantics", "m"),
    ([violation("m", "")], "check semantics", "m"),
    ([violation("m", "/a/ns2:b/")], "check semantics: b", "m"),
    ([violation("m", "/a/@ns2:reason"), violation("n", "@allowed"), violation("o", "/x/y:allowed")],
     "check semantics: reason, allowed", "m; n; o"),
    ([violation(f"m{i}", f"/a/c{i}") for i in range(4)], "check semantics: c0, c1, c2, c3", "m0; m1; m2 (+1 more)"),
    ([violation(f"m{i}") for i in range(6)], "check semantics", "m0; m1; m2 (+3 more)"),
])
def test_the_field_and_words_of_a_failing_check(violations: list[dict[str, Any]], field: str, detail: str) -> None:
    found = answer_changes("capacity", "1001", answer(chk=checks(("semantics",))),
                           answer(chk=checks(failed={"semantics": violations})))
    assert [(c.field, c.detail) for c in found] == [(field, detail)]


def test_checks_are_compared_in_name_order_even_when_the_answer_failed_to_arrive() -> None:
    a = answer(response(), checks(("transport", "content_type", "xsd")))
    b = answer(response(transport="timeout", status=None),
               checks(skipped=("content_type",), failed={"xsd": [], "transport": [violation("timed out")]}))
    found = answer_changes("capacity", "1001", a, b)
    assert [(c.kind, c.field) for c in found] == [("transport_failed", "transport"),
                                                  ("contract_broken", "check transport"),
                                                  ("contract_broken", "check xsd")]
    assert found[2].detail == ""


# ------------------------------------------------------------------------------ latency
def latency_change(before: dict[str, Any], after: dict[str, Any], tolerance: Tolerance | None = None
                   ) -> list[Change]:
    return compare(snap({}, latency_ms={"capacity": before}), snap({}, latency_ms={"capacity": after}), tolerance)


def test_slower_beyond_the_tolerance_says_by_how_much() -> None:
    found = latency_change({"p50": 100.0, "p90": 200.0, "reads": 10}, {"p50": 120.0, "p90": 240.5, "reads": 20})
    assert found == [Change("latency_slower", "capacity", "latency p90", 200.0, 240.5, None,
                            "200.0 ms → 240.5 ms over 20 reads (tolerance 40.0 ms)")]
    assert found[0].severity is Severity.SLOWER


def test_the_floor_keeps_a_millisecond_from_being_news() -> None:
    assert latency_change({"p50": 1.0}, {"p50": 6.0}) == []
    found = latency_change({"p50": 1.0}, {"p50": 6.01})
    assert [(c.kind, c.detail) for c in found] == [
        ("latency_slower", "1.0 ms → 6.0 ms over ? reads (tolerance 5.0 ms)")]


def test_faster_is_judged_against_b_s_tolerance() -> None:
    strict = Tolerance(ratio=0.5, floor_ms=0.0)
    assert latency_change({"p50": 30.0}, {"p50": 20.0}, strict) == []  # 10 ms, 50% of 20 ms
    found = latency_change({"p50": 30.0}, {"p50": 19.0, "reads": 5}, strict)  # 11 ms > 9.5 ms, < 15 ms
    assert found == [Change("latency_faster", "capacity", "latency p50", 30.0, 19.0, None,
                            "30.0 ms → 19.0 ms over 5 reads (tolerance 15.0 ms)")]
    assert found[0].severity is Severity.COMPATIBLE
    assert latency_change({"p50": 20.0}, {"p50": 30.0}, strict) == []  # 10 ms, 50% of 20 ms
    assert [c.kind for c in latency_change({"p50": 20.0}, {"p50": 30.5}, strict)] == ["latency_slower"]


def test_latency_is_compared_where_both_have_the_percentile() -> None:
    assert latency_change({"p50": 10.0}, {"p90": 100.0}) == []
    assert [c.field for c in latency_change({"p90": 10.0}, {"p50": 10.0, "p90": 100.0})] == ["latency p90"]
    assert latency_change({"p50": "10", "p90": 10}, {"p50": "100", "p90": 10}) == [
        Change("latency_slower", "capacity", "latency p50", 10.0, 100.0, None,
               "10.0 ms → 100.0 ms over ? reads (tolerance 5.0 ms)")]
    a = snap({}, latency_ms={"capacity": {"p50": 1.0}})
    b = snap({}, latency_ms={"chatAllowed": {"p50": 100.0}})
    assert compare(a, b) == [] and compare(b, a) == []
    assert compare(snap({}, latency_ms=None), b) == [] and compare(b, snap({}, latency_ms=None)) == []


def test_the_default_tolerance_is_used_when_none_is_given() -> None:
    before, after = {"p50": 100.0}, {"p50": 121.0}
    assert [c.kind for c in latency_change(before, after)] == ["latency_slower"]
    assert latency_change(before, after, Tolerance(ratio=0.5)) == []


# ------------------------------------------------------------------------------ consistency
RULE = "capacity_implies_availability"
RULE_TEXT = "if capacity count>0 then agentAvailability available=true"


def test_a_consistency_rule_that_breaks_names_its_operations_and_its_rule() -> None:
    a = snap({}, consistency={"1001": {RULE: "pass"}, "1002": {RULE: "unknown"}})
    b = snap({}, consistency={"1001": {RULE: "fail"}, "1002": {RULE: "fail"}})
    found = compare(a, b)
    assert found == [
        Change("consistency_broken", "capacity+agentAvailability", f"consistency {RULE}", "pass", "fail", "1001",
               RULE_TEXT),
        Change("consistency_broken", "capacity+agentAvailability", f"consistency {RULE}", "unknown", "fail", "1002",
               RULE_TEXT)]
    assert {c.severity for c in found} == {Severity.BREAKING}
    assert [c for c in compare(b, a) if c.entry_point == "1001"] == [
        Change("repaired", "capacity+agentAvailability", f"consistency {RULE}", "fail", "pass", "1001")]


def test_consistency_without_a_verdict_on_both_sides_is_nothing() -> None:
    a = snap({}, consistency={"1001": {RULE: "pass", "other": "unknown"}, "1002": {RULE: "pass"}})
    b = snap({}, consistency={"1001": {"other": "pass"}, "1003": {RULE: "fail"}})
    assert compare(a, b) == []
    assert compare(snap({}, consistency=None), b) == []
    failing = snap({}, consistency={"1001": {RULE: "fail"}, "1002": {RULE: "fail"}})
    assert compare(failing, snap({}, consistency={"1001": {RULE: "fail"}})) == []  # same, and not read in B


def test_every_rule_of_an_entry_point_is_compared() -> None:
    a = snap({}, consistency={"1001": {"other": "pass", RULE: "pass", "third": "fail"}})
    b = snap({}, consistency={"1001": {"other": "pass", RULE: "fail", "third": "fail"}})
    assert [(c.kind, c.field) for c in compare(a, b)] == [("consistency_broken", f"consistency {RULE}")]
    assert compare(a, snap({}, consistency=None)) == []


def test_a_rule_this_ecekit_does_not_know_is_still_reported() -> None:
    a = snap({}, consistency={"1001": {"old_rule": "pass"}})
    b = snap({}, consistency={"1001": {"old_rule": "fail"}})
    assert compare(a, b) == [Change("consistency_broken", "consistency", "consistency old_rule", "pass", "fail",
                                    "1001", "")]
    assert compare(b, a) == [Change("repaired", "consistency", "consistency old_rule", "fail", "pass", "1001")]


def test_consistency_sorts_by_its_first_operation() -> None:
    a = snap({"liveSessionStatus": {"1001": answer(response(elements={COUNT: count(1)}))}},
             consistency={"1001": {"no_agent_reason_implies_no_capacity": "fail", RULE: "fail"}})
    b = snap({"liveSessionStatus": {"1001": answer(response(elements={COUNT: count(2)}))}},
             consistency={"1001": {"no_agent_reason_implies_no_capacity": "pass", RULE: "pass"}})
    assert [c.operation for c in compare(a, b)] == [
        "capacity+agentAvailability", "liveSessionStatus", "chatAllowed+capacity"]
