"""The diff as a person reads it on a terminal and as a machine reads it (diff.json), exactly."""

from __future__ import annotations

import json
from decimal import Decimal

from ecekit.__about__ import __version__
from ecekit.diff import report
from ecekit.diff.classify import Change

CHANGES = [
    Change("element_gone", "capacity", "count", 3, None, "1001", "{x}count"),
    Change("element_gone", "capacity", "count", 4, None, "1002", "{x}count"),
    Change("status_changed", "chatAllowed", "status", 200, 500, "1001"),
    Change("status_changed", "chatAllowed", "status", 200, 500, "1002"),
    Change("latency_slower", "capacity", "latency p50", 1.0, 9.0, None,
           "1.0 ms → 9.0 ms over 3 reads (tolerance 5.0 ms)"),
    Change("value_changed", "liveSessionStatus", "queueDepth", True, None, "1001"),
    Change("schemas_differ", "-", "xsd", None, None, None, "verdicts were judged against different schemas: a.xsd"),
    Change("contract_broken", "capacity", "check xsd", "pass", "fail", "1001", "bad", {"check": "xsd"}),
]


def test_the_text_report_one_line_per_difference_folded_across_entry_points() -> None:
    assert report.text(CHANGES, "a.json", "http://ece/system") == (
        "ecekit diff: A = a.json\n"
        "             B = http://ece/system\n"
        "BREAKING   capacity [1001, 1002] count: element gone: 1001: 3 → (none); 1002: 4 → (none)\n"
        "BREAKING   chatAllowed [1001, 1002] status: status changed: 200 → 500\n"
        "SLOWER     capacity latency p50: latency slower: 1.0 ms → 9.0 ms over 3 reads (tolerance 5.0 ms)\n"
        "COMPATIBLE liveSessionStatus [1001] queueDepth: value changed: true → (none)\n"
        "COMPATIBLE - xsd: schemas differ: verdicts were judged against different schemas: a.xsd\n"
        "BREAKING   capacity [1001] check xsd: contract broken: bad\n"
        "5 breaking, 1 slower, 2 compatible\n")


def test_no_differences_says_so() -> None:
    assert report.text([], "a.json", "b.json") == "ecekit diff: A = a.json\n             B = b.json\nno differences\n"


def test_the_count_line_lists_every_severity_even_at_zero() -> None:
    lines = report.text(CHANGES[5:6], "a", "b").splitlines()
    assert lines[-1] == "0 breaking, 0 slower, 1 compatible"


def test_the_document_holds_every_difference_its_counts_and_the_settings() -> None:
    doc = report.document(CHANGES[:3], "a.json", "b.json", latency_tolerance="20%", fail_on_slower=True)
    assert doc == {
        "schema_version": 1, "ecekit_version": __version__, "a": "a.json", "b": "b.json",
        "counts": {"breaking": 3, "slower": 0, "compatible": 0},
        "changes": [c.as_dict() for c in CHANGES[:3]],
        "latency_tolerance": "20%", "fail_on_slower": True}
    assert doc["changes"][0] == {"kind": "element_gone", "severity": "breaking", "operation": "capacity",
                                 "entry_point": "1001", "field": "count", "before": 3, "after": None,
                                 "detail": "{x}count"}


def test_json_is_sorted_indented_unescaped_and_total() -> None:
    odd = Change("value_changed", "liveSessionStatus", "waitTime", Decimal("1.5"), "é", "1001", "→",
                 {"check": "x"})
    out = report.as_json([odd], "a", "b", latency_tolerance="20%")
    assert out.endswith("}\n") and "\n  \"a\": \"a\",\n" in out
    assert '"after": "é"' in out and '"detail": "→"' in out  # not \u escapes
    doc = json.loads(out)
    assert doc["changes"] == [{"after": "é", "before": "1.5", "check": "x", "detail": "→", "entry_point": "1001",
                               "field": "waitTime", "kind": "value_changed", "operation": "liveSessionStatus",
                               "severity": "compatible"}]
    assert list(doc) == sorted(doc) and doc["latency_tolerance"] == "20%"
    assert (doc["a"], doc["b"], doc["counts"]) == ("a", "b", {"breaking": 0, "slower": 0, "compatible": 1})
    assert out == json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
