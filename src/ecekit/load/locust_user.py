"""The locust side of a load run: a FastHttpUser that is one open-model stream of page views.

Imports locust (and so gevent's monkey-patching): only a locustfile, or a process started for
``ecekit load``, may import this module. Never import it from pytest or from the CLI's own process.

A locust User is a closed loop (send, wait for the answer, send again): a stalled server slows it
down and hides its own stall. Here one User is instead a *stream* of page views: it walks the Poisson
arrival times of its share of the offered rate with max_in_flight worker greenlets, and starts each
page view at its time whether or not earlier ones have finished (see ``run_schedule``). Every latency
is measured from the page view's scheduled time (the first call) or the end of the previous call
(later calls) to the last byte, so time spent waiting for a free worker, for a connection or for a
stalled server all count. A page
view that starts more than LATE_AFTER_MS after its time is counted as sent late; one that could not
start at all before the run ended as unsent; one still in flight when the drain ends as unfinished
(its wait so far recorded as a failure). Locust's own statistics and web UI show the same corrected
latencies: the response time of each request event is replaced before it is reported.
"""

from __future__ import annotations

import contextlib
import heapq
import socket
from time import perf_counter
from typing import Any

import gevent
from gevent.lock import Semaphore
from locust import FastHttpUser, constant, task
from locust.exception import StopUser

from ecekit import operations
from ecekit.client import USER_AGENT, TransportError
from ecekit.load import runstate
from ecekit.load.checking import Verdict
from ecekit.load.summary import LATE_AFTER_MS
from ecekit.load.visitor import PageView, page_view, poll, poll_times

_LATE_S = LATE_AFTER_MS / 1000
SPIN_S = 0.0011
_TIMEOUTS = (gevent.Timeout, socket.timeout, TimeoutError)


def _wait_until(due: float) -> None:
    """Sleep until ``due`` to within tens of microseconds.

    libev rounds a timer up to epoll's millisecond ticks, so a plain sleep wakes about 0.5 ms late on
    average (at most 1 ms), and every latency would carry it. Sleep until SPIN_S before, then yield to the loop
    (other greenlets and I/O keep running) until the time has come.
    """
    delay = due - perf_counter()
    if delay > SPIN_S:
        gevent.sleep(delay - SPIN_S)
    while perf_counter() < due:
        gevent.sleep(0)


class PageViews(FastHttpUser):
    """One stream of page-view arrivals at rate/streams (see the module docstring)."""

    wait_time = constant(0)

    def __init__(self, environment: Any) -> None:
        self.state = runstate.get(environment)
        s = self.state.settings
        # Instance values override FastHttpUser's class settings before its session is built.
        self.concurrency = s.profile.max_in_flight
        self.network_timeout = s.profile.timeout
        self.connection_timeout = s.profile.timeout
        self.default_headers = {"User-Agent": USER_AGENT, **s.target.headers}
        if s.target.origin:  # as the site's pages send it; the answers' CORS headers are then judged
            self.default_headers["Origin"] = s.target.origin
        if environment.host is None and s.target.base_url:
            self.host = s.target.base_url
        super().__init__(environment)
        self.templates = {op.name: s.target.path_for(op) for op in operations.OPERATIONS}
        self.paths: dict[tuple[str, str | None], str] = {}  # (operation, entry point) -> path
        self.origin = s.target.origin
        assert self.state.checker is not None  # made at test_start in every process that runs users
        self.checker = self.state.checker
        self.recorder = self.state.recorder
        self.outcomes = self.state.outcomes

    @task
    def arrive(self) -> None:
        self.run_schedule()
        raise StopUser()

    # -- the scheduler -------------------------------------------------------------------------
    def run_schedule(self) -> None:
        """Leader/followers: max_in_flight worker greenlets; the one idle worker holding ``leader``
        waits for the next arrival's time, takes it, passes the lead on and makes the page view.

        No greenlet is spawned per page view and no hand-off switch is made (about a fifth of the
        generator's CPU when it was a scheduler spawning into a pool); the timing is the same: a page
        view starts at its time if a worker is free, or as soon as one is, its latency still counted
        from its time.
        """
        s = self.state.settings
        rng = self.state.rng()
        arr = s.arrivals
        rec = self.recorder
        schedule = rec.schedule
        eps = list(s.target.entry_points) or ["1"]
        until = arr.duration if arr.bounded else None
        polls: list[tuple[float, int, PageView]] = []
        seq = 0
        self._warm_up(eps[0])
        arrivals = arr.arrival_times(rng, 1.0 / self.state.streams())
        upcoming = next(arrivals, None)
        t0 = hard_end = 0.0  # set once the workers are parked, below
        leader = Semaphore(1)
        busy: set[Any] = set()
        pool = s.profile.max_in_flight
        stopped = False

        def take() -> tuple[float, bool, PageView] | None:
            """The next page view or poll, at its time (only the leader calls this)."""
            nonlocal upcoming, seq, stopped
            while not stopped:
                if polls and (upcoming is None or polls[0][0] <= upcoming):
                    t, is_poll = polls[0][0], True
                elif upcoming is not None:
                    t, is_poll = upcoming, False
                else:
                    return None
                due = t0 + t
                if due > perf_counter():
                    _wait_until(due)
                elif len(busy) >= pool - 1 and perf_counter() - due > _LATE_S:
                    schedule["no_free_worker"] += 1  # overdue, and every other worker busy: the pool is full
                if perf_counter() > hard_end:  # no worker came free before the run's hard end
                    stopped = True
                    unsent = 1 + sum(1 for _ in arrivals) + len(polls)
                    schedule["unsent"] += unsent
                    rec.count_in_window("unsent", unsent)
                    return None
                if is_poll:
                    _, _, page = heapq.heappop(polls)
                    if page.broken:
                        continue  # the widget showed an error and stopped polling
                else:
                    page = PageView(rng.choice(eps))
                    upcoming = next(arrivals, None)
                    for when in poll_times(s.profile, t, rng, until, s.poll_interval):
                        heapq.heappush(polls, (when, seq, page))
                        seq += 1
                lag = perf_counter() - due
                rec.record_lag(lag, due, lag > _LATE_S)
                if lag > _LATE_S:
                    schedule["late"] += 1
                return due, is_poll, page
            return None

        def worker() -> None:
            me = gevent.getcurrent()
            while True:
                with leader:
                    job = take()
                if job is None:
                    return
                due, is_poll, page = job
                busy.add(me)
                try:
                    if is_poll:
                        schedule["polls"] += 1
                        poll(page, s.poll_operation, due, self._call, perf_counter,  # type: ignore[arg-type]
                             s.widget, self.outcomes)
                    else:
                        schedule["page_views"] += 1
                        page_view(page, s.profile, due, self._call, perf_counter, rng, s.survey_sid,
                                  s.widget, self.outcomes)
                finally:
                    busy.discard(me)

        # Start the clock only once every worker is parked on the leader lock: spawning max_in_flight
        # greenlets and running each to its first wait took the loop ~0.3 s at 5000, which came out as
        # a burst of late page views at the start of every run (and a backlog at a server near its limit).
        leader.acquire()
        workers = [gevent.spawn(worker) for _ in range(s.profile.max_in_flight)]
        gevent.sleep(0)
        t0 = perf_counter()
        rec.start_clock(t0)
        if self.outcomes.origin is None:
            self.outcomes.origin = t0
        hard_end = t0 + (until or float("inf")) + s.profile.timeout
        leader.release()
        try:
            left = hard_end - perf_counter()  # infinite for an unbounded run: locust stops it
            gevent.joinall(workers, timeout=max(0.0, left) + 1.0 if left != float("inf") else None)
        finally:
            stopped = True
            schedule["unfinished"] += len(busy)
            rec.count_in_window("unfinished", len(busy))
            gevent.killall(workers, block=True, timeout=2)

    def _warm_up(self, entry_point: str) -> None:
        """One unrecorded call before the clock starts: the first request of a process pays for a
        connection and first-use code paths (~100 ms here), a cost of the generator, not the server."""
        op = self.state.settings.profile.calls[0].operation
        with contextlib.suppress(Exception):
            url = self.client._build_url(op.url_path(entry_point, self.templates[op.name]))
            _ = self.client.client.urlopen(url, method=op.method).content

    # -- one request ---------------------------------------------------------------------------
    def _call(self, op: operations.Operation, entry_point: str | None, due: float,
              body: bytes | None) -> Verdict:
        key = (op.name, entry_point)
        path = self.paths.get(key)
        if path is None:
            template = self.templates[op.name]
            path = self.paths[key] = op.url_path(entry_point, template) if entry_point is not None else template
        if body is not None:
            self.recorder.schedule["surveys"] += 1
        headers = {"Content-Type": "text/xml;charset=utf-8"} if body is not None else None
        try:
            with self.client.request(op.method, path, name=op.name, data=body,  # type: ignore[arg-type]
                                     headers=headers,
                                     catch_response=True, allow_redirects=False) as resp:
                latency = perf_counter() - due
                verdict = self._judge(op, path, entry_point, resp, latency)
                resp.request_meta["response_time"] = latency * 1000
                if verdict.failure or verdict.checks:
                    resp.failure(verdict.message or verdict.failure)
                else:
                    resp.success()
        except gevent.GreenletExit:
            # killed at the end of the drain: the visitor is still waiting; record the wait so far
            self.recorder.record(op.name, perf_counter() - due, "unfinished", due=due)
            raise
        self.recorder.record(op.name, latency, verdict.failure, verdict.checks, due=due)
        return verdict

    def _judge(self, op: operations.Operation, path: str, entry_point: str | None, resp: Any,
               latency: float) -> Verdict:
        status = resp.status_code
        error = resp.request_meta.get("exception")
        if not status or (error is not None and not getattr(error, "code", None)):
            # geventhttpclient wraps the socket's error in RetriesExceeded(original=...), even with no
            # retries: a visitor whose widget timed out and one whose connection was reset are told apart
            cause = getattr(error, "original", None) or error
            kind = TransportError.TIMEOUT if isinstance(cause, _TIMEOUTS) else TransportError.CONNECTION
            return self.checker.judge(op, path, entry_point, status=None, content_type="", body=b"",
                                      elapsed=latency, error=kind, error_detail=repr(error)[:200])
        headers = resp.headers
        cors = (headers.get("access-control-allow-origin") if headers else None) if self.origin else None
        return self.checker.judge(op, path, entry_point, status=status,
                                  content_type=(headers.get("content-type") if headers else None) or "",
                                  body=resp.content or b"", elapsed=latency, cors=cors)


