"""Cross-operation consistency for one entry point, read back to back: the rules, as data, in one place.

Each status operation answers a different question about the same state (agents, their load, the
queue, the entry point), so some answer pairs cannot both be true. Each :class:`Rule` is an
implication "if <premise> then <conclusion>" between answers for one entry point, with the guide's
reason it must hold and the target settings it needs (e.g. ``agents_required``).

What is *not* a rule, on purpose (see ../shared/ECE_NOTES.md):

* agentAvailability true ⇒ capacity > 0: capacity is 0 when every agent is at full load, and a real
  agentAvailability counts all agents, not only those skilled for this entry point's queue;
* queueDepth 0 ⇒ waitTime 0: waitTime is an average over the last 20 assignments;
* anything tying agentAvailability to chatAllowed/checkEligibility when the entry point is configured
  so that agents are not required (it then answers true, and eligibility 0, with no agent logged in):
  such rules carry ``needs={"agents_required": True}`` and are skipped for such a target.

Reads race with a live server (an agent logs in between two calls), so a contradiction counts only if
it holds on every one of N consecutive reads (:func:`judge`); a flapping pair is not reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ecekit import operations
from ecekit.checks.base import Violation
from ecekit.checks.values import typed_values
from ecekit.client import Exchange
from ecekit.operations import AGENT_AVAILABILITY, CAPACITY, CHAT_ALLOWED, CHECK_ELIGIBILITY, Operation, Reason
from ecekit.target import Target
from ecekit.xmlsafe import parse

CHECK = "consistency"
DEFAULT_READS = 3
_ABSENT = object()


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One back-to-back read of the status operations for one entry point.

    ``values[op]`` holds the typed fields of every operation that answered 2xx with well-formed XML
    (an absent optional field is ``None``); operations that did not answer usably are missing, and a
    rule that needs them is not evaluated (the per-response checks report those answers).
    """

    entry_point: str
    values: Mapping[str, Mapping[str, object]]
    exchanges: Mapping[str, Exchange] = field(default_factory=dict)

    def complete(self, ops: Iterable[Operation]) -> bool:
        """Every one of ``ops`` answered usably in this read: a rule over them could be decided."""
        return all(op.name in self.values for op in ops)

    def get(self, op: Operation, name: str) -> object:
        """The typed value, ``None`` for an absent optional field, ``_ABSENT`` when unknown."""
        answer = self.values.get(op.name)
        if answer is None:
            return _ABSENT
        if name in answer:
            return answer[name]
        return _ABSENT if op.field(name).required else None

    def shown(self, op: Operation, name: str) -> str:
        value = self.get(op, name)
        if value is _ABSENT:
            return f"{op.name} {name}=?"
        if isinstance(value, bool):
            value = str(value).lower()
        return f"{op.name} {name}={value}"


def snapshot_from(entry_point: str, exchanges: Mapping[str, Exchange], target: Target) -> Snapshot:
    """Build a Snapshot from one exchange per status operation."""
    values: dict[str, Mapping[str, object]] = {}
    for op in operations.STATUS_OPERATIONS:
        ex = exchanges.get(op.name)
        if ex is None or ex.error is not None or ex.status is None or not 200 <= ex.status < 300:
            continue
        parsed = parse(ex.body, max_bytes=target.max_body_bytes)
        if parsed.root is None:
            continue
        answer = typed_values(parsed.root, op)
        if all(f.name in answer for f in op.fields if f.required):
            values[op.name] = answer
    return Snapshot(entry_point, values, dict(exchanges))


@dataclass(frozen=True, slots=True)
class Atom:
    """One statement about one field of one operation's answer, e.g. ``capacity count > 0``."""

    operation: Operation
    name: str
    test: Callable[[Any], bool]
    text: str

    def __call__(self, snap: Snapshot) -> bool | None:
        value = snap.get(self.operation, self.name)
        return None if value is _ABSENT else bool(self.test(value))


def _is(op: Operation, name: str, value: object) -> Atom:
    shown = str(value).lower() if isinstance(value, bool) else value
    return Atom(op, name, lambda v: v == value, f"{op.name} {name}={shown}")


def _in(op: Operation, name: str, values: frozenset[object], text: str) -> Atom:
    return Atom(op, name, lambda v: v in values, f"{op.name} {name} {text}")


def _positive(op: Operation, name: str) -> Atom:
    return Atom(op, name, lambda v: v > 0, f"{op.name} {name}>0")


@dataclass(frozen=True, slots=True)
class Rule:
    """If every premise atom holds, at least one conclusion atom must hold."""

    name: str
    premise: tuple[Atom, ...]
    conclusion: tuple[Atom, ...]
    why: str
    needs: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def text(self) -> str:
        return (f"if {' and '.join(a.text for a in self.premise)} "
                f"then {' or '.join(a.text for a in self.conclusion)}")

    @property
    def operations(self) -> tuple[Operation, ...]:
        seen: dict[str, Operation] = {}
        for atom in (*self.premise, *self.conclusion):
            seen.setdefault(atom.operation.name, atom.operation)
        return tuple(seen.values())

    def applies_to(self, target: Target) -> bool:
        return all(getattr(target, key) == value for key, value in self.needs.items())

    def contradicted(self, snap: Snapshot) -> bool | None:
        """True: premise holds and no conclusion does. None: some value is unknown."""
        premise = [atom(snap) for atom in self.premise]
        if None in premise:
            return None
        if not all(premise):
            return False
        conclusion = [atom(snap) for atom in self.conclusion]
        if any(conclusion):
            return False
        return None if None in conclusion else True

    def seen(self, snap: Snapshot) -> str:
        atoms = (*self.premise, *self.conclusion)
        return ", ".join(dict.fromkeys(snap.shown(a.operation, a.name) for a in atoms))


_ALLOWED = _is(CHAT_ALLOWED, "allowed", True)
_NOT_ALLOWED = _is(CHAT_ALLOWED, "allowed", False)
_AVAILABLE = _is(AGENT_AVAILABILITY, "available", True)
_UNAVAILABLE = _is(AGENT_AVAILABILITY, "available", False)
_NO_CAPACITY = _is(CAPACITY, "count", 0)
_CAPACITY = _positive(CAPACITY, "count")
_ELIGIBLE = _is(CHECK_ELIGIBILITY, "responseType", 0)
_NO_AGENT = _is(CHECK_ELIGIBILITY, "responseType", 1)
_NOT_ABOUT_AGENTS: frozenset[object] = frozenset(
    {Reason.SERVICE_NOT_RUNNING, Reason.INVALID_ENTRY_POINT, Reason.ENTRY_POINT_INACTIVE, Reason.OTHER})

RULES: tuple[Rule, ...] = (
    Rule(
        "capacity_implies_availability", (_CAPACITY,), (_AVAILABLE,),
        "capacity counts the spare load of available agents in the entry point's queue ('zero means "
        "there are no agents available', section 10); agentAvailability counts at least those agents "
        "(section 9; ECE counts all agents), so spare capacity with no available agent cannot be true",
    ),
    Rule(
        "no_agent_reason_implies_no_capacity",
        (_NOT_ALLOWED, _is(CHAT_ALLOWED, "reason", Reason.AGENT_NOT_AVAILABLE)), (_NO_CAPACITY,),
        "chatAllowed says no agent is available to work on new chats (section 13) while capacity "
        "reports spare load of available agents in the same queue (section 10)",
    ),
    Rule(
        "no_agent_eligibility_implies_no_agent", (_NO_AGENT,),
        (_UNAVAILABLE, _NO_CAPACITY,
         _in(CHAT_ALLOWED, "reason", _NOT_ABOUT_AGENTS, "is not about agents or queue depth")),
        "checkEligibility 1 means no agent is available for new chats (section 12); that may disagree "
        "with agentAvailability alone (it counts all agents) but not with agentAvailability true and "
        "spare capacity in the queue at the same time. checkEligibility has no code of its own for a "
        "stopped assignment service or an inactive entry point, so 1 is tolerated when chatAllowed "
        "gives such a reason",
    ),
    Rule(
        "allowed_implies_eligible", (_ALLOWED,),
        (_in(CHECK_ELIGIBILITY, "responseType", frozenset({0, 3}), "in {0, 3}"),),
        "chatAllowed checks everything checkEligibility checks (agents, queue depth) plus the entry "
        "point's status (sections 12, 13): allowed with 'no agent' (1) or 'queue full' (2) cannot both "
        "be true. 3 (integrated agent CTL) is not among chatAllowed's conditions, so it is tolerated",
    ),
    Rule(
        "eligible_implies_not_refused_for_agents_or_queue", (_ELIGIBLE, _NOT_ALLOWED),
        (_in(CHAT_ALLOWED, "reason", _NOT_ABOUT_AGENTS | {None}, "is not about agents or queue depth"),),
        "checkEligibility 0 says the queue can handle new chats (agents available, depth not reached); "
        "chatAllowed may still refuse for the entry point's status or the assignment service, never "
        "for agents or queue depth",
    ),
    Rule(
        "allowed_requires_available_agent", (_ALLOWED,), (_AVAILABLE,),
        "with agents required (the target's agents_required), an entry point takes new chats only "
        "when an agent is available, and agentAvailability counts every such agent. Skipped for "
        "entry points configured so that agents are not required (ECE_NOTES)",
        MappingProxyType({"agents_required": True}),
    ),
    Rule(
        "eligible_requires_available_agent", (_ELIGIBLE,), (_AVAILABLE,),
        "with agents required, checkEligibility 0 ('can handle new chats') needs an available agent "
        "(section 12, condition 1); a lab ECE answers 0 with no agent only when agents are not "
        "required, which is why this needs agents_required",
        MappingProxyType({"agents_required": True}),
    ),
)
BY_NAME: dict[str, Rule] = {rule.name: rule for rule in RULES}


def rules_for(target: Target) -> tuple[Rule, ...]:
    """The rules whose needed target settings hold for ``target``."""
    return tuple(rule for rule in RULES if rule.applies_to(target))


def judge(read: Callable[[], Snapshot], rules: tuple[Rule, ...], reads: int = DEFAULT_READS,
          ) -> dict[str, list[Snapshot]]:
    """Read up to ``reads`` times; return, per rule, the snapshots if it was contradicted on every one.

    Reading stops as soon as no rule is still contradicted, so a consistent server costs one read.
    """
    pending: dict[str, list[Snapshot]] = {rule.name: [] for rule in rules}
    by_name = {rule.name: rule for rule in rules}
    for _ in range(max(1, reads)):
        if not pending:
            break
        snap = read()
        for name in list(pending):
            if by_name[name].contradicted(snap):
                pending[name].append(snap)
            else:
                del pending[name]
    return pending


def violation(rule: Rule, snaps: list[Snapshot]) -> Violation:
    """A contradiction that held on every read, with the values of each read."""
    last = snaps[-1]
    actual = "; ".join(f"read {i}: {rule.seen(s)}" for i, s in enumerate(snaps, 1))
    return Violation(
        check=CHECK,
        operation="+".join(op.name for op in rule.operations),
        message=f"{rule.name} contradicted on {len(snaps)} of {len(snaps)} back-to-back reads",
        expected=rule.text,
        actual=actual,
        remedy=f"why it must hold: {rule.why}",
        entry_point=last.entry_point,
    )
