"""The load scheduler on a virtual clock (tests/load/virtual.py): when each page view and poll starts,
what is counted late, unsent and unfinished, how many run at once, and when a stream ends. No locust,
no gevent, no sockets: every time below is exact."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pytest

from ecekit.load.recorder import Recorder
from ecekit.load.scheduler import LATE_S, Job, Scheduler
from ecekit.load.visitor import PageView
from tests.load.virtual import Killed, Virtual

T0 = 100.0  # the virtual clock when the stream starts: due times are T0 + arrival


@dataclass
class Run:
    """One stream, run to its end: what each visit saw."""

    runtime: Virtual
    recorder: Recorder = field(default_factory=Recorder)
    starts: list[tuple[float, Job]] = field(default_factory=list)  # (clock at the visit's start, job)
    killed: list[Job] = field(default_factory=list)
    peak: int = 0
    origins: list[tuple[float, int]] = field(default_factory=list)  # (t0, workers spawned by then)
    readied: list[float] = field(default_factory=list)  # the clock at each call of ``ready``

    @property
    def schedule(self) -> dict[str, int]:
        return {name: n for name, n in self.recorder.schedule.items() if n}

    def started(self) -> list[tuple[float, str, bool]]:
        """(seconds since T0, entry point, is a poll) of every visit, in the order they started."""
        return [(round(at - T0, 9), job.page.entry_point, job.is_poll) for at, job in self.starts]


def run(arrivals: Iterable[float], *, workers: int = 10, service: float | Callable[[Job], float] = 0.0,
        until: float | None = 10.0, drain: float = 5.0, polls_of: Callable[[float], Iterable[float]] | None = None,
        oversleep: float = 0.0, on_visit: Callable[[Job, Scheduler, Virtual], None] | None = None,
        start: float = T0, start_cost: float = 0.0) -> Run:
    runtime = Virtual(now=start, oversleep=oversleep, start_cost=start_cost)
    result = Run(runtime)
    numbers = itertools.count(1)
    in_flight = 0

    def visit(job: Job) -> None:
        nonlocal in_flight
        result.starts.append((runtime.now, job))
        in_flight += 1
        result.peak = max(result.peak, in_flight)
        try:
            if on_visit is not None:
                on_visit(job, scheduler, runtime)
            runtime.sleep_until(runtime.now + (service(job) if callable(service) else service))
        except Killed:
            result.killed.append(job)
            raise
        finally:
            in_flight -= 1

    def on_start(t0: float) -> None:
        assert not result.starts
        result.origins.append((t0, len(runtime.spawned)))
        result.recorder.start_clock(t0)

    scheduler = Scheduler(iter(arrivals), new_page=lambda: PageView(str(next(numbers))),
                          polls_of=polls_of or (lambda t: ()), visit=visit, workers=workers, until=until,
                          drain=drain, runtime=runtime, recorder=result.recorder, on_start=on_start,
                          ready=lambda: result.readied.append(runtime.now))
    scheduler.run()
    return result


def window_counts(recorder: Recorder) -> dict[str, int]:
    total: dict[str, int] = {}
    for window in recorder.windows.values():
        for name, n in window.schedule.items():
            total[name] = total.get(name, 0) + n
    return total


def test_page_views_start_at_their_due_times_and_the_stream_ends_when_they_are_done() -> None:
    r = run([0.1, 0.5, 0.9, 2.0], workers=2, service=0.3)
    assert r.origins == [(T0, 2)]  # the clock starts once both workers were spawned, before any visit
    assert r.started() == [(0.1, "1", False), (0.5, "2", False), (0.9, "3", False), (2.0, "4", False)]
    assert [at for at, _ in r.starts] == [job.due for _, job in r.starts] == [T0 + t for t in (0.1, 0.5, 0.9, 2.0)]
    assert [job.lag for _, job in r.starts] == [0.0] * 4
    assert r.schedule == {"page_views": 4}
    assert r.recorder.lag.get_total_count() == 4
    assert window_counts(r.recorder) == {"started": 4}
    assert r.runtime.now == T0 + 2.3  # the last visit's end, not the hard end (10 s + 5 s)
    assert [round(at - T0, 9) for at in r.readied] == [0.0, 0.1, 0.5, 0.9]  # each before its page view's time


def test_the_clock_starts_once_every_worker_has_started() -> None:
    """Starting 50 workers takes 50 ms here: the first page view, due 10 ms after the clock starts, is
    not late for it."""
    r = run([0.01, 0.02], workers=50, start_cost=0.001)
    assert r.origins == [(pytest.approx(T0 + 0.05), 50)]
    assert [job.lag for _, job in r.starts] == [0.0, 0.0]


def test_later_than_late_after_ms_is_late_and_exactly_that_late_is_not() -> None:
    """One worker, three arrivals at 0 and visits of LATE_S each: they start 0, LATE_S and 2 LATE_S
    after their time; only the last is late, and as every other worker (none) is busy, the pool was full.
    (The clock starts at 0 so that the lags are exact.)"""
    r = run([0.0, 0.0, 0.0], workers=1, service=LATE_S, start=0.0)
    assert [job.lag for _, job in r.starts] == [0.0, LATE_S, 2 * LATE_S]
    assert [at - job.due for at, job in r.starts] == [0.0, LATE_S, 2 * LATE_S]  # due stays the arrival's
    assert r.schedule == {"page_views": 3, "late": 1, "no_free_worker": 1}
    assert window_counts(r.recorder) == {"started": 3, "sent_late": 1}


def test_a_generator_that_wakes_late_sends_late_with_free_workers() -> None:
    r = run([1.0, 2.0, 3.0], workers=4, oversleep=0.05)
    assert [job.lag for _, job in r.starts] == pytest.approx([0.05] * 3)
    assert r.schedule == {"page_views": 3, "late": 3}  # late, but not for want of a worker


def test_the_pool_caps_the_page_views_in_flight() -> None:
    r = run([0.0] * 10, workers=3, service=1.0)
    assert len(r.runtime.spawned) == 3 and r.peak == 3
    assert [at - T0 for at, _ in r.starts] == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3]
    assert r.schedule == {"page_views": 10, "late": 7, "no_free_worker": 7}


def test_what_no_worker_could_start_before_the_hard_end_is_unsent() -> None:
    """One worker, visits of 2.4 s, arrivals until 3 s and a drain of 1 s: the hard end is at 4 s. The
    second page view starts at 2.4 s; at 4.8 s the third is past the hard end, so it and the three
    after it are unsent, and the stream ends there."""
    r = run([0.0, 0.5, 1.0, 1.5, 2.0, 2.5], workers=1, service=2.4, until=3.0, drain=1.0)
    assert r.started() == [(0.0, "1", False), (2.4, "2", False)]
    # the third was overdue with every other worker (none) busy before it was found past the hard end
    assert r.schedule == {"page_views": 2, "late": 1, "no_free_worker": 2, "unsent": 4}
    assert window_counts(r.recorder) == {"started": 2, "sent_late": 1, "unsent": 4}
    assert r.runtime.now == pytest.approx(T0 + 4.8) and not r.killed


def test_polls_waiting_at_the_hard_end_are_unsent_too() -> None:
    r = run([0.0, 3.5], workers=1, service=5.0, until=4.0, drain=0.5, polls_of=lambda t: [t + 1.0, t + 2.0])
    # the first page view ends at 5 s, past the hard end (4.5 s): its two polls and the second page view
    assert r.schedule == {"page_views": 1, "no_free_worker": 1, "unsent": 3}


def test_page_views_in_flight_when_the_drain_ends_are_unfinished() -> None:
    """Visits that never end: the stream waits for the hard end (1 + 1 s) and a second more, then ends
    them where they stand."""
    r = run([0.1, 0.2], workers=3, service=100.0, until=1.0, drain=1.0)
    assert r.runtime.now == T0 + 3.0
    assert [job.page.entry_point for job in r.killed] == ["1", "2"]
    assert r.schedule == {"page_views": 2, "unfinished": 2}
    assert window_counts(r.recorder) == {"started": 2, "unfinished": 2}


def test_polls_are_due_between_arrivals_in_time_order_a_poll_first_on_a_tie() -> None:
    r = run([0.0, 1.0], polls_of=lambda t: [t + 1.0])
    assert r.started() == [(0.0, "1", False), (1.0, "1", True), (1.0, "2", False), (2.0, "2", True)]
    assert r.schedule == {"page_views": 2, "polls": 2}


def test_a_broken_widget_is_polled_no_more() -> None:
    def break_first(job: Job, *_: object) -> None:
        job.page.broken = job.page.entry_point == "1"

    r = run([0.0, 1.5], polls_of=lambda t: [t + 1.0, t + 2.0], on_visit=break_first)
    assert r.started() == [(0.0, "1", False), (1.5, "2", False), (2.5, "2", True), (3.5, "2", True)]
    assert r.schedule == {"page_views": 2, "polls": 2}


def test_a_stopped_stream_starts_nothing_more() -> None:
    """The first page view stops the stream 1.5 s in, while the other worker leads, waiting for the
    arrival at 2 s: it wakes then and sends nothing; the stream ends there, not at its hard end."""
    def stop_after_a_while(job: Job, scheduler: Scheduler, runtime: Virtual) -> None:
        if job.page.entry_point == "1":
            runtime.sleep_until(runtime.now + 1.5)
            scheduler.stop()

    r = run([0.0, 1.0, 2.0, 3.0], workers=2, on_visit=stop_after_a_while)
    assert r.started() == [(0.0, "1", False), (1.0, "2", False)]
    assert r.runtime.now == T0 + 2.0
    assert r.schedule == {"page_views": 2}


def test_an_unbounded_stream_ends_with_its_arrivals() -> None:
    r = run([0.5, 0.7], until=None, service=0.1)
    assert r.started() == [(0.5, "1", False), (0.7, "2", False)]
    assert r.runtime.now == T0 + 0.8
