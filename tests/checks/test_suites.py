"""The contract suites cover every operation, and their cases are named so `-k` selects what people mean."""

from __future__ import annotations

import importlib.util

from ecekit import operations
from ecekit.checks import REGISTRY
from ecekit.checks.base import Role
from ecekit.resources import contracts_dir
from ecekit.suite.cases import consistency_cases, status_cases
from ecekit.suite.surveys import probes
from ecekit.target import Target


def test_every_status_operation_has_its_module() -> None:
    covered = {}
    for path in sorted(contracts_dir().glob("test_*.py")):
        spec = importlib.util.spec_from_file_location(f"_contracts_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if hasattr(module, "OPERATION"):
            covered[module.OPERATION.name] = path.name
    assert set(covered) == {op.name for op in operations.STATUS_OPERATIONS}
    assert {"test_consistency.py", "test_survey.py"} <= {p.name for p in contracts_dir().glob("test_*.py")}


def test_status_cases_by_role_and_ids() -> None:
    target = Target(entry_points=("1001",), inactive_entry_points=("1005",), invalid_entry_points=("999",))
    cases = status_cases(operations.CAPACITY, target)
    always = {name for name, spec in REGISTRY.items() if spec.wanted is None}
    plain = {c.check for c in cases if c.role is Role.ANY}
    assert plain == always - {"entry_point_role"}
    assert {c.check for c in cases if c.role is Role.INACTIVE} == always
    ids = {c.id for c in cases}
    assert "capacity-1001-xsd" in ids and "capacity-invalid_999-entry_point_role" in ids
    # opt-in checks join only where the target asks: cors on every status operation, widget_state on
    # the widget's operation alone
    opted = target.replace(origin="https://www.example.com", widget="eligibility")
    assert {c.check for c in status_cases(operations.CAPACITY, opted)} == always | {"cors"}
    assert "widget_state" in {c.check for c in status_cases(operations.CHECK_ELIGIBILITY, opted)}


def test_consistency_cases_skip_invalid_ids() -> None:
    target = Target(entry_points=("1001",), inactive_entry_points=("1005",), invalid_entry_points=("999",))
    eps = {c.entry_point for c in consistency_cases(target)}
    assert eps == {"1001", "1005"}


def test_survey_probes_use_the_prefix_or_the_real_sid() -> None:
    from ecekit.fuzz.strategies import SID_PREFIX

    found = probes()
    assert any(p.valid for p in found) and any(not p.valid for p in found)
    assert all(SID_PREFIX.encode() in p.body or b"sid" not in p.body for p in found)
    real = probes("1000_d15c6659-3c4b-41df-b2b5-7bacb60df41d")
    assert all(b"1000_d15c6659" in p.body and p.real_sid for p in real if p.valid)
