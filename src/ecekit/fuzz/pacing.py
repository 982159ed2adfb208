"""Spacing requests so that a shared staging server sees at most ``rate`` of them per second.

A minimum interval between the *starts* of consecutive requests (a token bucket holding one token):
no bursts at all, which is what "do not hammer the shared server" means. Averages are not enough:
a bucket that lets 20 requests out at once and then idles for a second still hammers the server.
"""

from __future__ import annotations

import time
from collections.abc import Callable


class Pacer:
    """Blocks in :meth:`wait` until ``1 / rate`` seconds have passed since the previous request."""

    def __init__(self, rate: float | None, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        if rate is not None and rate <= 0:
            raise ValueError("rate must be a positive number of requests per second")
        self.interval = 1.0 / rate if rate else 0.0
        self._clock, self._sleep = clock, sleep
        self._next = 0.0

    def wait(self) -> None:
        """Return when the next request may start; never earlier than the interval allows."""
        if not self.interval:
            return
        now = self._clock()
        while now < self._next:
            self._sleep(self._next - now)
            now = self._clock()
        self._next = now + self.interval
