"""What the contract suites test: one case per (operation, entry point, check), rule or survey probe.

A case is a pytest parameter; its ``id`` puts the operation name and the check name in the test id so
``-k xsd``, ``-k capacity`` or ``-k "chatAllowed and entry_point_role"`` select what a person means.
Each case knows the (check, operation) it reports under, for the grouped summary and the JUnit file.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecekit.checks.base import REGISTRY, Role, entry_points_by_role
from ecekit.checks.consistency import Rule, rules_for
from ecekit.checks.preflight import CHECK as PREFLIGHT
from ecekit.checks.preflight import Preflight, preflights
from ecekit.operations import Operation
from ecekit.target import Target

ROLE_ONLY_CHECKS = frozenset({"entry_point_role"})  # nothing to assert for an entry point of unknown state


def _ep_id(role: Role, entry_point: str) -> str:
    return entry_point if role is Role.ANY else f"{role.value}_{entry_point}"


@dataclass(frozen=True, slots=True)
class StatusCase:
    """One per-response check of one status operation's answer for one entry point."""

    operation: Operation
    entry_point: str
    role: Role
    check: str

    @property
    def id(self) -> str:
        return f"{self.operation.name}-{_ep_id(self.role, self.entry_point)}-{self.check}"

    @property
    def label(self) -> tuple[str, str]:
        return self.check, self.operation.name


def status_cases(op: Operation, target: Target) -> list[StatusCase]:
    """Every registered check for every entry point (role checks only where the role is known)."""
    return [StatusCase(op, ep, role, check)
            for role, ep in entry_points_by_role(target)
            for check, spec in REGISTRY.items()
            if spec.wanted_for(target, op) and not (role is Role.ANY and check in ROLE_ONLY_CHECKS)]


@dataclass(frozen=True, slots=True)
class ConsistencyCase:
    """One consistency rule for one entry point."""

    entry_point: str
    role: Role
    rule: Rule

    @property
    def id(self) -> str:
        return f"{_ep_id(self.role, self.entry_point)}-{self.rule.name}"

    @property
    def check(self) -> str:
        return "consistency"

    @property
    def operation_name(self) -> str:
        return "+".join(op.name for op in self.rule.operations)


def consistency_cases(target: Target) -> list[ConsistencyCase]:
    """Every applicable rule for every entry point whose answers are meaningful (not invalid ids)."""
    rules = rules_for(target)
    return [ConsistencyCase(ep, role, rule)
            for role, ep in entry_points_by_role(target) if role is not Role.INVALID
            for rule in rules]


@dataclass(frozen=True, slots=True)
class JsonCase:
    """JSON parity of one status operation's answer for one entry point (only with --json)."""

    operation: Operation
    entry_point: str
    role: Role
    check: str = "json_parity"

    @property
    def id(self) -> str:
        return f"{self.operation.name}-{_ep_id(self.role, self.entry_point)}-{self.check}"


@dataclass(frozen=True, slots=True)
class JsonServedCase:
    """Whether the server answers JSON at all: one test per run, so a server that ignores
    ``Accept: application/json`` fails once, not once per operation and entry point."""

    check: str = "json_served"
    operation_name: str = "all"
    entry_point: str | None = None

    @property
    def id(self) -> str:
        return self.check


def json_cases(target: Target) -> list[JsonCase | JsonServedCase]:
    """The served test, then parity for every status operation and entry point; none without --json."""
    if not target.json_parity:
        return []
    from ecekit.operations import STATUS_OPERATIONS

    return [JsonServedCase(), *(JsonCase(op, ep, role) for op in STATUS_OPERATIONS
                                for role, ep in entry_points_by_role(target))]


@dataclass(frozen=True, slots=True)
class PreflightCase:
    """The browser's CORS preflight before one kind of request of the site's pages (only with --origin)."""

    preflight: Preflight
    entry_point: str | None  # the status GET's: the first entry point; None for the survey
    check: str = PREFLIGHT

    @property
    def operation(self) -> Operation:
        return self.preflight.operation

    @property
    def id(self) -> str:
        where = f"-{self.entry_point}" if self.entry_point is not None else ""
        return f"{self.operation.name}{where}-{self.check}"


def preflight_cases(target: Target) -> list[PreflightCase]:
    """One case per kind of request a page preflights (ecekit.checks.preflight); none without --origin."""
    first = next((ep for _, ep in entry_points_by_role(target)), None)
    return [PreflightCase(p, first if p.operation.takes_entry_point else None) for p in preflights(target)]
