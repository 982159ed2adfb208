"""What a fault mode of the reference server is: the hooks it may change, each a no-op here.

The fault modes themselves live in :mod:`ecekit.server.faults` (the answers' contents) and
:mod:`ecekit.server.transport_faults` (latency, stalls, dropped connections); the catalogue of both is
``faults.catalogue()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from ecekit import operations as ops
from ecekit.errors import ConfigError
from ecekit.server import model
from ecekit.server.render import Reply
from ecekit.server.survey import Outcome


@dataclass(slots=True)
class Context:
    """What a fault may know about one status request. ``state`` is read, never written."""

    op: ops.Operation
    ep_id: int
    as_json: bool
    state: model.State
    values: model.Values


class Fault:
    """Base class: every hook is a no-op. Subclasses set name, trips and summary."""

    name: ClassVar[str] = ""
    trips: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    operation: ClassVar[ops.Operation | None] = None  # the one operation it breaks, if any
    takes_param: ClassVar[bool] = False
    drops_cors: ClassVar[bool] = False  # the server forgets its cross-origin headers
    refuses_preflight: ClassVar[bool] = False  # CORS preflights to its operation get 403, nothing allowed
    harmless: ClassVar[bool] = False  # changes nothing a contract looks at (trips nothing)

    def __init__(self, param: str | None = None) -> None:
        if param is not None and not self.takes_param:
            raise ConfigError(f"fault {self.name!r} takes no parameter (got {param!r})",
                              remedy=f"write --fault {self.name}")
        self.param = param

    @property
    def spec(self) -> str:
        return self.name if self.param is None else f"{self.name}={self.param}"

    def applies(self, op: ops.Operation) -> bool:
        return self.operation is None or self.operation is op

    async def before(self, now: float) -> bool:
        """Transport stage; return True to drop the connection without an answer."""
        return False

    def values(self, ctx: Context, values: model.Values) -> model.Values:
        return values

    def reply(self, ctx: Context, reply: Reply) -> Reply:
        return reply

    def survey(self, outcome: Outcome, body: bytes) -> Reply | None:
        return None

    def headers(self) -> list[tuple[bytes, bytes]]:
        """Headers added to every answer of the six operations, status and survey alike."""
        return []

    def describe(self) -> dict[str, str]:
        return {"name": self.name, "spec": self.spec, "trips": self.trips, "summary": self.summary}
