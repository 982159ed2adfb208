"""Comparing two flattened schema sets built as data: every kind, severity and the words a person reads.

:func:`ecekit.diff.xsdiff.compare` works on the component records :func:`describe` makes
(tests/diff/test_xsdiff.py compiles real XSD files); here the records are written by hand, so each
rule is reached without compiling a schema.
"""

from __future__ import annotations

from typing import Any

import pytest

from ecekit import operations
from ecekit.diff.classify import Change, Severity
from ecekit.diff.xsdiff import _facet_kind, _leaf, _operation, _parent, _shown, compare

CHAT = operations.CHAT_NS
COUNT = f"/availableSlots/{{{CHAT}}}count"


def element(min_: int = 1, max_: int | str = 1, type_: str = "xs:int", **rest: Any) -> dict[str, Any]:
    return {"kind": "element", "min": min_, "max": max_, "type": type_, "facets": {}, **rest}


def attribute(min_: int = 0, type_: str = "xs:string", **rest: Any) -> dict[str, Any]:
    return {"kind": "attribute", "min": min_, "max": 1, "type": type_, "facets": {}, **rest}


BASE = {"/availableSlots": element(type_="complex", content="element-only", model="sequence", mixed=False),
        COUNT: element(type_="xs:nonNegativeInteger")}


def diff(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, str, str, Any, Any, str]]:
    return [(c.severity.value, c.kind, c.field, c.before, c.after, c.detail) for c in compare(a, b)]


def test_identical_sets_have_no_differences() -> None:
    assert compare(BASE, dict(BASE)) == []


def test_a_component_gone_is_breaking_and_says_what_it_was() -> None:
    a = {**BASE, "/chatAllowed": element(), "/chatAllowed/@reason": attribute()}
    assert compare(a, BASE) == [
        Change("xsd_component_gone", "chatAllowed", "/chatAllowed", "element", None, None,
               "element chatAllowed (no namespace) is no longer declared"),
        Change("xsd_component_gone", "chatAllowed", "/chatAllowed/@reason", "attribute", None, None,
               "attribute @reason is no longer declared")]


def test_a_new_subtree_is_reported_once_at_its_top() -> None:
    b = {**BASE, f"{COUNT}/note": element(min_=1), f"{COUNT}/note/deep": element(min_=1),
         f"{COUNT}/note/@a": attribute(min_=1), "/newRoot": element(), "/newRoot/x": element()}
    assert compare(BASE, b) == [
        Change("xsd_required_added", "capacity", f"{COUNT}/note", None, "element", None,
               "new required element note (no namespace)"),
        Change("xsd_optional_added", "newRoot", "/newRoot", None, "element", None,
               "new global element newRoot (no namespace)")]


def test_a_new_global_element_does_not_hide_what_follows() -> None:
    b = {"/newRoot": element(), **BASE, "/availableSlots/@must": attribute(min_=1), "/zRoot": element()}
    assert [(c.kind, c.field) for c in compare(BASE, b)] == [
        ("xsd_required_added", "/availableSlots/@must"), ("xsd_optional_added", "/newRoot"),
        ("xsd_optional_added", "/zRoot")]


def test_a_bound_spelt_differently_is_not_breaking() -> None:
    for facet in ("minInclusive", "maxInclusive"):
        a = {COUNT: element(facets={facet: "0"})}
        b = {COUNT: element(facets={facet: "0.0"})}
        assert diff(a, b) == [("compatible", "xsd_narrowed", COUNT, "0", "0.0", f"count: {facet} 0 → 0.0")]


def test_a_new_optional_component_is_compatible_a_required_one_breaking() -> None:
    b = {**BASE, "/availableSlots/@since": attribute(min_=0), "/availableSlots/@must": attribute(min_=1)}
    assert diff(BASE, b) == [
        ("breaking", "xsd_required_added", "/availableSlots/@must", None, "attribute",
         "new required attribute @must"),
        ("compatible", "xsd_optional_added", "/availableSlots/@since", None, "attribute",
         "new optional attribute @since")]


@pytest.mark.parametrize("key", ["type", "content", "model", "mixed"])
def test_a_changed_type_or_content_model_is_breaking(key: str) -> None:
    before: dict[str, Any] = {"type": "complex", "content": "element-only", "model": "sequence", "mixed": False}
    other = {"type": "xs:string", "content": "mixed", "model": "all", "mixed": True}
    after: dict[str, Any] = {**before, key: other[key]}
    a = {"/sessionStatus": element(**before)}
    b = {"/sessionStatus": element(**after)}
    assert diff(a, b) == [("breaking", "xsd_type_changed", "/sessionStatus", before[key], after[key],
                           f"sessionStatus (no namespace): {key} {before[key]} → {after[key]}")]


def test_a_key_only_one_side_has_is_a_change() -> None:
    a = {"/x": element()}
    b = {"/x": {**element(), "model": "all"}}
    assert diff(a, b) == [("breaking", "xsd_type_changed", "/x", None, "all", "x (no namespace): model None → all")]


def test_occurrences_widened_and_narrowed() -> None:
    assert diff(BASE, {**BASE, COUNT: element(min_=0, type_="xs:nonNegativeInteger")}) == [
        ("breaking", "xsd_widened", COUNT, 1, 0, "count: may now be missing (minOccurs 1 → 0)")]
    assert diff({**BASE, COUNT: element(min_=0, type_="xs:nonNegativeInteger")}, BASE) == [
        ("compatible", "xsd_narrowed", COUNT, 0, 1, "count: now required (minOccurs 0 → 1)")]
    cases: list[tuple[Any, Any, str, str]] = [(1, 2, "breaking", "xsd_widened"), (2, 1, "compatible", "xsd_narrowed"),
             (3, "unbounded", "breaking", "xsd_widened"), ("unbounded", 3, "compatible", "xsd_narrowed")]
    for before, after, severity, kind in cases:
        a = {COUNT: element(max_=before)}
        b = {COUNT: element(max_=after)}
        assert diff(a, b) == [(severity, kind, COUNT, before, after, f"count: maxOccurs {before} → {after}")]


@pytest.mark.parametrize(("facet", "before", "after", "kind", "words"), [
    ("enumeration", ["0", "1"], ["0", "1", "4"], "xsd_widened", "{0, 1} → {0, 1, 4}"),
    ("enumeration", ["0", "1"], ["0"], "xsd_narrowed", "{0, 1} → {0}"),
    ("enumeration", ["0", "1"], ["1", "2"], "xsd_widened", "{0, 1} → {1, 2}"),
    ("enumeration", ["0", "1"], ["1", "0"], "xsd_facet_changed", "{0, 1} → {1, 0}"),
    ("minInclusive", "0", "-1", "xsd_widened", "0 → -1"),
    ("minInclusive", "0", "1", "xsd_narrowed", "0 → 1"),
    ("minExclusive", "0", "-1", "xsd_widened", "0 → -1"),
    ("minLength", "2", "1", "xsd_widened", "2 → 1"),
    ("maxInclusive", "10", "11", "xsd_widened", "10 → 11"),
    ("maxInclusive", "10", "9", "xsd_narrowed", "10 → 9"),
    ("maxExclusive", "10", "11", "xsd_widened", "10 → 11"),
    ("maxLength", "10", "20", "xsd_widened", "10 → 20"),
    ("totalDigits", "5", "6", "xsd_widened", "5 → 6"),
    ("fractionDigits", "2", "1", "xsd_narrowed", "2 → 1"),
    ("length", "2", "3", "xsd_facet_changed", "2 → 3"),
    ("pattern", ["[0-9]+"], ["[a-z]+"], "xsd_facet_changed", "{[0-9]+} → {[a-z]+}"),
    ("whiteSpace", "preserve", "collapse", "xsd_facet_changed", "preserve → collapse"),
    ("maxLength", "10", None, "xsd_widened", "10 → (none)"),
    ("maxLength", None, "10", "xsd_narrowed", "(none) → 10"),
])
def test_facets(facet: str, before: Any, after: Any, kind: str, words: str) -> None:
    a = {COUNT: element(facets={} if before is None else {facet: before})}
    b = {COUNT: element(facets={} if after is None else {facet: after})}
    severity = "breaking" if kind in ("xsd_widened", "xsd_facet_changed") else "compatible"
    assert diff(a, b) == [(severity, kind, COUNT, before, after, f"count: {facet} {words}")]
    assert _facet_kind(facet, before, after) == kind


def test_several_facets_are_each_reported_in_name_order() -> None:
    a = {COUNT: element(facets={"minInclusive": "0", "maxInclusive": "9"})}
    b = {COUNT: element(facets={"minInclusive": "1", "maxInclusive": "10", "pattern": ["x"]})}
    assert [(c.kind, c.detail) for c in compare(a, b)] == [
        ("xsd_widened", "count: maxInclusive 9 → 10"), ("xsd_narrowed", "count: minInclusive 0 → 1"),
        ("xsd_narrowed", "count: pattern (none) → {x}")]
    same_first = compare({COUNT: element(facets={"enumeration": ["1"], "maxLength": "5"})},
                         {COUNT: element(facets={"enumeration": ["1"], "maxLength": "6"})})
    assert [c.detail for c in same_first] == ["count: maxLength 5 → 6"]
    no_facets = {COUNT: {k: v for k, v in element().items() if k != "facets"}}
    assert compare(no_facets, {COUNT: element(facets=None)}) == []


def test_differences_are_ordered_by_severity_operation_field_kind() -> None:
    a = {"/sessionStatus": element(), "/chatAllowed": element(min_=0), "/agentAvailability": element(),
         "/checkEligibility/@responseType": attribute(facets={"enumeration": ["0"]})}
    b = {"/sessionStatus": element(type_="xs:string", min_=0), "/chatAllowed": element(min_=1),
         "/checkEligibility/@responseType": attribute(facets={"enumeration": ["0", "1"]})}
    assert [(c.severity, c.operation, c.kind) for c in compare(a, b)] == [
        (Severity.BREAKING, "agentAvailability", "xsd_component_gone"),
        (Severity.BREAKING, "checkEligibility", "xsd_widened"),
        (Severity.BREAKING, "liveSessionStatus", "xsd_type_changed"),
        (Severity.BREAKING, "liveSessionStatus", "xsd_widened"),
        (Severity.COMPATIBLE, "chatAllowed", "xsd_narrowed")]


def test_paths_name_their_operation_parent_and_leaf() -> None:
    assert [_operation(p) for p in ("/availableSlots", "/sessionStatus/x", "/egainSurvey",
                                    f"/{{{CHAT}}}egainSurvey/{{{CHAT}}}answer", "/other/x", "")] == [
        "capacity", "liveSessionStatus", "survey", "survey", "other", ""]
    assert _parent(f"/a/{{{CHAT}}}b/@c") == f"/a/{{{CHAT}}}b"
    assert _parent("/a/{http://x/y}b") == "/a"
    assert _parent("/a") == ""
    assert [_leaf(p) for p in ("/a/@*", "/a/*", "/a/@reason", COUNT, "/a/{urn:x}b")] == [
        "(any attribute)", "(any element)", "@reason", "count", "b (namespace urn:x)"]
    assert [_shown(v) for v in (None, ["a", "b"], [], 3)] == ["(none)", "{a, b}", "{}", "3"]
