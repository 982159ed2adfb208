"""The pure functions of the model: the guide's definitions and the one precedence order."""

from __future__ import annotations

import pytest

from ecekit import operations as ops
from ecekit.server import model, scenario


def state() -> model.State:
    return scenario.from_mapping({
        "queues": {"q": {"max_depth": 2}},
        "agents": {"a": {"available": True, "max_load": 2, "current_load": 5, "queues": ["q"]},
                   "b": {"available": True, "max_load": 3, "current_load": 1, "queues": ["q"]},
                   "c": {"available": False, "max_load": 9, "current_load": 0, "queues": ["q"]}},
        "entry_points": {"1": {"queue": "q"}},
    })


def test_capacity_sums_available_agents_and_is_never_negative() -> None:
    s = state()
    assert model.remaining_capacity(s, s.entry_points[1]) == 2  # a: max(0, -3), b: 2, c: unavailable
    s.agents["b"].current_load = 7
    assert model.remaining_capacity(s, s.entry_points[1]) == 0


def test_wait_time_is_the_mean_of_the_last_20() -> None:
    q = model.Queue("q")
    assert model.wait_time(q) == 0.0
    for d in [100.0] * 5 + [2.0] * 20:
        q.record_assignment(d)
    assert model.wait_time(q) == 2.0


def test_precedence_when_everything_goes_wrong_at_once() -> None:
    s = state()
    ep = s.entry_points[1]
    s.queues["q"].waiting, s.queues["q"].ctl = 5, 0
    for agent in s.agents.values():
        agent.available = False
    s.services["main"].running = False
    ep.active = False
    seen = []
    for undo in (lambda: setattr(ep, "active", True),
                 lambda: setattr(s.services["main"], "running", True),
                 lambda: setattr(s.agents["b"], "available", True),
                 lambda: setattr(s.queues["q"], "waiting", 0),
                 lambda: setattr(s.queues["q"], "ctl", None)):
        seen.append(model.condition(s, 1))
        undo()
    seen.append(model.condition(s, 1))
    assert seen == [model.Condition.INACTIVE, model.Condition.SERVICE_DOWN, model.Condition.NO_AGENT,
                    model.Condition.QUEUE_FULL, model.Condition.CTL_REACHED, model.Condition.OK]
    assert model.condition(s, 2) is model.Condition.INVALID
    assert model.PRECEDENCE[0] is model.Condition.INVALID


def test_agents_not_required() -> None:
    s = scenario.from_mapping({"queues": {"q": {}},
                               "entry_points": {"1": {"queue": "q", "agents_required": False}}})
    assert model.answer(s, ops.AGENT_AVAILABILITY, 1) == {"available": True}
    assert model.answer(s, ops.CAPACITY, 1) == {"count": 0}
    assert model.answer(s, ops.CHECK_ELIGIBILITY, 1) == {"responseType": 0}


def test_unknown_ids_never_claim_availability() -> None:
    s = state()
    assert model.answer(s, ops.AGENT_AVAILABILITY, 9) == {"available": False}
    assert model.answer(s, ops.CAPACITY, 9) == {"count": 0}
    assert model.answer(s, ops.LIVE_SESSION_STATUS, 9) == {"waitTime": 0.0, "queueDepth": 0}
    assert model.answer(s, ops.CHECK_ELIGIBILITY, 9) == {"responseType": 1}
    with pytest.raises(ValueError, match="not a status operation"):
        model.answer(s, ops.SURVEY, 1)


@pytest.mark.parametrize(("raw", "expected"), [
    ("1001", 1001), ("-5", -5), ("9223372036854775807", (1 << 63) - 1), ("9223372036854775808", None),
    ("", None), ("1.0", None), ("١٢", None), ("+1", None), ("0x10", None),
])
def test_parse_id_accepts_a_java_long(raw: str, expected: int | None) -> None:
    assert model.parse_id(raw) == expected
