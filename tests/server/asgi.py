"""Calling the reference server's ASGI callable in-process: no socket, so a test can configure the
app as if it listened on 0.0.0.0 without exposing anything, and thousands of requests take seconds."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecekit.server import admin, scenario
from ecekit.server.access import AdminAccess
from ecekit.server.app import ADMIN_PREFIX, EceApp, Message
from ecekit.server.runtime import build_app

HANG = 5.0  # seconds: an answer slower than this in-process is a hang


@dataclass
class Answer:
    status: int
    headers: dict[bytes, bytes]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def make_app(tmp: Path, gate: AdminAccess | None) -> EceApp:
    return build_app(admin=True, admin_access=gate, surveys_db=tmp / "surveys.sqlite3")


def call(app: EceApp, method: str, path: str, *, body: bytes = b"",
         headers: Iterable[tuple[bytes, bytes]] = (), chunks: Sequence[int] = ()) -> Answer:
    """One request through ``app``; ``chunks`` splits the body into pieces of those sizes. Once the
    body is delivered a further ``receive()`` waits forever, as a quiet client would: reading past
    the end shows up as a hang (TimeoutError), not as an empty read."""
    return asyncio.run(asyncio.wait_for(_call(app, method, path, body, list(headers), chunks), HANG))


async def _call(app: EceApp, method: str, path: str, body: bytes, headers: list[tuple[bytes, bytes]],
                chunks: Sequence[int]) -> Answer:
    pieces: list[bytes] = []
    rest = body
    for size in chunks:
        if not rest:
            break
        pieces.append(rest[:size])
        rest = rest[size:]
    pieces.append(rest)
    messages = [{"type": "http.request", "body": p, "more_body": i < len(pieces) - 1}
                for i, p in enumerate(pieces)]
    forever = asyncio.Event()

    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        await forever.wait()
        raise AssertionError("unreachable")

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": headers,
             "query_string": b"", "client": ("127.0.0.1", 50000)}
    await app(scope, receive, send)
    start = sent[0]
    assert start["type"] == "http.response.start"
    return Answer(start["status"], dict(start["headers"]),
                  b"".join(m.get("body", b"") for m in sent[1:]))


def dump(app: EceApp) -> dict[str, Any]:
    """Everything the admin API could change: the state, its version, the faults, the surveys."""
    return {"state": scenario.to_mapping(app.state), "version": app.state.version,
            "faults": [f.spec for f in app.faults], "surveys": app.store.count(),
            "recent": app.store.recent()}


def reset(app: EceApp) -> None:
    assert app.initial is not None
    app.replace_state(app.initial())
    app.set_faults(())


def bearer(token: str) -> tuple[bytes, bytes]:
    return (b"authorization", b"Bearer " + token.encode())


JSON = (b"content-type", b"application/json")

# One request per admin route that succeeds on the default scenario (and changes something where the
# route can): proves a 401 refused a change that would otherwise have happened.
_GOOD: dict[tuple[str, str], tuple[str, Any]] = {
    ("GET", "state"): ("state", None),
    ("PUT", "state"): ("state", {"queues": {"q": {}}, "entry_points": {"1": {"queue": "q"}}}),
    ("POST", "reset"): ("reset", None),
    ("PATCH", "{kind}/{name}"): ("agents/alice", {"available": False}),
    ("GET", "faults"): ("faults", None),
    ("POST", "faults"): ("faults", {"fault": "capacity-500"}),
    ("DELETE", "faults"): ("faults", None),
    ("DELETE", "faults/{name}"): ("faults/capacity-500", None),
    ("GET", "surveys"): ("surveys", None),
    ("GET", "stats"): ("stats", None),
}


def good_request(route: admin.Route) -> tuple[str, str, bytes]:
    """(method, full path, body) of a request that ``route`` accepts; KeyError for a new route that
    this table does not know yet (add it)."""
    path, body = _GOOD[(route.method, route.path)]
    return route.method, f"{ADMIN_PREFIX}/{path}", b"" if body is None else json.dumps(body).encode()
