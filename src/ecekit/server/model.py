"""The reference server's state, and pure functions that answer each status operation from it.

What the six operations report on (guide, sections 9 to 13)::

    EntryPoint ──feeds──► Queue ◄──serve── Agent
                            │
                            └── handled by an assignment Service (running or not)

* ``agentAvailability``: is any agent serving the entry point's queue "available for chat"? An entry
  point configured with ``agents_required = false`` answers true even with nobody logged in (seen on a
  lab ECE, see ECE_NOTES).
* ``capacity``: the sum over available agents of the queue of ``max_load - current_load``, each term
  floored at 0, so never negative (the guide: "zero means no agents available, or all at max load").
* ``liveSessionStatus``: ``waitTime`` is the mean of the queue's last 20 assignment delays in seconds
  (0.0 before any assignment); ``queueDepth`` the chats waiting.
* ``checkEligibility`` and ``chatAllowed``: see :func:`verdict`, the ONE place that decides which
  condition wins when several hold at once.

Unknown entry point ids (the guide only documents chatAllowed's ``invalid_entry_point``) get answers
that never claim availability: available=false, count 0, waitTime 0.0 / queueDepth 0, responseType 1.

The functions here do no I/O and never mutate the state; the app caches their rendered answers and
clears that cache whenever :attr:`State.version` changes.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import Enum

from ecekit import operations as ops

WAIT_WINDOW = 20  # the guide: "average delay time for last 20 activities"


@dataclass(slots=True)
class Service:
    """An agent assignment service instance; when it is stopped, nothing gets assigned."""

    name: str
    running: bool = True


@dataclass(slots=True)
class Queue:
    """A chat queue. ``max_depth`` bounds the chats it processes (waiting + in progress)."""

    name: str
    max_depth: int | None = None  # None: no limit configured
    waiting: int = 0
    in_progress: int = 0
    delays: deque[float] = field(default_factory=lambda: deque(maxlen=WAIT_WINDOW))
    service: str = "main"
    ctl: int | None = None  # integrated agent concurrent-task limit across the queue's agents

    def record_assignment(self, delay_s: float) -> None:
        self.delays.append(delay_s)


@dataclass(slots=True)
class Agent:
    """An agent: "available for chat" is the Agent Console check box; loads count chats."""

    name: str
    available: bool = True
    max_load: int = 1
    current_load: int = 0
    queues: tuple[str, ...] = ()


@dataclass(slots=True)
class EntryPoint:
    """A chat entry point: the id a web page passes, the queue it feeds, whether it is active."""

    id: int
    queue: str
    active: bool = True
    agents_required: bool = True
    description: str = ""


@dataclass(slots=True)
class State:
    """The whole model. Mutate only through the admin API or a scenario, then call :meth:`touch`."""

    entry_points: dict[int, EntryPoint] = field(default_factory=dict)
    queues: dict[str, Queue] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=lambda: {"main": Service("main")})
    description: str = ""
    version: int = 0

    def touch(self) -> None:
        """Mark the state changed, so cached answers are dropped."""
        self.version += 1

    def agents_of(self, queue: str) -> list[Agent]:
        return [a for a in self.agents.values() if queue in a.queues]


class Condition(Enum):
    """Why an entry point can or cannot take a chat, each with its two documented encodings.

    The members are listed in PRECEDENCE order: when several hold at once, the first one wins. The
    order follows the guide's own listing in section 13 (active, agents, queue depth), with the two
    conditions it lists only among the reasons placed where they block most: an unknown id before
    everything, a stopped assignment service right after the entry point's own state (no agent can
    be assigned anything), and the integrated agent CTL last (it only matters when chats could
    otherwise be assigned).
    """

    # (responseType of checkEligibility, reason of chatAllowed or None when allowed)
    INVALID = (1, ops.Reason.INVALID_ENTRY_POINT)
    INACTIVE = (1, ops.Reason.ENTRY_POINT_INACTIVE)
    SERVICE_DOWN = (1, ops.Reason.SERVICE_NOT_RUNNING)
    NO_AGENT = (1, ops.Reason.AGENT_NOT_AVAILABLE)
    QUEUE_FULL = (2, ops.Reason.QUEUE_DEPTH_REACHED)
    CTL_REACHED = (3, ops.Reason.OTHER)
    OK = (0, None)

    @property
    def response_type(self) -> int:
        return int(self.value[0])

    @property
    def reason(self) -> str | None:
        reason = self.value[1]
        return None if reason is None else str(reason)


PRECEDENCE: tuple[Condition, ...] = tuple(Condition)
assert {c.reason for c in PRECEDENCE} - {None} == set(ops.REASONS), "every documented reason is reachable"
assert {c.response_type for c in PRECEDENCE} == set(ops.RESPONSE_TYPES), "every responseType is reachable"


def parse_id(raw: str) -> int | None:
    """The entry point id as the guide types it (a Java long), or None when ``raw`` is not one."""
    if not raw or len(raw) > 20:
        return None
    digits = raw[1:] if raw[0] == "-" else raw
    if not digits.isascii() or not digits.isdigit():
        return None
    value = int(raw)
    return value if -(1 << 63) <= value < (1 << 63) else None


def agent_available(state: State, ep: EntryPoint) -> bool:
    """Section 9: any agent of the queue with "available for chat" set, or agents not required."""
    if not ep.agents_required:
        return True
    return any(a.available for a in state.agents_of(ep.queue))


def remaining_capacity(state: State, ep: EntryPoint) -> int:
    """Section 10: max load minus current load over the queue's available agents, never negative."""
    return sum(max(0, a.max_load - a.current_load) for a in state.agents_of(ep.queue) if a.available)


def wait_time(queue: Queue) -> float:
    """Section 11: the mean of the last 20 assignment delays, in seconds (0.0 when none yet)."""
    return round(sum(queue.delays) / len(queue.delays), 3) if queue.delays else 0.0


def condition(state: State, ep_id: int) -> Condition:
    """The first condition of PRECEDENCE that holds for ``ep_id``: the single decision point."""
    ep = state.entry_points.get(ep_id)
    if ep is None:
        return Condition.INVALID
    if not ep.active:
        return Condition.INACTIVE
    queue = state.queues[ep.queue]
    service = state.services.get(queue.service)
    if service is None or not service.running:
        return Condition.SERVICE_DOWN
    if ep.agents_required and not any(a.available for a in state.agents_of(ep.queue)):
        return Condition.NO_AGENT
    if queue.max_depth is not None and queue.waiting + queue.in_progress >= queue.max_depth:
        return Condition.QUEUE_FULL
    if queue.ctl is not None and sum(a.current_load for a in state.agents_of(ep.queue)) >= queue.ctl:
        return Condition.CTL_REACHED
    return Condition.OK


Values = dict[str, object]
"""One answer as field name -> value, keyed by :class:`ecekit.operations.Field` names."""


def answer(state: State, op: ops.Operation, ep_id: int) -> Values:
    """The data of ``op``'s answer for ``ep_id`` (a status operation), before any rendering."""
    ep = state.entry_points.get(ep_id)
    if op is ops.CHECK_ELIGIBILITY:
        return {"responseType": condition(state, ep_id).response_type}
    if op is ops.CHAT_ALLOWED:
        reason = condition(state, ep_id).reason
        return {"allowed": True} if reason is None else {"allowed": False, "reason": reason}
    if op is ops.AGENT_AVAILABILITY:
        return {"available": ep is not None and agent_available(state, ep)}
    if op is ops.CAPACITY:
        return {"count": 0 if ep is None else remaining_capacity(state, ep)}
    if op is ops.LIVE_SESSION_STATUS:
        if ep is None:
            return {"waitTime": 0.0, "queueDepth": 0}
        queue = state.queues[ep.queue]
        return {"waitTime": wait_time(queue), "queueDepth": queue.waiting}
    raise ValueError(f"{op.name} is not a status operation")


def role(state: State, ep_id: int) -> str:
    """'plain', 'inactive' or 'invalid': what a contract checker may expect of this id."""
    ep = state.entry_points.get(ep_id)
    if ep is None:
        return "invalid"
    return "plain" if ep.active else "inactive"
