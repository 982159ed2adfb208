"""The admin API: read and change the reference server's state and faults while it runs.

Off unless ``--admin``. It lives under ``/_ecekit`` at the server's root, outside the context root,
so no ECE path can collide with it. JSON in and out; every change is validated by the scenario
rules (:mod:`ecekit.server.scenario`) and refused whole with a 4xx that says which key is wrong.
:data:`ROUTES` is the one table of what it serves (the fuzz test walks it)::

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

When the server is reachable beyond loopback (or a token was chosen), every request must carry
``Authorization: Bearer TOKEN`` (:mod:`ecekit.server.access`); the check comes before the body is
read or the path is looked at, and a refusal is a 401 that changes nothing. An open (loopback, no
token) admin API refuses with 403 what a web page sent (``Origin``, ``Sec-Fetch-Site``, a ``Host``
that is not loopback): a page the owner visits must not drive it; and what a proxy relayed
(``Forwarded``, ``X-Forwarded-For``, ``X-Real-IP``, ``Via``): a proxy on this machine would open it to
the proxy's clients.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from ecekit.errors import ConfigError
from ecekit.server import faults as faults_mod
from ecekit.server import scenario
from ecekit.server.access import PROXY_HEADERS, AdminAccess
from ecekit.server.asgi import ADMIN_PREFIX, Receive, Scope, header, read_body
from ecekit.server.render import JSON_TYPE, Reply


class EceApp(Protocol):
    """What the admin API drives of the reference server's app (``ecekit.server.app.EceApp``): named
    here, not imported, so the app can build its admin API without a cycle between the two."""

    @property
    def state(self) -> Any: ...

    @property
    def initial(self) -> Callable[[], Any] | None: ...

    @property
    def faults(self) -> Any: ...

    @property
    def store(self) -> Any: ...

    @property
    def requests(self) -> Any: ...

    def replace_state(self, state: Any) -> None: ...

    def set_faults(self, faults: Any) -> None: ...


MAX_ADMIN_BODY = 1 << 20
KINDS = {"services": "services", "queues": "queues", "agents": "agents",
         "entry_points": "entry_points", "entry-points": "entry_points"}
BODY_METHODS = frozenset({"PUT", "PATCH", "POST"})
Params = dict[str, str]
Handler = Callable[[EceApp, Params, Any], Reply]


def _json(status: int, data: Any, headers: list[tuple[bytes, bytes]] | None = None) -> Reply:
    return Reply(status, JSON_TYPE, json.dumps(data, ensure_ascii=False).encode(), headers or [])


def _problem(status: int, message: str, remedy: str | None = None,
             headers: list[tuple[bytes, bytes]] | None = None) -> Reply:
    return _json(status, {"error": message, **({"remedy": remedy} if remedy else {})}, headers)


class _BadRequest(Exception):
    def __init__(self, reply: Reply) -> None:
        super().__init__(reply.status)
        self.reply = reply


# -- handlers: (app, path parameters, parsed JSON body or None) -> Reply ------------------------------

def _state(app: EceApp, _: Params, __: Any) -> Reply:
    return _json(200, scenario.to_mapping(app.state))


def _put_state(app: EceApp, _: Params, body: Any) -> Reply:
    app.replace_state(scenario.from_mapping(_object(body), "admin"))
    return _state(app, _, None)


def _reset(app: EceApp, _: Params, __: Any) -> Reply:
    if app.initial is None:
        return _problem(409, "this server has no initial scenario to reset to")
    app.replace_state(app.initial())
    app.set_faults(())
    return _state(app, _, None)


def _patch(app: EceApp, params: Params, body: Any) -> Reply:
    scenario.patch(app.state, KINDS[params["kind"]], params["name"], _object(body))
    return _state(app, params, None)


def _faults(app: EceApp, _: Params, __: Any) -> Reply:
    return _json(200, {"active": [f.describe() for f in app.faults],
                       "catalogue": [_entry(cls) for cls in faults_mod.catalogue().values()]})


def _add_fault(app: EceApp, _: Params, body: Any) -> Reply:
    spec = _object(body).get("fault")
    if not isinstance(spec, str):
        raise ConfigError('admin: expected {"fault": "NAME[=PARAM]"}',
                          remedy="see GET /_ecekit/faults for the catalogue")
    fault = faults_mod.parse(spec)
    app.set_faults([*app.faults, fault])
    return _json(201, fault.describe())


def _clear_faults(app: EceApp, _: Params, __: Any) -> Reply:
    app.set_faults(())
    return _json(200, {"active": []})


def _clear_fault(app: EceApp, params: Params, _: Any) -> Reply:
    name = params["name"]
    if name not in faults_mod.catalogue():
        faults_mod.parse(name)  # raises, with a close match
    app.set_faults([f for f in app.faults if f.name != name])
    return _json(200, {"active": [f.describe() for f in app.faults]})


def _surveys(app: EceApp, _: Params, __: Any) -> Reply:
    return _json(200, {"count": app.store.count(), "recent": app.store.recent()})


def _stats(app: EceApp, _: Params, __: Any) -> Reply:
    return _json(200, {"requests": app.requests})


@dataclass(frozen=True)
class Route:
    """One admin route. In ``path``, ``{kind}`` matches a key of :data:`KINDS` and any other
    ``{name}`` one non-empty path segment."""

    method: str
    path: str
    handler: Handler

    @property
    def segments(self) -> tuple[str, ...]:
        return tuple(self.path.split("/"))

    def match(self, parts: list[str]) -> Params | None:
        if len(parts) != len(self.segments):
            return None
        params: Params = {}
        for pattern, part in zip(self.segments, parts, strict=True):
            if pattern == "{kind}":
                if part not in KINDS:
                    return None
                params["kind"] = part
            elif pattern.startswith("{"):
                params[pattern.strip("{}")] = part
            elif pattern != part:
                return None
        return params


ROUTES: tuple[Route, ...] = (
    Route("GET", "state", _state),
    Route("PUT", "state", _put_state),
    Route("POST", "reset", _reset),
    Route("PATCH", "{kind}/{name}", _patch),
    Route("GET", "faults", _faults),
    Route("POST", "faults", _add_fault),
    Route("DELETE", "faults", _clear_faults),
    Route("DELETE", "faults/{name}", _clear_fault),
    Route("GET", "surveys", _surveys),
    Route("GET", "stats", _stats),
)


class Admin:
    """Admin request handling for one :class:`~ecekit.server.app.EceApp`, behind ``access``."""

    def __init__(self, app: EceApp, access: AdminAccess | None = None) -> None:
        self.app = app
        self.access = access or AdminAccess()

    async def handle(self, scope: Scope, receive: Receive) -> Reply:
        refusal = self.access.refusal(header(scope, b"authorization"))
        if refusal is not None:
            return _unauthorized(refusal)
        refusal = self.access.web_page_refusal(header(scope, b"host"), header(scope, b"origin"),
                                               header(scope, b"sec-fetch-site"))
        if refusal is not None:
            return _problem(403, refusal, "drive the admin API from a script, curl or ecekit at "
                            "http://127.0.0.1:PORT/_ecekit, or start the server with --admin-token")
        sent = {bytes(key) for key, _ in scope["headers"]}
        refusal = self.access.proxy_refusal([name for name in PROXY_HEADERS if name in sent])
        if refusal is not None:
            return _problem(403, refusal, "start the server with --admin-token (or ECEKIT_ADMIN_TOKEN) "
                            "and have the proxy pass 'Authorization: Bearer TOKEN', or drive the admin "
                            "API directly at http://127.0.0.1:PORT/_ecekit")
        parts = [p for p in scope["path"][len(ADMIN_PREFIX):].split("/") if p]
        method: str = scope["method"]
        matches = [(route, params) for route in ROUTES if (params := route.match(parts)) is not None]
        chosen = next(((r, p) for r, p in matches if r.method == method), None)
        if chosen is None:
            if matches:
                allow = ", ".join(r.method for r, _ in matches)
                return _problem(405, f"{method} is not allowed on /{'/'.join(parts)}",
                                f"use {allow}", [(b"allow", allow.encode())])
            return _problem(404, f"no admin resource /{'/'.join(parts)}",
                            "see docs/reference-server.md for the admin API")
        route, params = chosen
        try:
            body = await self._body(scope, receive) if method in BODY_METHODS else None
            return route.handler(self.app, params, body)
        except _BadRequest as exc:
            return exc.reply
        except ConfigError as exc:
            return _problem(400, exc.message, exc.remedy)
        except KeyError as exc:
            return _problem(404, str(exc.args[0]) if exc.args else "not found")

    async def _body(self, scope: Scope, receive: Receive) -> Any:
        too_large = _BadRequest(_problem(413, f"admin bodies are limited to {MAX_ADMIN_BODY} bytes"))
        declared = header(scope, b"content-length")
        if declared.isdigit() and int(declared) > MAX_ADMIN_BODY:
            raise too_large
        body = await read_body(receive, MAX_ADMIN_BODY)
        if body is None:
            raise too_large
        if not body.strip():
            return None
        media = header(scope, b"content-type").split(b";", 1)[0].strip().lower()
        if media != b"application/json":
            raise _BadRequest(_problem(415, "the admin API takes application/json",
                                       "send Content-Type: application/json"))
        try:
            return json.loads(body, parse_constant=_no_constant)
        except (ValueError, UnicodeDecodeError) as exc:
            raise _BadRequest(_problem(400, f"body is not JSON: {exc}")) from exc
        except RecursionError as exc:  # a 1 MiB body of '[' nests deeper than the interpreter goes
            raise _BadRequest(_problem(400, "body is not JSON this server takes: nested too deep",
                                       "send the scenario format, a few levels deep")) from exc


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON (RFC 8259 has no NaN or Infinity)")


def _unauthorized(reason: str) -> Reply:
    return _problem(401, reason, "send 'Authorization: Bearer TOKEN' with the token given to "
                    "--admin-token or ECEKIT_ADMIN_TOKEN, or the one `ecekit serve` printed at start",
                    [(b"www-authenticate", b'Bearer realm="ecekit admin"')])


def _object(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ConfigError("admin: expected a JSON object", remedy="send {...} with the keys to set")
    return body


def _entry(cls: type[faults_mod.Fault]) -> dict[str, Any]:
    return {"name": cls.name, "trips": cls.trips, "summary": cls.summary, "takes_param": cls.takes_param}
