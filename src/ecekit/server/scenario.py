"""Scenarios: TOML files that describe a :class:`~ecekit.server.model.State`, validated on load.

The same key specifications validate a scenario file, a state PUT through the admin API and every
admin PATCH, so a mistake reads the same wherever it is made: the file (or "admin"), the key, what
was expected and what was found, with a close match for a misspelt key. Format (see
docs/reference-server.md)::

    description = "what this scenario shows"
    [services.main]            # an agent assignment service instance
    running = true
    [queues.sales]
    max_depth = 10             # chats the queue may process (waiting + in progress); omit: no limit
    waiting = 1                # chats waiting: liveSessionStatus/queueDepth
    in_progress = 2
    delays = [2.0, 4.0]        # seconds of the last assignments (the last 20 are kept)
    service = "main"           # default "main"
    ctl = 6                    # integrated agent concurrent-task limit; omit: none
    [agents.alice]
    available = true           # the "Available for chat" check box
    max_load = 3
    current_load = 1
    queues = ["sales"]
    [entry_points.1001]
    queue = "sales"
    active = true
    agents_required = true
    description = "what a web page sees here"
"""

from __future__ import annotations

import difflib
import tomllib
from collections import deque
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from ecekit.errors import ConfigError
from ecekit.server import model

DEFAULT_SCENARIO = Path(__file__).resolve().parent / "scenarios" / "default.toml"

Check = Callable[[Any], bool]


def _count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


MAX_SECONDS = 1e9  # ~31 years: bounds a delay so NaN, infinity and 10**400 are refused, not rendered


def _seconds_list(v: Any) -> bool:
    return isinstance(v, list) and all(
        isinstance(x, int | float) and not isinstance(x, bool) and 0 <= x <= MAX_SECONDS for x in v)


def _names(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) and x for x in v)


_BOOL: tuple[Check, str] = (lambda v: isinstance(v, bool), "true or false")
_COUNT: tuple[Check, str] = (_count, "a whole number >= 0")
_TEXT: tuple[Check, str] = (lambda v: isinstance(v, str), "a string")
_NAME: tuple[Check, str] = (lambda v: isinstance(v, str) and bool(v), "a non-empty string")

SPECS: dict[str, dict[str, tuple[Check, str]]] = {
    "services": {"running": _BOOL},
    "queues": {
        "max_depth": _COUNT, "waiting": _COUNT, "in_progress": _COUNT,
        "delays": (_seconds_list, "a list of seconds from 0 to 1e9"), "service": _NAME, "ctl": _COUNT,
    },
    "agents": {
        "available": _BOOL, "max_load": _COUNT, "current_load": _COUNT,
        "queues": (_names, "a list of queue names"),
    },
    "entry_points": {"queue": _NAME, "active": _BOOL, "agents_required": _BOOL, "description": _TEXT},
}
REQUIRED: dict[str, tuple[str, ...]] = {"entry_points": ("queue",)}
TOP_KEYS = ("description", *SPECS)


def _unknown(source: str, where: str, key: str, valid: tuple[str, ...] | list[str]) -> ConfigError:
    close = difflib.get_close_matches(key, valid, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ConfigError(f"{source}: unknown key {where}{key!r}.{hint}",
                       remedy=f"valid keys here: {', '.join(valid)}")


def check_fields(source: str, kind: str, name: str, data: Any, *, partial: bool) -> dict[str, Any]:
    """Validate one table (or an admin patch when ``partial``) of ``kind``; returns it unchanged."""
    where = f"{kind}.{name}"
    if not isinstance(data, Mapping):
        raise ConfigError(f"{source}: {where} must be a table of keys, got {type(data).__name__}",
                          remedy=f"valid keys: {', '.join(SPECS[kind])}")
    spec = SPECS[kind]
    for key, value in data.items():
        if key not in spec:
            raise _unknown(source, f"in {where}: ", key, list(spec))
        ok, expected = spec[key]
        if not ok(value):
            raise ConfigError(f"{source}: {where}.{key} must be {expected}, got {value!r}",
                              remedy=f"set {where}.{key} to {expected}")
    if not partial:
        for key in REQUIRED.get(kind, ()):
            if key not in data:
                raise ConfigError(f"{source}: {where} has no {key!r}", remedy=f"add {key} = … to {where}")
    return dict(data)


def entry_point_id(source: str, key: str) -> int:
    ep_id = model.parse_id(str(key))
    if ep_id is None:
        raise ConfigError(f"{source}: entry point id {key!r} is not a whole number (the guide types it "
                          "as a long)", remedy="name entry points by number, e.g. [entry_points.1001]")
    return ep_id


def from_mapping(data: Mapping[str, Any], source: str = "scenario") -> model.State:
    """Build and cross-check a State from parsed TOML or JSON; raise ConfigError on any mistake."""
    for key in data:
        if key not in TOP_KEYS:
            raise _unknown(source, "", key, TOP_KEYS)
    state = model.State(description=str(data.get("description", "")))
    tables = {kind: data.get(kind, {}) for kind in SPECS}
    for kind, table in tables.items():
        if not isinstance(table, Mapping):
            raise ConfigError(f"{source}: {kind} must be a table", remedy=f"write [{kind}.NAME] sections")
    if tables["services"]:
        state.services = {}
    for name, raw in tables["services"].items():
        state.services[name] = model.Service(name, **check_fields(source, "services", name, raw,
                                                                  partial=False))
    for name, raw in tables["queues"].items():
        state.queues[name] = new_queue(name, check_fields(source, "queues", name, raw, partial=False))
    for name, raw in tables["agents"].items():
        fields = check_fields(source, "agents", name, raw, partial=False)
        state.agents[name] = model.Agent(name, **{**fields, "queues": tuple(fields.get("queues", ()))})
    for key, raw in tables["entry_points"].items():
        ep_id = entry_point_id(source, key)
        state.entry_points[ep_id] = model.EntryPoint(
            ep_id, **check_fields(source, "entry_points", str(key), raw, partial=False))
    cross_check(state, source)
    return state


def new_queue(name: str, fields: Mapping[str, Any]) -> model.Queue:
    queue = model.Queue(name, **{k: v for k, v in fields.items() if k != "delays"})
    queue.delays.extend(float(d) for d in fields.get("delays", ()))
    return queue


def cross_check(state: model.State, source: str) -> None:
    """Every name a table refers to must exist; raise ConfigError naming the first that does not."""
    for ep in state.entry_points.values():
        if ep.queue not in state.queues:
            raise _missing(source, f"entry_points.{ep.id}.queue", ep.queue, list(state.queues))
    for agent in state.agents.values():
        for served in agent.queues:
            if served not in state.queues:
                raise _missing(source, f"agents.{agent.name}.queues", served, list(state.queues))
    for queue in state.queues.values():
        if queue.service not in state.services:
            raise _missing(source, f"queues.{queue.name}.service", queue.service, list(state.services))


def _missing(source: str, key: str, value: str, valid: list[str]) -> ConfigError:
    close = difflib.get_close_matches(value, valid, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return ConfigError(f"{source}: {key} names {value!r}, which is not defined.{hint}",
                       remedy=f"defined: {', '.join(valid) or 'none'}")


def load(path: str | Path | None = None) -> model.State:
    """Load a scenario file (default: the bundled default scenario)."""
    file = Path(path) if path else DEFAULT_SCENARIO
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read scenario {file}: {exc.strerror or exc}",
                          remedy="pass an existing TOML file to --scenario") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}", remedy="fix the syntax at that line") from exc
    return from_mapping(data, str(file))


def to_mapping(state: model.State) -> dict[str, Any]:
    """The state in the scenario format (JSON-ready), as the admin API shows it."""
    def queue(q: model.Queue) -> dict[str, Any]:
        out: dict[str, Any] = {"waiting": q.waiting, "in_progress": q.in_progress,
                               "delays": list(q.delays), "service": q.service}
        if q.max_depth is not None:
            out["max_depth"] = q.max_depth
        if q.ctl is not None:
            out["ctl"] = q.ctl
        return out

    return {
        "description": state.description,
        "services": {s.name: {"running": s.running} for s in state.services.values()},
        "queues": {q.name: queue(q) for q in state.queues.values()},
        "agents": {a.name: {"available": a.available, "max_load": a.max_load,
                            "current_load": a.current_load, "queues": list(a.queues)}
                   for a in state.agents.values()},
        "entry_points": {str(e.id): {"queue": e.queue, "active": e.active,
                                     "agents_required": e.agents_required, "description": e.description}
                         for e in state.entry_points.values()},
    }


def patch(state: model.State, kind: str, name: str, changes: Any, source: str = "admin") -> None:
    """Apply a partial change to one existing item, validated; the state is untouched on error."""
    if kind not in SPECS:
        raise _unknown(source, "kind ", kind, list(SPECS))
    fields = check_fields(source, kind, name, changes, partial=True)
    table: dict[Any, Any] = getattr(state, kind)
    key: Any = entry_point_id(source, name) if kind == "entry_points" else name
    if key not in table:
        raise KeyError(f"no {kind[:-1].replace('_', ' ')} {name!r}; defined: "
                       f"{', '.join(str(k) for k in table) or 'none'}")
    trial = from_mapping(to_mapping(state), source)  # validate references on a copy first
    target = getattr(trial, kind)[key]
    _assign(target, fields)
    cross_check(trial, source)
    _assign(table[key], fields)
    state.touch()


def _assign(item: Any, fields: Mapping[str, Any]) -> None:
    for k, v in fields.items():
        if k == "delays":
            item.delays = deque((float(d) for d in v), maxlen=model.WAIT_WINDOW)
        elif k == "queues":
            item.queues = tuple(v)
        else:
            setattr(item, k, v)


def listing(path: str | Path | None = None) -> list[str]:
    """``ecekit serve --list-entry-points``: the scenario's entry points, one line each."""
    state = load(path)
    lines = [f"scenario: {path or DEFAULT_SCENARIO}"] + ([f"  {state.description}"] if state.description else [])
    for ep in sorted(state.entry_points.values(), key=lambda e: e.id):
        flags = [] if ep.active else ["inactive"]
        flags += [] if ep.agents_required else ["agents not required"]
        extra = f" [{', '.join(flags)}]" if flags else ""
        lines.append(f"{ep.id:>8}  queue {ep.queue}{extra}: {ep.description}")
    return lines
