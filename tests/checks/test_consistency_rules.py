"""Each consistency rule on hand-made snapshots, the default scenario's legitimate states, and races."""

from __future__ import annotations

import itertools

import pytest

from ecekit import operations as ops
from ecekit.checks import consistency
from ecekit.checks.consistency import RULES, Snapshot, judge, rules_for, snapshot_from
from ecekit.client import TransportError
from ecekit.target import Target

from .helpers import TARGET, exchange

AA, CAP, LSS, CE, CA = (ops.AGENT_AVAILABILITY, ops.CAPACITY, ops.LIVE_SESSION_STATUS,
                        ops.CHECK_ELIGIBILITY, ops.CHAT_ALLOWED)


def snap(available: bool = True, count: int = 4, rt: int = 0, allowed: bool = True,
         reason: str | None = None) -> Snapshot:
    values = {AA.name: {"available": available}, CAP.name: {"count": count},
              LSS.name: {"waitTime": 3, "queueDepth": 1}, CE.name: {"responseType": rt},
              CA.name: {"allowed": allowed, **({"reason": reason} if reason else {})}}
    return Snapshot("1001", values)


def broken(s: Snapshot) -> set[str]:
    return {r.name for r in RULES if r.contradicted(s)}


# States a faithful server legitimately reports (the reference server's default scenario, ECE_NOTES).
LEGITIMATE = {
    "open": snap(),
    "no agent available": snap(False, 0, 1, False, "agent_not_available"),
    "queue full": snap(True, 3, 2, False, "queue_depth_reached"),
    "integrated agent CTL reached": snap(True, 2, 3, False, "Other"),
    "inactive entry point on an open queue": snap(True, 4, 1, False, "entry_point_inactive"),
    "assignment service stopped": snap(True, 2, 1, False, "service_not_running"),
    "agents not required, none logged in": snap(True, 0, 0, True),
    "agents at maximum load": snap(True, 0, 0, True),
    "agentAvailability counts agents of other queues": snap(True, 0, 1, False, "agent_not_available"),
    "allowed although the CTL is reached": snap(True, 2, 3, True),
}


@pytest.mark.parametrize("state", LEGITIMATE)
def test_legitimate_states_break_no_rule(state: str) -> None:
    assert broken(LEGITIMATE[state]) == set()


CONTRADICTIONS: list[tuple[str, Snapshot]] = [
    ("capacity_implies_availability", snap(False, 3, 1, False, "agent_not_available")),
    ("no_agent_reason_implies_no_capacity", snap(True, 3, 1, False, "agent_not_available")),
    ("no_agent_eligibility_implies_no_agent", snap(True, 2, 1, False, "agent_not_available")),
    ("no_agent_eligibility_implies_no_agent", snap(True, 2, 1, True)),
    ("allowed_implies_eligible", snap(True, 2, 2, True)),
    ("eligible_implies_not_refused_for_agents_or_queue", snap(True, 2, 0, False, "queue_depth_reached")),
    ("allowed_requires_available_agent", snap(False, 0, 3, True)),
    ("eligible_requires_available_agent", snap(False, 0, 0, False, "Other")),
]


@pytest.mark.parametrize(("rule", "state"), CONTRADICTIONS, ids=lambda x: x if isinstance(x, str) else "")
def test_each_rule_catches_its_contradiction(rule: str, state: Snapshot) -> None:
    assert rule in broken(state)


def test_every_rule_is_proven_by_a_contradiction() -> None:
    """The table the parametrized test above runs, not a hand-typed list: a rule added to RULES
    without a contradiction in CONTRADICTIONS fails here."""
    assert {r.name for r in RULES} == {rule for rule, _ in CONTRADICTIONS}


def test_rules_that_need_agents_are_skipped_when_agents_are_not_required() -> None:
    names = {r.name for r in rules_for(Target(agents_required=False))}
    assert "allowed_requires_available_agent" not in names
    assert "capacity_implies_availability" in names
    assert {r.name for r in rules_for(Target())} == {r.name for r in RULES}


def test_unknown_values_are_not_contradictions() -> None:
    partial = Snapshot("1001", {CAP.name: {"count": 3}})  # agentAvailability did not answer usably
    assert broken(partial) == set()


def test_a_contradiction_must_hold_on_every_read() -> None:
    bad, good = snap(False, 3, 1, False, "agent_not_available"), snap()
    reads = itertools.chain([bad, good], itertools.repeat(bad))  # an agent logged in between reads
    assert judge(lambda: next(reads), RULES, reads=3) == {}
    always = judge(lambda: bad, RULES, reads=3)
    assert set(always) == broken(bad)
    assert all(len(snaps) == 3 for snaps in always.values())


def test_a_consistent_server_costs_one_read() -> None:
    calls = []
    judge(lambda: calls.append(1) or snap(), RULES, reads=5)  # type: ignore[func-returns-value]
    assert len(calls) == 1


def test_violation_explains_rule_values_and_why() -> None:
    bad = snap(False, 3, 1, False, "agent_not_available")
    rule = consistency.BY_NAME["capacity_implies_availability"]
    v = consistency.violation(rule, [bad, bad, bad])
    assert v.check == "consistency" and v.entry_point == "1001"
    assert "capacity count>0" in v.expected and "agentAvailability available=true" in v.expected
    assert "read 3: capacity count=3, agentAvailability available=false" in v.actual
    assert "section 10" in v.remedy


def test_snapshot_from_exchanges_skips_unusable_answers() -> None:
    exchanges = {AA.name: exchange(AA, available="false"), CAP.name: exchange(CAP, count=3),
                 CE.name: exchange(CE, status=500, raw=b"oops"), CA.name: exchange(CA, raw=b"<oops")}
    s = snapshot_from("1001", exchanges, TARGET)
    assert s.values[AA.name] == {"available": False} and s.values[CAP.name] == {"count": 3}
    assert CE.name not in s.values and CA.name not in s.values
    assert broken(s) == {"capacity_implies_availability"}


def test_snapshot_from_keeps_reading_past_an_unusable_answer_and_needs_a_2xx() -> None:
    """Operations are read in the guide's order; a broken one in the middle leaves the later ones in,
    and only a 2xx (not a 300, whatever its body) counts as an answer."""
    ordered = list(ops.STATUS_OPERATIONS)
    for broken_op in ordered[:-1]:
        exchanges = {op.name: exchange(op) for op in ordered}
        exchanges[broken_op.name] = exchange(broken_op, status=300)
        s = snapshot_from("1002", exchanges, TARGET)
        assert set(s.values) == {op.name for op in ordered if op is not broken_op}
        assert s.entry_point == "1002" and s.exchanges == exchanges
        assert s.complete([op for op in ordered if op is not broken_op]) and not s.complete(ordered)
    missing = {op.name: exchange(op) for op in ordered if op is not CAP}
    assert CAP.name not in snapshot_from("1001", missing, TARGET).values
    errored = {op.name: exchange(op, error=TransportError.TIMEOUT) if op is AA else exchange(op) for op in ordered}
    assert AA.name not in snapshot_from("1001", errored, TARGET).values


def test_snapshot_from_honours_the_body_size_cap() -> None:
    exchanges = {op.name: exchange(op) for op in ops.STATUS_OPERATIONS}
    assert snapshot_from("1001", exchanges, Target(max_body_bytes=10)).values == {}


def test_judge_returns_the_contradicting_reads_and_reads_once_when_asked_once() -> None:
    bad = snap(False, 3, 1, False, "agent_not_available")
    calls = []
    found = judge(lambda: calls.append(1) or bad, RULES, reads=1)  # type: ignore[func-returns-value]
    assert len(calls) == 1 and found["capacity_implies_availability"] == [bad]
    first, second = snap(False, 3, 1, False, "agent_not_available"), Snapshot("1002", bad.values)
    reads = iter([first, second])
    v = consistency.violation(consistency.BY_NAME["capacity_implies_availability"],
                              judge(lambda: next(reads), RULES, reads=2)["capacity_implies_availability"])
    assert v.entry_point == "1002"  # the last read's
    assert v.operation == "capacity+agentAvailability"
    assert v.message == "capacity_implies_availability contradicted on 2 of 2 back-to-back reads"
    assert v.actual.startswith("read 1: ") and "; read 2: " in v.actual
