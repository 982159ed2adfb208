"""The admin API: read and change the reference server's state and faults while it runs.

Off unless ``--admin``. It lives under ``/_ecekit`` at the server's root, outside the context root,
so no ECE path can collide with it. JSON in and out; every change is validated by the scenario
rules (:mod:`ecekit.server.scenario`) and refused whole with a 4xx that says which key is wrong::

    GET    /_ecekit/state                      the state, in the scenario format
    PUT    /_ecekit/state                      replace it (a whole scenario as JSON)
    POST   /_ecekit/reset                      back to the scenario the server started with
    PATCH  /_ecekit/{kind}/{name}              change some keys of one item; kind is services,
                                               queues, agents or entry_points (entry-points too)
    GET    /_ecekit/faults                     {"active": [...], "catalogue": [...]}
    POST   /_ecekit/faults                     {"fault": "latency=50ms"}: add one
    DELETE /_ecekit/faults[/NAME]              clear all faults, or those called NAME
    GET    /_ecekit/surveys                    {"count": n, "recent": [...]}
    GET    /_ecekit/stats                      {"requests": n}
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ecekit.errors import ConfigError
from ecekit.server import faults as faults_mod
from ecekit.server import scenario
from ecekit.server.render import JSON_TYPE, Reply

if TYPE_CHECKING:
    from ecekit.server.app import EceApp, Receive, Scope

MAX_ADMIN_BODY = 1 << 20
_KINDS = {"services": "services", "queues": "queues", "agents": "agents",
          "entry_points": "entry_points", "entry-points": "entry_points"}


def _json(status: int, data: Any) -> Reply:
    return Reply(status, JSON_TYPE, json.dumps(data, ensure_ascii=False).encode())


def _problem(status: int, message: str, remedy: str | None = None) -> Reply:
    return _json(status, {"error": message, **({"remedy": remedy} if remedy else {})})


class _BadRequest(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


class Admin:
    """Admin request handling for one :class:`~ecekit.server.app.EceApp`."""

    def __init__(self, app: EceApp) -> None:
        self.app = app

    async def handle(self, scope: Scope, receive: Receive) -> Reply:
        from ecekit.server.app import ADMIN_PREFIX

        parts = [p for p in scope["path"][len(ADMIN_PREFIX):].split("/") if p]
        method: str = scope["method"]
        try:
            body = await self._body(scope, receive) if method in ("PUT", "PATCH", "POST") else None
            return self._route(method, parts, body)
        except _BadRequest as exc:
            return exc.reply
        except ConfigError as exc:
            return _problem(400, exc.message, exc.remedy)
        except KeyError as exc:
            return _problem(404, str(exc.args[0]) if exc.args else "not found")

    def _route(self, method: str, parts: list[str], body: Any) -> Reply:
        app = self.app
        match parts, method:
            case ["state"], "GET":
                return _json(200, scenario.to_mapping(app.state))
            case ["state"], "PUT":
                app.replace_state(scenario.from_mapping(_object(body), "admin"))
                return _json(200, scenario.to_mapping(app.state))
            case ["reset"], "POST":
                if app.initial is None:
                    return _problem(409, "this server has no initial scenario to reset to")
                app.replace_state(app.initial())
                app.set_faults(())
                return _json(200, scenario.to_mapping(app.state))
            case [kind, name], "PATCH" if kind in _KINDS:
                scenario.patch(app.state, _KINDS[kind], name, _object(body))
                return _json(200, scenario.to_mapping(app.state))
            case ["faults"], "GET":
                return _json(200, {"active": [f.describe() for f in app.faults],
                                   "catalogue": [_entry(cls) for cls in faults_mod.catalogue().values()]})
            case ["faults"], "POST":
                spec = _object(body).get("fault")
                if not isinstance(spec, str):
                    raise ConfigError('admin: expected {"fault": "NAME[=PARAM]"}',
                                      remedy="see GET /_ecekit/faults for the catalogue")
                fault = faults_mod.parse(spec)
                app.set_faults([*app.faults, fault])
                return _json(201, fault.describe())
            case ["faults"], "DELETE":
                app.set_faults(())
                return _json(200, {"active": []})
            case ["faults", name], "DELETE":
                if name not in faults_mod.catalogue():
                    faults_mod.parse(name)  # raises, with a close match
                app.set_faults([f for f in app.faults if f.name != name])
                return _json(200, {"active": [f.describe() for f in app.faults]})
            case ["surveys"], "GET":
                return _json(200, {"count": app.store.count(), "recent": app.store.recent()})
            case ["stats"], "GET":
                return _json(200, {"requests": app.requests})
        known = {"state", "reset", "faults", "surveys", "stats", *_KINDS}
        if parts and parts[0] in known:
            return _problem(405, f"{method} is not allowed on /{'/'.join(parts)}")
        return _problem(404, f"no admin resource /{'/'.join(parts)}",
                        "see docs/reference-server.md for the admin API")

    async def _body(self, scope: Scope, receive: Receive) -> Any:
        from ecekit.server.app import _read_body, header

        body = await _read_body(receive, MAX_ADMIN_BODY)
        if body is None:
            raise _BadRequest(_problem(413, f"admin bodies are limited to {MAX_ADMIN_BODY} bytes"))
        if not body.strip():
            return None
        media = header(scope, b"content-type").split(b";", 1)[0].strip().lower()
        if media != b"application/json":
            raise _BadRequest(_problem(415, "the admin API takes application/json",
                                       "send Content-Type: application/json"))
        try:
            return json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _BadRequest(_problem(400, f"body is not JSON: {exc}")) from exc


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ConfigError("admin: expected a JSON object", remedy="send {...} with the keys to set")
    return body


def _entry(cls: type[faults_mod.Fault]) -> dict[str, Any]:
    return {"name": cls.name, "trips": cls.trips, "summary": cls.summary, "takes_param": cls.takes_param}
