"""Chat widgets as data: what a page's widget asks ECE, and which state each answer makes it show.

A site owner does not ask "did checkEligibility validate?" but "what did my visitors see?". A widget
here is what answers that: the operation it calls when the page loads (and again while polling), its
client timeout, whether it stops polling after an error, and an ordered list of rules from the
answer's typed values to the state the visitor sees. An answer that no rule maps, a non-2xx status, a
body that is not the documented XML, or no answer within the timeout, shows ``error``: that is what
the widget described in ECE_NOTES does, and why a contract breach hides the chat for every visitor.

Two widgets are bundled, modelled on what real pages do (ECE_NOTES, "How real pages call these
endpoints"): ``eligibility`` (checkEligibility, 0/1/2 → available/unavailable/busy, anything else an
error that stops polling, every 15 s, 5 s timeout) and ``chat-allowed`` (chatAllowed, showing the
reason). Users define their own in a profile or the target file (``[widget]``, see :func:`from_mapping`).
This module is data only: :mod:`ecekit.checks.widget` reads answers with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ecekit import operations
from ecekit.errors import ConfigError, did_you_mean


class State(StrEnum):
    """What a visitor sees where the chat button would be."""

    AVAILABLE = "available"  # the chat button
    UNAVAILABLE = "unavailable"  # "no agent available right now"
    BUSY = "busy"  # "all agents are busy / the queue is full"
    CLOSED = "closed"  # chat is switched off for this entry point
    ERROR = "error"  # the widget could not use the answer


STATES: tuple[str, ...] = tuple(s.value for s in State)


@dataclass(frozen=True, slots=True)
class Rule:
    """``field == value`` (compared as the typed value's text: ``true``, ``0``, ``agent_not_available``)
    shows ``state``. ``value`` ``*`` matches any value present."""

    field: str
    value: str
    state: State


@dataclass(frozen=True)
class Widget:
    name: str
    operation: operations.Operation
    rules: tuple[Rule, ...]
    poll_interval: float | None = 15.0  # seconds between polls while the page is open; None: no polling
    timeout: float = 5.0  # seconds; a slower answer is an error to the visitor
    stop_on_error: bool = True  # the widget shows an error and asks no more
    description: str = ""
    show: tuple[str, ...] = ()  # fields the widget shows beside its state (e.g. chatAllowed's reason)

def _rules(*rules: tuple[str, str, State]) -> tuple[Rule, ...]:
    return tuple(Rule(f, v, s) for f, v, s in rules)


_R = operations.Reason
BUNDLED: dict[str, Widget] = {
    "eligibility": Widget(
        name="eligibility", operation=operations.CHECK_ELIGIBILITY,
        rules=_rules(("responseType", "0", State.AVAILABLE), ("responseType", "1", State.UNAVAILABLE),
                     ("responseType", "2", State.BUSY)),
        description="checkEligibility on load and every 15 s; 0/1/2 -> available/unavailable/busy, "
                    "anything else (responseType 3 included), a non-2xx or a timeout -> error, and "
                    "polling stops (the widget described in ECE_NOTES)"),
    "chat-allowed": Widget(
        name="chat-allowed", operation=operations.CHAT_ALLOWED,
        rules=_rules(("allowed", "true", State.AVAILABLE),
                     ("reason", _R.AGENT_NOT_AVAILABLE.value, State.UNAVAILABLE),
                     ("reason", _R.QUEUE_DEPTH_REACHED.value, State.BUSY),
                     ("reason", _R.SERVICE_NOT_RUNNING.value, State.CLOSED),
                     ("reason", _R.ENTRY_POINT_INACTIVE.value, State.CLOSED),
                     ("reason", _R.INVALID_ENTRY_POINT.value, State.CLOSED),
                     ("reason", _R.OTHER.value, State.UNAVAILABLE),
                     ("allowed", "false", State.UNAVAILABLE)),
        poll_interval=15.0, stop_on_error=False, show=("reason",),
        description="chatAllowed on load and every 15 s, showing the reason when chat is not allowed; "
                    "keeps polling after an error"),
}
DEFAULT_WIDGET = "chat-allowed"


def get(name: str, custom: Mapping[str, Widget] | None = None) -> Widget:
    """A bundled or user-defined widget by name; a ConfigError with a close match otherwise."""
    known = {**BUNDLED, **(custom or {})}
    try:
        return known[name]
    except KeyError:
        raise ConfigError(f"unknown widget {name!r}",
                          remedy=f"{did_you_mean(name, known)}widgets: {', '.join(sorted(known))}; define "
                          "your own in a [widget] table (see docs/widgets.md)") from None


def from_mapping(data: Mapping[str, Any], source: str = "[widget]") -> Widget:
    """A user-defined widget from a TOML table::

        [widget]
        name = "my-widget"
        operation = "checkEligibility"
        poll_interval = 10          # 0: no polling
        timeout = 3.0
        stop_on_error = true
        rules = [["responseType", "0", "available"], ["responseType", "1", "unavailable"],
                 ["responseType", "2", "busy"], ["responseType", "3", "busy"]]
    """
    allowed = {"name", "operation", "poll_interval", "timeout", "stop_on_error", "rules", "description", "show"}
    for key in data:
        if key not in allowed:
            raise ConfigError(f"{source}: unknown key {key!r}",
                              remedy=f"{did_you_mean(key, allowed)}valid keys: {', '.join(sorted(allowed))}")
    try:
        op = operations.get(str(data.get("operation", "")))
    except KeyError as exc:
        raise ConfigError(f"{source}: {exc.args[0]}", remedy="operation names a status operation") from None
    if not op.is_status:
        raise ConfigError(f"{source}: a widget asks a status operation, not {op.name}",
                          remedy=f"one of {', '.join(o.name for o in operations.STATUS_OPERATIONS)}")
    names = {f.name for f in op.fields}
    rules: list[Rule] = []
    for item in data.get("rules") or []:
        if not (isinstance(item, list | tuple) and len(item) == 3):
            raise ConfigError(f"{source}: rule {item!r} is not [field, value, state]",
                              remedy='e.g. ["responseType", "0", "available"]')
        fld, value, state = (str(x) for x in item)
        if fld not in names:
            raise ConfigError(f"{source}: {op.name} has no field {fld!r}",
                              remedy=f"{did_you_mean(fld, names)}fields: {', '.join(sorted(names))}")
        if state not in STATES:
            raise ConfigError(f"{source}: unknown state {state!r}",
                              remedy=f"{did_you_mean(state, STATES)}states: {', '.join(STATES)}")
        rules.append(Rule(fld, value, State(state)))
    if not rules:
        raise ConfigError(f"{source}: a widget needs rules", remedy='e.g. rules = [["allowed", "true", "available"]]')
    interval = float(data.get("poll_interval", 15.0))
    timeout = float(data.get("timeout", 5.0))
    if interval < 0 or timeout <= 0:
        raise ConfigError(f"{source}: poll_interval must be 0 or more and timeout positive")
    return Widget(name=str(data.get("name") or "custom"), operation=op, rules=tuple(rules),
                  poll_interval=interval or None, timeout=timeout,
                  stop_on_error=bool(data.get("stop_on_error", True)),
                  description=str(data.get("description", "")), show=tuple(data.get("show") or ()))


def to_mapping(widget: Widget) -> dict[str, Any]:
    """The [widget] table that :func:`from_mapping` reads back (to hand a user's widget to another process)."""
    return {"name": widget.name, "operation": widget.operation.name, "poll_interval": widget.poll_interval or 0,
            "timeout": widget.timeout, "stop_on_error": widget.stop_on_error, "description": widget.description,
            "show": list(widget.show), "rules": [[r.field, r.value, r.state.value] for r in widget.rules]}


def as_json(widget: Widget) -> dict[str, Any]:
    """The widget as the bundled browser widget reads it (one source for both)."""
    return {"name": widget.name, "operation": widget.operation.name, "root": widget.operation.response_root,
            "fields": {f.name: {"kind": f.kind.value, "ns": operations.CHAT_NS if f.kind.value == "element" else ""}
                       for f in widget.operation.fields},
            "rules": [[r.field, r.value, r.state.value] for r in widget.rules],
            "poll_interval": widget.poll_interval, "timeout": widget.timeout,
            "stop_on_error": widget.stop_on_error, "show": list(widget.show)}


