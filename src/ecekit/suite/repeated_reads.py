"""Answers read again, back to back, for the verdicts that compare answers with each other.

A live server's state moves between two reads, so a contradiction between operations (consistency) or
between the XML and the JSON of one answer (JSON parity) counts only if it holds on every one of up to
``times`` repeated reads; a server that agrees costs one read. Each verdict is reached once per run
and shared by every test that asks.
"""

from __future__ import annotations

from collections.abc import Callable

from ecekit import operations
from ecekit.checks import consistency
from ecekit.checks.base import Violation
from ecekit.client import Exchange
from ecekit.suite.exchanges import Exchanges

JsonPair = tuple[list[Violation], Exchange, Exchange]


class RepeatedReads:
    """The consistency reads and the JSON parity pairs of a run, each judged once and cached."""

    def __init__(self, exchanges: Exchanges, times: int) -> None:
        self.exchanges = exchanges
        self.times = times
        self._reads: dict[str, list[consistency.Snapshot]] = {}
        self._contradictions: dict[str, dict[str, list[consistency.Snapshot]]] = {}
        self._json: dict[tuple[str, str], JsonPair] = {}

    def read(self, entry_point: str) -> consistency.Snapshot:
        """One fresh back-to-back read of every status operation for ``entry_point``."""
        answers = {op.name: self.exchanges.call(op, entry_point) for op in operations.STATUS_OPERATIONS}
        snap = consistency.snapshot_from(entry_point, answers, self.exchanges.connection.started())
        self._reads.setdefault(entry_point, []).append(snap)
        return snap

    def reads(self, entry_point: str) -> list[consistency.Snapshot]:
        """Every consistency read made for ``entry_point``: a rule none of them could decide is not a pass."""
        self.contradictions(entry_point)
        return self._reads.get(entry_point, [])

    def contradictions(self, entry_point: str) -> dict[str, list[consistency.Snapshot]]:
        """Rules contradicted on every one of the repeated reads, per rule name."""
        if entry_point not in self._contradictions:
            rules = consistency.rules_for(self.exchanges.connection.target)
            reader: Callable[[], consistency.Snapshot] = lambda: self.read(entry_point)  # noqa: E731
            self._contradictions[entry_point] = consistency.judge(reader, rules, self.times)
        return self._contradictions[entry_point]

    def json_parity(self, op: operations.Operation, entry_point: str) -> JsonPair:
        """(violations, XML exchange, JSON exchange) of ``op`` for ``entry_point``: the last pair read,
        with what disagreed on every pair."""
        key = (op.name, entry_point)
        if key not in self._json:
            from ecekit.checks import json_parity

            limit = self.exchanges.connection.target.max_body_bytes
            found: list[Violation] = []
            for _ in range(self.times):
                xml_ex = self.exchanges.call(op, entry_point)
                json_ex = self.exchanges.call(op, entry_point, headers=json_parity.ACCEPT_JSON)
                found = json_parity.compare(op, xml_ex, json_ex, limit)
                if not found:
                    break
            self._json[key] = (found, xml_ex, json_ex)
        return self._json[key]
