"""The exchanges a contract run keeps for ``exchanges.har``: every one, up to a bound.

Bounded because a run is: a long hypothesis phase against a slow server must not grow without limit
in memory; the HAR file's comment says how many were not kept.
"""

from __future__ import annotations

from ecekit.client import Exchange

MAX_LOGGED = 20_000


class ExchangeLog:
    """The exchanges kept for the HAR file, and how many were not."""

    def __init__(self, limit: int = MAX_LOGGED) -> None:
        self.limit = limit
        self.kept: list[Exchange] = []
        self.dropped = 0

    def keep(self, ex: Exchange) -> None:
        if len(self.kept) < self.limit:
            self.kept.append(ex)
        else:
            self.dropped += 1
