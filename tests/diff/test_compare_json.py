"""Comparing the JSON records of two snapshots built as data: each difference, its kind and severity,
and a snapshot written before JSON was recorded."""

from __future__ import annotations

from typing import Any

import pytest

from ecekit.diff.classify import Change, Severity
from ecekit.diff.compare import answer_changes, compare

XML_COUNT = {"{http://bindings.egain.com/chat}count": {"field": "count", "type": "count", "valid": True,
                                                       "value": 3}}


def count(value: Any, valid: bool = True, json_type: str = "number") -> dict[str, Any]:
    return {"field": "count", "type": "count", "valid": valid, "value": value, "json_type": json_type}


def record(**changes: Any) -> dict[str, Any]:
    """A JSON 200 answer carrying count 3, as the XML does; ``changes`` replace its parts."""
    base: dict[str, Any] = {"transport": None, "status": 200, "content_type": "application/json",
                            "charset": None, "json": "ok", "nested_under": None, "fields": {"count": count(3)},
                            "disagrees": []}
    base.update(changes)
    return base


def answer(json_record: dict[str, Any] | None = None) -> dict[str, Any]:
    response = {"transport": None, "status": 200, "content_type": "application/xml", "charset": "utf-8",
                "xml": "ok", "root": "availableSlots", "attributes": {}, "elements": dict(XML_COUNT),
                "prefixes": {}}
    out: dict[str, Any] = {"role": "any", "response": response, "checks": {"pass": [], "skip": [], "fail": {}},
                           "latency_ms": {}}
    if json_record is not None:
        out["json"] = json_record
    return out


def found(a: dict[str, Any], b: dict[str, Any], op: str = "capacity") -> list[tuple[str, str, Any, Any]]:
    return [(c.kind, c.field, c.before, c.after) for c in answer_changes(op, "1001", answer(a), answer(b))]


def kinds(a: dict[str, Any], b: dict[str, Any], op: str = "capacity") -> list[tuple[str, str]]:
    return [(k, f) for k, f, _, _ in found(a, b, op)]


def test_the_same_json_answer_is_no_difference() -> None:
    assert found(record(), record()) == []


@pytest.mark.parametrize(("after", "expected"), [
    (record(transport="timeout"), [("transport_failed", "transport (JSON)", None, "timeout")]),
    (record(status=500, fields={}), [("status_changed", "status (JSON)", 200, 500)]),
    (record(content_type="application/xml", json="not_served", fields={}),
     [("content_type_changed", "content_type (JSON)", "application/json", "application/xml"),
      ("json_broken", "body (JSON)", "a JSON object", "not_served")]),
    (record(json="not_json", fields={}), [("json_broken", "body (JSON)", "a JSON object", "not_json")]),
    (record(nested_under="availableSlots"),
     [("json_nesting_changed", "object (JSON)", "flat", "nested under 'availableSlots'")]),
    (record(fields={}), [("json_field_gone", "count (JSON)", 3, None)]),
    (record(fields={"count": count("-1", valid=False)}), [("type_changed", "count (JSON)", 3, "-1")]),
    (record(fields={"count": count(3, json_type="string")}),
     [("type_changed", "count (JSON)", "3 as a JSON number", "3 as a JSON string")]),
    (record(fields={"count": count(4)}, disagrees=["count"]),
     [("value_changed", "count (JSON)", 3, 4),
      ("json_disagrees", "count (JSON)", "the XML answer's value", "XML 3, JSON 4")]),
])
def test_each_json_change_is_classified_as_its_xml_twin_is(after: dict[str, Any],
                                                           expected: list[tuple[str, str, Any, Any]]) -> None:
    assert found(record(), after) == expected
    changes = answer_changes("capacity", "1001", answer(record()), answer(after))
    assert all(c.severity is Severity.BREAKING for c in changes if c.kind != "value_changed")


def test_compatible_json_changes() -> None:
    assert found(record(), record(charset="utf-8")) == [("charset_changed", "charset (JSON)", None, "utf-8")]
    added = record(fields={"count": count(3), "note": {"type": "text", "value": "x", "json_type": "string"}})
    assert found(record(), added) == [("json_field_added", "note (JSON)", None, "x")]
    assert found(record(), record(fields={"count": count(5)})) == [("value_changed", "count (JSON)", 3, 5)]
    reason = {"field": "reason", "type": "reason", "valid": True, "value": "Other", "json_type": "string"}
    allowed = {"field": "allowed", "type": "boolean", "valid": True, "value": False, "json_type": "boolean"}
    refused = record(fields={"allowed": allowed, "reason": reason})
    assert kinds(refused, record(fields={"allowed": allowed}), "chatAllowed") == [
        ("optional_field_gone", "reason (JSON)")]
    assert kinds(refused, record(fields={"reason": reason}), "chatAllowed") == [("json_field_gone", "allowed (JSON)")]


def test_what_works_again_in_b_is_repaired() -> None:
    assert found(record(transport="timeout"), record()) == [("repaired", "transport (JSON)", "timeout", None)]
    assert found(record(json="not_json", fields={}), record()) == [
        ("repaired", "body (JSON)", "not_json", "a JSON object")]
    assert found(record(fields={"count": count(4)}, disagrees=["count"]), record()) == [
        ("value_changed", "count (JSON)", 4, 3), ("repaired", "count (JSON)", "differs from the XML",
                                                  "the XML answer's value")]
    assert found(record(fields={"count": count("x", valid=False, json_type="string")}),
                 record(fields={"count": count(3, json_type="string")})) == [("repaired", "count (JSON)", "x", 3)]


def test_error_answers_compare_by_status_only_and_unusable_bodies_by_state_only() -> None:
    error = record(status=500, fields={"code": {"type": "text", "value": "500-a", "json_type": "string"}})
    other = record(status=500, fields={"message": {"type": "text", "value": "b", "json_type": "string"}})
    assert found(error, other) == []
    assert found(record(json="not_json", fields={}), record(json="not_object", fields={})) == []
    assert found(record(transport="timeout"), record(transport="timeout", status=None)) == []


def snap(*answers: dict[str, Any]) -> dict[str, Any]:
    return {"schema_version": 1, "answers": {"capacity": {str(1001 + i): a for i, a in enumerate(answers)}}}


def test_a_snapshot_without_json_records_is_one_compatible_finding_and_xml_is_still_compared() -> None:
    old, new = snap(answer(), answer()), snap(answer(record()), answer(record(json="not_json", fields={})))
    for a, b, side in ((old, new, "A (before)"), (new, old, "B (after)")):
        changes = compare(a, b)
        assert [(c.kind, c.severity, c.operation, c.field) for c in changes] == [
            ("not_compared", Severity.COMPATIBLE, "-", "JSON answers")]
        assert changes[0].detail.startswith(f"JSON answers not recorded in {side}: ")
    old_broken = snap(answer(), answer())
    old_broken["answers"]["capacity"]["1002"]["response"]["status"] = 500
    assert {c.kind for c in compare(new, old_broken)} == {"not_compared", "status_changed"}
    assert compare(old, snap(answer(), answer())) == []  # two old snapshots: as before


def test_an_answer_holding_json_in_one_snapshot_only_is_not_compared_not_skipped() -> None:
    changes = compare(snap(answer(record()), answer(record())), snap(answer(record()), answer()))
    assert changes == [Change("not_compared", "capacity", "JSON answer", entry_point="1002",
                              detail="only snapshot A read it")]
