"""The classification is data: every kind has a rule, the docs print the table, the tolerance holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecekit.diff.classify import RULES, Change, Severity, Tolerance, counts


def test_docs_print_every_rule_with_its_severity() -> None:
    page = (Path(__file__).parents[2] / "docs" / "diff.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert f"| `{rule.kind}` | {rule.severity.value} | {rule.when} |" in page, rule.kind


def test_a_change_without_a_rule_is_refused() -> None:
    with pytest.raises(KeyError, match="no rule for kind 'no_such_kind'"):
        Change("no_such_kind", "capacity", "count")


def test_tolerance_is_a_ratio_with_a_floor() -> None:
    default = Tolerance()
    assert default.allowed(1.0) == 5.0  # 20% of 1 ms is noise: the 5 ms floor applies
    assert default.allowed(100.0) == pytest.approx(20.0)
    assert Tolerance(0.5, 0.0).allowed(10.0) == 5.0


def test_counts_by_severity() -> None:
    changes = [Change("element_gone", "capacity", "count"), Change("value_changed", "capacity", "count"),
               Change("latency_slower", "capacity", "latency p50")]
    assert counts(changes) == {"breaking": 1, "slower": 1, "compatible": 1}
    assert {rule.severity for rule in RULES} == set(Severity)


def test_a_change_as_data_carries_its_severity_and_extra_keys() -> None:
    change = Change("contract_broken", "capacity", "check xsd", "pass", "fail", "1001", "bad", {"check": "xsd"})
    assert change.as_dict() == {"kind": "contract_broken", "severity": "breaking", "operation": "capacity",
                                "entry_point": "1001", "field": "check xsd", "before": "pass", "after": "fail",
                                "detail": "bad", "check": "xsd"}
    assert Change("value_changed", "capacity", "count").as_dict() == {
        "kind": "value_changed", "severity": "compatible", "operation": "capacity", "entry_point": None,
        "field": "count", "before": None, "after": None, "detail": ""}
    assert change == Change("contract_broken", "capacity", "check xsd", "pass", "fail", "1001", "bad")


def test_each_kind_has_one_rule_and_its_severity() -> None:
    kinds = [rule.kind for rule in RULES]
    assert len(kinds) == len(set(kinds))
    expected = {"latency_slower": Severity.SLOWER, "xsd_widened": Severity.BREAKING,
                "xsd_narrowed": Severity.COMPATIBLE, "optional_field_gone": Severity.COMPATIBLE,
                "attribute_gone": Severity.BREAKING, "repaired": Severity.COMPATIBLE}
    assert {k: Change(k, "x", "y").severity for k in expected} == expected


def test_counts_list_every_severity_in_order() -> None:
    assert counts([]) == {"breaking": 0, "slower": 0, "compatible": 0}
    assert list(counts([])) == ["breaking", "slower", "compatible"]
    two = [Change("status_changed", "capacity", "status"), Change("xml_broken", "capacity", "body")]
    assert counts(two) == {"breaking": 2, "slower": 0, "compatible": 0}


def test_the_default_tolerance_at_its_boundary() -> None:
    assert Tolerance().allowed(25.0) == 5.0  # 20% of 25 ms is exactly the floor
    assert Tolerance().allowed(30.0) == pytest.approx(6.0)
    assert Tolerance(floor_ms=1.0).allowed(2.0) == 1.0
    assert Tolerance(ratio=0.1).allowed(100.0) == 10.0
