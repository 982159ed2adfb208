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
    with pytest.raises(KeyError):
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
