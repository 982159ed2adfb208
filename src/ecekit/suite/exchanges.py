"""The requests of a contract run: each status answer fetched once, the surveys and their XXE canary,
and (with ``--origin``) one CORS preflight per kind of request a page's browser preflights.

Each status answer is fetched once per (operation, entry point) and judged by every check, so a
stalling server costs one timeout per answer, not one per check. Every exchange made while the run
writes files is kept in its :class:`~ecekit.report.har.ExchangeLog`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ecekit import operations
from ecekit.client import Exchange
from ecekit.report.har import ExchangeLog
from ecekit.suite.connection import Connection

if TYPE_CHECKING:
    from ecekit.canary import Canary
    from ecekit.checks.preflight import Preflight


class Exchanges:
    """The run's calls on its connection, the answers cached for every check, and the XXE canary."""

    def __init__(self, connection: Connection, log: ExchangeLog) -> None:
        self.connection = connection
        self.log = log
        self._answers: dict[tuple[str, str], Exchange] = {}
        self._preflights: dict[str, Exchange] = {}
        self._canary: Canary | None = None
        self._canary_started = False

    def call(self, op: operations.Operation, entry_point: str | None = None, **kw: Any) -> Exchange:
        """One fresh request (rationed: see :class:`~ecekit.suite.connection.Connection`)."""
        return self.connection.call(op, entry_point, **kw)

    def exchange(self, op: operations.Operation, entry_point: str) -> Exchange:
        """The answer of ``op`` for ``entry_point``, fetched once per run."""
        key = (op.name, entry_point)
        if key not in self._answers:
            self._answers[key] = self.call(op, entry_point)
        return self._answers[key]

    def preflight(self, preflight: Preflight, entry_point: str | None) -> Exchange:
        """The browser's OPTIONS before ``preflight``'s kind of request, sent once per run."""
        key = preflight.operation.name
        if key not in self._preflights:
            origin = self.connection.target.origin or ""
            self._preflights[key] = self.connection.preflight(preflight.operation, entry_point,
                                                              preflight.request_headers(origin))
        return self._preflights[key]

    def canary(self) -> Canary | None:
        """The run's XXE canary, started on first use; None when fetches cannot be observed (a remote
        server and no ``--canary-url``)."""
        if not self._canary_started:
            from ecekit.canary import for_target

            target = self.connection.target
            self.connection.started()
            self._canary_started = True
            self._canary = self.connection.enter(for_target(target.base_url, target.canary_url))
        return self._canary

    def survey_call(self, body: bytes, headers: Mapping[str, str], description: str) -> Exchange:
        """Send one survey; a DOCTYPE that names the canary placeholder names the canary instead,
        under a token of this survey's own (see ``ecekit.canary``)."""
        from ecekit.canary import PLACEHOLDER

        armed = None
        canary = self.canary() if PLACEHOLDER.encode() in body else None
        if canary is not None:
            body, armed = canary.arm(body, description)
        ex = self.call(operations.SURVEY, body=body, headers=dict(headers))
        if armed is not None:
            armed.exchange = ex
        return ex
