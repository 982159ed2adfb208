"""The vocabulary of checks: a Violation, the Observation a check looks at, and the registry.

A check is a small function ``check(obs) -> list[Violation]`` registered by name. The same functions
run in pytest (every response, every error listed, thorough XSD path) and under load (``fast=True``:
libxml2's verdict, violations counted by category). Preconditions are guard decorators, not ``if``
ladders inside the checks: a check that needs a parsed body is simply not run on a timeout.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from ecekit import operations
from ecekit.checks.values import raw_values
from ecekit.client import Exchange
from ecekit.target import Target
from ecekit.xmlsafe import Parsed, Schemas, parse, schemas


class Role(StrEnum):
    """What is known of an entry point's state, which decides what may be asserted about it."""

    ANY = "any"  # state unknown: only what holds in every state
    INACTIVE = "inactive"
    INVALID = "invalid"


@dataclass(frozen=True, slots=True)
class Violation:
    """One way the server broke the contract, explained so a person can act on it."""

    check: str
    operation: str
    message: str
    expected: str = ""
    actual: str = ""
    xpath: str | None = None
    remedy: str = ""
    entry_point: str | None = None

    def headline(self) -> str:
        where = f" [{self.entry_point}]" if self.entry_point else ""
        return f"{self.check} · {self.operation}{where}: {self.message}"

    def explain(self) -> str:
        lines = [self.headline()]
        if self.xpath:
            lines.append(f"  at:       {self.xpath}")
        if self.expected:
            lines.append(f"  expected: {self.expected}")
        if self.actual:
            lines.append(f"  actual:   {self.actual}")
        if self.remedy:
            lines.append(f"  remedy:   {self.remedy}")
        return "\n".join(lines)


def entry_points_by_role(target: Target) -> list[tuple[Role, str]]:
    """Every configured entry point with the role the target gives it, in a stable order: the one
    rule the contract suites, the widget states and snapshots read."""
    return ([(Role.ANY, ep) for ep in target.entry_points]
            + [(Role.INACTIVE, ep) for ep in target.inactive_entry_points]
            + [(Role.INVALID, ep) for ep in target.invalid_entry_points])


@dataclass
class Context:
    """What the checks know beyond the exchange: the target, the schemas, the entry point's role."""

    target: Target
    role: Role = Role.ANY
    fast: bool = False
    valid_needs_204: bool = True  # a valid survey must get 204 (embedded server, or a real --sid)
    _schemas: Schemas | None = field(default=None, repr=False)

    @property
    def schemas(self) -> Schemas:
        if self._schemas is None:
            self._schemas = schemas(self.target.xsd_dir)
        return self._schemas


@dataclass
class Observation:
    """An exchange seen through one operation's contract; parses the body once, lazily."""

    exchange: Exchange
    operation: operations.Operation
    context: Context

    @cached_property
    def parsed(self) -> Parsed:
        return parse(self.exchange.body, max_bytes=self.context.target.max_body_bytes)

    @cached_property
    def values(self) -> dict[str, str | None]:
        """Each documented field of a well-formed answer as the server wrote it (None: absent), by the
        field's name in the guide (``waitTime``, ``@available``'s ``available``); {} for any other."""
        if self.parsed.root is None or not self.operation.is_status:
            return {}
        return raw_values(self.parsed.root, self.operation)

    def violation(self, check: str, message: str, **kw: str | None) -> Violation:
        return Violation(check=check, operation=self.operation.name, message=message,
                         entry_point=self.exchange.entry_point, **kw)  # type: ignore[arg-type]


CheckFunc = Callable[[Observation], list[Violation]]
Guard = Callable[[Observation], bool]


Wanted = Callable[[Target, operations.Operation], bool]


@dataclass(frozen=True, slots=True)
class CheckSpec:
    name: str
    func: CheckFunc
    description: str
    guards: tuple[Guard, ...] = ()
    wanted: Wanted | None = None  # None: always part of a run; else only where the target asks for it
    origin: str = "built-in"  # or the module of a user's check (ecekit.checks.user)
    only_operations: frozenset[str] | None = None  # a user's check limited to these operations

    def wanted_for(self, target: Target, op: operations.Operation) -> bool:
        return self.wanted is None or self.wanted(target, op)

    def applies(self, obs: Observation) -> bool:
        return all(guard(obs) for guard in self.guards)


REGISTRY: dict[str, CheckSpec] = {}


def register(name: str, *guards: Guard, wanted: Wanted | None = None) -> Callable[[CheckFunc], CheckFunc]:
    """Register ``func`` as the check ``name``, run only where every guard holds. ``wanted`` makes it
    opt-in: a run includes it only for the operations where ``wanted(target, op)`` (e.g. ``--origin``)."""

    def decorate(func: CheckFunc) -> CheckFunc:
        doc = (func.__doc__ or "").strip().splitlines()
        REGISTRY[name] = CheckSpec(name, func, doc[0] if doc else "", guards, wanted)
        return func

    return decorate


def run_checks(obs: Observation, select: Iterable[str] | None = None) -> list[Violation]:
    """Every violation of the selected (default: all registered per-response) checks."""
    names = list(select) if select is not None else list(REGISTRY)
    found: list[Violation] = []
    for name in names:
        spec = REGISTRY[name]
        if spec.wanted_for(obs.context.target, obs.operation) and spec.applies(obs):
            found.extend(spec.func(obs))
    return found
