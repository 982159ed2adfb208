"""The reference server as a raw ASGI callable: a dict lookup for the hot status paths.

Why no framework: a status call is a prefix lookup, a cache hit and two ``send`` calls. Rendered
answers are cached per (path, format) for known entry points and dropped whenever the state's
version moves (admin changes) or faults change; with no fault set and logging above DEBUG, a cached
GET never leaves :meth:`EceApp.__call__`. Everything else (faults, surveys, errors, admin) takes
:meth:`EceApp._slow`, which never lets an exception become a 5xx of its own making.

Answers for every path (relative to the context root):

* the five status operations under each of their spellings (``operations.routes()``): 200;
  a non-numeric id 400 (XML error body); a method other than GET/HEAD 405;
* the survey: see :meth:`EceApp._survey`;
* ``/_ecekit/…`` (outside the context root, so it cannot collide): the admin API when enabled;
* ``/_widget/``: a page that shows each entry point's live state through a bundled chat widget,
  calling whatever server its query names (cross-origin, as a real site does);
* ``OPTIONS`` preflights and ``Access-Control-Allow-Origin`` for the origins of ``cors``;
* anything else: 404.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable

from ecekit import operations as ops
from ecekit import xmlsafe
from ecekit.server import faults as faults_mod
from ecekit.server import model, render, survey
from ecekit.server.access import AdminAccess
from ecekit.server.asgi import ADMIN_PREFIX, Message, Receive, Scope, Send, header, read_body
from ecekit.server.cors import CorsPolicy
from ecekit.server.render import Reply
from ecekit.server.store import SurveyStore

__all__ = ["ADMIN_PREFIX", "EceApp", "Message", "Receive", "Scope", "Send", "header", "normalise_root"]

WIDGET_PAGE = "/_widget/"
MAX_CACHED = 10_000
log = logging.getLogger("ecekit.server")


def normalise_root(context_root: str) -> str:
    """'/system/' -> '/system', '' or '/' -> '' (paths then start at /egain)."""
    root = "/" + context_root.strip("/")
    return "" if root == "/" else root


class EceApp:
    """The ASGI application. ``state`` may be replaced by the admin API; ``initial`` rebuilds it.
    ``admin_access`` guards the admin API (open when None: see :mod:`ecekit.server.access`)."""

    def __init__(
        self,
        state: model.State,
        store: SurveyStore,
        *,
        context_root: str = "/system",
        faults: tuple[faults_mod.Fault, ...] | list[faults_mod.Fault] = (),
        admin: bool = False,
        admin_access: AdminAccess | None = None,
        max_body: int = xmlsafe.DEFAULT_MAX_BODY,
        initial: Callable[[], model.State] | None = None,
        cors: CorsPolicy | None = None,
        survey_parsing: str = "strict",
    ) -> None:
        self.state = state
        self.cors = cors
        self.lenient_surveys = survey_parsing == "lenient"  # see ecekit.server.survey
        self.store = store
        self.context_root = normalise_root(context_root)
        self.max_body = max_body
        self.initial = initial
        self.requests = 0
        self._faults: tuple[faults_mod.Fault, ...] = tuple(faults)
        # Compile the schemas now: compiling on the first survey stalled every request for ~200 ms.
        xmlsafe.schemas()
        self._cache: dict[tuple[str, bool], tuple[Message, Message]] = {}
        self._version = state.version
        self._prefixes: dict[str, ops.Operation] = {}
        self._exact: dict[str, ops.Operation] = {}
        for route in ops.routes():
            if route.operation.takes_entry_point:
                self._prefixes[self.context_root + route.prefix] = route.operation
            else:
                self._exact[self.context_root + route.prefix] = route.operation
        self.admin = None
        if admin:
            from ecekit.server.admin import Admin

            self.admin = Admin(self, admin_access)
        self._debug = log.isEnabledFor(logging.DEBUG)
        self._fast = not self._faults and not self._debug

    # -- state and faults -------------------------------------------------------------------------

    @property
    def faults(self) -> tuple[faults_mod.Fault, ...]:
        return self._faults

    @property
    def _cors_dropped(self) -> bool:
        return any(f.drops_cors for f in self._faults)

    def _preflight_refused(self, path: str) -> bool:
        """Whether a fault refuses the preflight of the operation at ``path``."""
        refusing = [f for f in self._faults if f.refuses_preflight]
        if not refusing:
            return False
        op = self._exact.get(path) or self._prefixes.get(path.rpartition("/")[0] + "/")
        return op is not None and any(f.applies(op) for f in refusing)

    def set_faults(self, faults: tuple[faults_mod.Fault, ...] | list[faults_mod.Fault]) -> None:
        self._faults = tuple(faults)
        self._fast = not self._faults and not self._debug
        self._cache.clear()

    def replace_state(self, state: model.State) -> None:
        state.version = self.state.version + 1
        self.state = state
        self._cache.clear()

    # -- ASGI -------------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            if scope["type"] == "lifespan":
                await self._lifespan(receive, send)
            return
        self.requests += 1
        if self.cors is not None:
            allowed = None if self._cors_dropped else self.cors.allows(header(scope, b"origin"))
            if scope["method"] == "OPTIONS" and header(scope, b"access-control-request-method"):
                if allowed is not None and self._preflight_refused(scope["path"]):
                    allowed = None
                await _preflight(send, self.cors, allowed, header(scope, b"access-control-request-headers"))
                return
            if allowed is not None:
                send = self.cors.wrap(send, allowed)
        if self._fast and scope["method"] == "GET" and self._version == self.state.version:
            accept = b""
            for key, value in scope["headers"]:
                if key == b"accept":
                    accept = value
                    break
            hit = self._cache.get((scope["path"], b"json" in accept and render.wants_json(accept)))
            if hit is not None:
                await send(hit[0])
                await send(hit[1])
                return
        await self._slow(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _slow(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        method: str = scope["method"]
        as_json = render.wants_json(header(scope, b"accept"))
        reply: Reply | None
        if self.admin is not None and (path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")):
            reply = await self.admin.handle(scope, receive)
        elif path == WIDGET_PAGE and method in ("GET", "HEAD"):
            from ecekit.server.widget_page import page

            reply = page()
        else:
            reply = await self._ece(scope, receive, path, method, as_json)
            if reply is not None:
                for fault in self._faults:
                    reply.headers = reply.headers + fault.headers()
        if reply is None:
            _drop_connection(send)
            status = 0
        else:
            await _send(send, reply, head=method == "HEAD")
            status = reply.status
        if self._debug:
            log.debug('%s "%s %s" %s', _client(scope), method, path, status or "dropped")

    async def _ece(self, scope: Scope, receive: Receive, path: str, method: str,
                   as_json: bool) -> Reply | None:
        head, _, raw_id = path.rpartition("/")
        op = self._prefixes.get(head + "/")
        if op is None:
            op = self._exact.get(path)
            if op is None:
                return render.error(404, "not_found", f"no operation at {path}", as_json)
        if op is ops.SURVEY:
            if method != "POST":
                return render.error(405, "method_not_allowed", f"{op.name} takes POST", as_json,
                                    [(b"allow", b"POST")])
        elif method not in ("GET", "HEAD"):
            return render.error(405, "method_not_allowed", f"{op.name} takes GET", as_json,
                                [(b"allow", b"GET, HEAD")])
        for fault in self._faults:
            if await fault.before(time.monotonic()):
                return None
        if op is ops.SURVEY:
            return await self._survey(scope, receive, as_json)
        ep_id = model.parse_id(raw_id)
        if ep_id is None:
            return render.error(400, "invalid_id", f"entry point id {raw_id[:40]!r} is not a long "
                                "(a whole number)", as_json)
        return self._status(op, ep_id, path, as_json)

    def _status(self, op: ops.Operation, ep_id: int, path: str, as_json: bool) -> Reply:
        state = self.state
        if self._version != state.version:
            self._cache.clear()
            self._version = state.version
        values = model.answer(state, op, ep_id)
        if self._faults:
            ctx = faults_mod.Context(op, ep_id, as_json, state, values)
            active = [f for f in self._faults if f.applies(op)]
            for fault in active:
                ctx.values = fault.values(ctx, ctx.values)
            reply = render.answer(op, ctx.values, as_json)
            for fault in active:
                reply = fault.reply(ctx, reply)
            return reply
        reply = render.answer(op, values, as_json)
        if ep_id in state.entry_points and len(self._cache) < MAX_CACHED:
            self._cache[(path, as_json)] = (
                {"type": "http.response.start", "status": 200, "headers": reply.raw_headers()},
                {"type": "http.response.body", "body": reply.body},
            )
        return reply

    async def _survey(self, scope: Scope, receive: Receive, as_json: bool) -> Reply:
        """415 for a non-XML type, 413 over the cap (read no further), 400 for a bad body, else
        store, commit, then 204. Survey faults may replace the verdict (and then nothing is stored).
        Lenient parsing ignores the Content-Type and stores whatever a JAXB-like reading recovers."""
        content_type = header(scope, b"content-type")
        if not self.lenient_surveys and not survey.media_type_ok(content_type):
            shown = content_type.decode("latin-1")[:80] or "none"
            return render.error(415, "unsupported_media_type", f"Content-Type {shown!r}: send "
                                "application/xml or text/xml", as_json)
        declared = header(scope, b"content-length")
        if declared.isdigit() and int(declared) > self.max_body:
            return self._too_large(int(declared), as_json)
        body = await read_body(receive, self.max_body)
        if body is None:
            return self._too_large(None, as_json)
        outcome = (survey.read_leniently if self.lenient_surveys else survey.validate)(body, self.max_body)
        for fault in self._faults:
            faulted = fault.survey(outcome, body)
            if faulted is not None:
                return faulted
        if not outcome.ok:
            return render.error(outcome.status, outcome.code, outcome.message, as_json)
        try:
            self.store.add(outcome.sid, outcome.pairs)
        except sqlite3.Error as exc:
            log.error("survey not stored: %s", exc)
            return render.error(503, "storage_unavailable", "the survey could not be stored", as_json)
        return Reply(204)

    def _too_large(self, size: int | None, as_json: bool) -> Reply:
        what = f"{size} bytes" if size is not None else "the body"
        return render.error(413, "too_large", f"{what} exceeds the limit of {self.max_body} bytes",
                            as_json)


async def _preflight(send: Send, cors: CorsPolicy, allowed: bytes | None, requested: bytes) -> None:
    """Answer a CORS preflight: 204 with the allowances, or 403 without them (origin not allowed)."""
    if allowed is None:
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-length", b"0"), (b"vary", b"Origin")]})
    else:
        await send({"type": "http.response.start", "status": 204,
                    "headers": cors.preflight_headers(allowed, requested)})
    await send({"type": "http.response.body", "body": b""})


async def _send(send: Send, reply: Reply, *, head: bool = False) -> None:
    await send({"type": "http.response.start", "status": reply.status, "headers": reply.raw_headers()})
    if reply.chunks is not None and not head:
        for chunk in reply.chunks():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.body", "body": b"" if head else reply.body})


def _drop_connection(send: Send) -> None:
    """Close the socket without a response. ASGI has no message for this, so reach the server's
    transport through the bound ``send`` (uvicorn's cycles keep it) and mark the cycle disconnected
    so the server does not answer 500 in our place."""
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionAbortedError("fault 'drop': this ASGI server exposes no transport to close")
    cycle.disconnected = True  # type: ignore[union-attr]
    transport.close()


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return f"{client[0]}:{client[1]}" if client else "-"
