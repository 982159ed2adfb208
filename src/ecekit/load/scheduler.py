"""The scheduler of one arrival stream: which page view (or poll) is due next, when it starts, what was
late or never sent, and when the stream ends.

Leader/followers: ``workers`` workers run one loop each; the one idle worker holding the lead waits
for the next arrival's time, takes it, passes the lead on and makes the page view itself. No worker is
spawned per page view and nothing is handed from one to another (about a fifth of the generator's CPU
when it was a scheduler spawning into a pool); the timing is the same: a page view starts at its time
if a worker is free, or as soon as one is, its latency still counted from its time. So ``workers``
(the profile's max_in_flight) caps the page views in flight by construction.

Everything about a page view is decided before its time comes, so that between its time and its
first byte nothing runs but the request itself. A page view taken more than LATE_AFTER_MS after its
time was sent late; one no worker could take before the hard end (the last arrival plus one timeout)
is unsent, with every arrival and poll after it; one still in flight when the drain ends is
unfinished.

The clock, the waiting and the workers come from a :class:`Runtime`: gevent greenlets in a locust
process (``locust_user``), a virtual clock in the tests. Imports neither locust nor gevent.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from ecekit.load.recorder import Recorder
from ecekit.load.summary import LATE_AFTER_MS
from ecekit.load.visitor import PageView

LATE_S = LATE_AFTER_MS / 1000


class Runtime(Protocol):
    """Where the workers run and what time it is."""

    def clock(self) -> float:
        """Seconds on the clock page views are due by (``time.perf_counter`` in a locust process)."""

    def wait_until(self, due: float) -> None:
        """Return at ``due`` on the clock, letting every other worker run meanwhile."""

    def spawn(self, work: Callable[[], None]) -> Any:
        """Start ``work`` as a worker; its handle for ``join`` and ``kill``."""

    def lock(self) -> AbstractContextManager[Any]:
        """A new lock that a worker waiting for it yields on (the lead)."""

    def settle(self) -> None:
        """Let every spawned worker run until it waits."""

    def join(self, workers: list[Any], timeout: float | None) -> None:
        """Return once every worker has ended, or ``timeout`` seconds have passed."""

    def kill(self, workers: list[Any]) -> None:
        """End the workers where they stand (a request in flight is abandoned)."""


@dataclass(slots=True)
class Job:
    """A page view, or one of its polls, due at ``due`` on the clock and taken ``lag`` seconds after."""

    page: PageView
    due: float
    lag: float
    is_poll: bool

    @property
    def late(self) -> bool:
        return self.lag > LATE_S


def _nothing() -> None:
    return None


class Scheduler:
    """One stream of page views at the times ``arrivals`` yields (seconds from the start), with the
    polls ``polls_of(arrival)`` adds, each made by ``visit`` on one of ``workers`` workers.

    ``until``: the last time an arrival may have (None: until stopped); the stream stops ``drain``
    seconds after it (the profile's timeout). ``ready`` runs before each wait for a time (a pooled
    socket in hand before the time, not after it); ``on_start`` is told the clock's origin once every
    worker waits. The counts go to ``recorder.schedule`` and its windows.
    """

    def __init__(self, arrivals: Iterator[float], *, new_page: Callable[[], PageView],
                 polls_of: Callable[[float], Iterable[float]], visit: Callable[[Job], None], workers: int,
                 until: float | None, drain: float, runtime: Runtime, recorder: Recorder,
                 ready: Callable[[], None] = _nothing, on_start: Callable[[float], None] | None = None) -> None:
        self.arrivals = arrivals
        self.new_page = new_page
        self.polls_of = polls_of
        self.visit = visit
        self.workers = workers
        self.until = until
        self.drain = drain
        self.runtime = runtime
        self.recorder = recorder
        self.ready = ready
        self.on_start = on_start
        self.clock = runtime.clock
        self.wait_until = runtime.wait_until
        self.upcoming = next(arrivals, None)
        self.polls: list[tuple[float, int, PageView]] = []
        self.seq = 0
        self.t0 = 0.0
        self.hard_end = math.inf
        self.in_flight = 0
        self.stopped = False
        self.lead = runtime.lock()

    def run(self) -> None:
        """Spawn the workers, start the clock once each of them waits, and return when the schedule is
        done or the hard end (plus a second) has passed; page views still in flight are unfinished."""
        runtime = self.runtime
        with self.lead:
            workers = [runtime.spawn(self._work) for _ in range(self.workers)]
            # every worker parked on the lead before the clock starts: spawning 2000 of them takes tens
            # of milliseconds, and a schedule already running would count that in its first page views
            runtime.settle()
            self.t0 = self.clock()
            if self.on_start is not None:
                self.on_start(self.t0)
            self.hard_end = self.t0 + (self.until if self.until is not None else math.inf) + self.drain
        try:
            left = self.hard_end - self.clock()  # infinite for an unbounded stream: locust stops it
            runtime.join(workers, max(0.0, left) + 1.0 if left != math.inf else None)
        finally:
            self.stopped = True
            schedule = self.recorder.schedule
            schedule["unfinished"] += self.in_flight
            self.recorder.count_in_window("unfinished", self.in_flight, due=self.clock())
            runtime.kill(workers)

    def stop(self) -> None:
        """Start no more page views; those in flight finish and the workers end."""
        self.stopped = True

    def _work(self) -> None:
        schedule = self.recorder.schedule
        while True:
            with self.lead:
                job = self._take()
            if job is None:
                return
            self.in_flight += 1
            try:
                schedule["polls" if job.is_poll else "page_views"] += 1
                self.visit(job)
            finally:
                self.in_flight -= 1
                late = job.late
                self.recorder.record_lag(job.lag, job.due, late)  # after the request: not in its latency
                if late:
                    schedule["late"] += 1

    def _take(self) -> Job | None:
        """The next page view or poll at its time (only the worker holding the lead calls this)."""
        schedule = self.recorder.schedule
        polls = self.polls
        while not self.stopped:
            if polls and (self.upcoming is None or polls[0][0] <= self.upcoming):
                t, _, page = heapq.heappop(polls)
                is_poll = True
            elif self.upcoming is not None:
                t, is_poll = self.upcoming, False
                page = self.new_page()
                self.upcoming = next(self.arrivals, None)
                for when in self.polls_of(t):
                    heapq.heappush(polls, (when, self.seq, page))
                    self.seq += 1
            else:
                return None
            due = self.t0 + t
            self.ready()
            if due > self.clock():
                self.wait_until(due)
                if self.stopped:
                    return None
            now = self.clock()
            if now - due > LATE_S and self.in_flight >= self.workers - 1:
                schedule["no_free_worker"] += 1  # overdue, and every other worker busy: the pool is full
            if now > self.hard_end:  # no worker came free before the stream's hard end
                self.stopped = True
                unsent = 1 + (self.upcoming is not None) + sum(1 for _ in self.arrivals) + len(polls)
                schedule["unsent"] += unsent
                self.recorder.count_in_window("unsent", unsent, due=now)
                return None
            if is_poll and page.broken:
                continue  # the widget showed an error and stopped polling
            return Job(page, due, now - due, is_poll)
        return None
