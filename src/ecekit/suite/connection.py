"""The server a contract run talks to and the client talking to it.

Opened on first use, so a run whose selection needs no answer starts no server; everything opened for
the run (the embedded server, the client, the XXE canary) is entered on one stack and closed once, at
the end of the pytest session. The client is rationed (:class:`ecekit.client.Rationed`): a server that
stopped answering costs the run a few timeouts, not one per test.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

from ecekit import operations
from ecekit.client import Client, Exchange, Rationed, TransportError
from ecekit.target import Target

T = TypeVar("T")


class Connection:
    """The run's live target and rationed client, opened on first use and closed once."""

    def __init__(self, target: Target, faults: tuple[str, ...] = (),
                 on_exchange: Callable[[Exchange], None] | None = None) -> None:
        self.target = target
        self.faults = faults
        self.probed = False  # the given server was probed before the run (ecekit.live.ensure_reachable)
        self._on_exchange = on_exchange
        self._stack = contextlib.ExitStack()
        self._open: tuple[Target, Rationed] | None = None
        self._bare: Client | None = None

    @property
    def is_open(self) -> bool:
        return self._open is not None

    def started(self) -> Target:
        """The target with a base URL: starts the embedded server on first use, or checks reachability."""
        return self._opened()[0]

    def _opened(self) -> tuple[Target, Rationed]:
        if self._open is None:
            from ecekit.live import live_target

            target = self._stack.enter_context(live_target(self.target, faults=self.faults,
                                                           probe=not self.probed))
            client = Client(target, on_exchange=self._on_exchange)
            self._stack.callback(client.close)
            self._open = target, Rationed(client)
        return self._open

    @property
    def client(self) -> Client:
        return self._opened()[1].client

    def call(self, op: operations.Operation, entry_point: str | None = None, **kw: Any) -> Exchange:
        """One request, unless the server has stopped answering (:class:`ecekit.client.Rationed`)."""
        return self._opened()[1].call(op, entry_point, **kw)

    def preflight(self, op: operations.Operation, entry_point: str | None, headers: dict[str, str]) -> Exchange:
        """An OPTIONS to ``op``'s URL carrying ``headers`` and none of the user's ``--header`` values,
        as a browser's preflight carries no header of the page's; not sent once the server has stopped
        answering (:class:`ecekit.client.Rationed`)."""
        target, rationed = self._opened()
        url = target.url(op, entry_point)
        if rationed.timeouts >= rationed.after:
            return Exchange(op.name, "OPTIONS", url, entry_point, dict(headers), error=TransportError.TIMEOUT,
                            error_detail=f"not sent: the server answered none of the last {rationed.timeouts} "
                            f"requests within {target.read_timeout:g}s")
        if self._bare is None:
            self._bare = Client(target.replace(headers={}, origin=None), on_exchange=self._on_exchange)
            self._stack.callback(self._bare.close)
        return self._bare.send(op.name, "OPTIONS", url, headers=headers, entry_point=entry_point)

    def enter(self, context: contextlib.AbstractContextManager[T]) -> T:
        """Keep ``context`` open until the run closes (as the server and the client are)."""
        return self._stack.enter_context(context)

    def close(self) -> None:
        self._stack.close()
