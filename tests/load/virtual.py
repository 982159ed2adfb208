"""A runtime for ecekit.load.scheduler on a virtual clock: workers are bare greenlets (no gevent hub,
no monkey-patching, no sockets) switched by this loop, and time passes only when every worker waits,
jumping to the next wake-up. A run is then exact and repeatable: a page view due at 1.5 s starts at
1.5 s, a visit that "takes" 2 s ends at exactly 2 s later.
"""

from __future__ import annotations

import heapq
import itertools
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from greenlet import getcurrent, greenlet


class Killed(BaseException):
    """What a killed worker sees where it waits (gevent's GreenletExit, here)."""


class Deadlock(RuntimeError):
    """Every greenlet waits for another and no time is due, or they never stop switching: the code
    under test hangs."""


MAX_SWITCHES = 100_000


_KILL = object()


@dataclass(eq=False)
class Worker:
    task: greenlet
    done: bool = False
    killed: bool = False


@dataclass
class Virtual:
    """The scheduler's Runtime. ``oversleep``: every wait ends that much late (a slow generator);
    ``start_cost``: the seconds each worker takes to start (spawning thousands is not free)."""

    now: float = 0.0
    oversleep: float = 0.0
    start_cost: float = 0.0
    spawned: list[Worker] = field(default_factory=list)
    _ready: deque[tuple[greenlet, int, object]] = field(default_factory=deque)
    _timers: list[tuple[float, int, greenlet, int]] = field(default_factory=list)
    _parks: dict[greenlet, int] = field(default_factory=dict)
    _seq: itertools.count[int] = field(default_factory=itertools.count)
    _joiners: list[tuple[greenlet, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._hub = greenlet(self._loop)

    # -- the loop -------------------------------------------------------------------------------
    def _loop(self) -> None:
        for _ in range(MAX_SWITCHES):
            if self._ready:
                task, park, value = self._ready.popleft()
            elif self._timers:
                when, _, task, park = heapq.heappop(self._timers)
                if self._parks.get(task) != park:
                    continue  # woken otherwise meanwhile: this time has no one waiting for it
                self.now = max(self.now, when)
                value = None
            else:
                raise Deadlock("every greenlet waits and nothing is due")
            if self._parks.get(task) == park and not task.dead:
                self._parks[task] = -1
                task.switch(value) if task else task.switch()
        raise Deadlock(f"still running after {MAX_SWITCHES} switches")

    def _park(self) -> int:
        park = next(self._seq)
        self._parks[getcurrent()] = park
        return park

    def _block(self) -> None:
        if self._hub.dead:  # it raised Deadlock: nothing will ever wake this greenlet
            raise Deadlock("the loop has ended")
        if self._hub.switch() is _KILL:
            raise Killed()

    def _wake(self, task: greenlet, value: object = None) -> None:
        park = self._parks.get(task, -1)
        if park >= 0:
            self._ready.append((task, park, value))

    def sleep_until(self, when: float) -> None:
        park = self._park()
        heapq.heappush(self._timers, (when, next(self._seq), getcurrent(), park))
        self._block()

    # -- the Runtime ----------------------------------------------------------------------------
    def clock(self) -> float:
        return self.now

    def wait_until(self, due: float) -> None:
        self.sleep_until(due + self.oversleep)

    def spawn(self, work: Callable[[], None]) -> Worker:
        def run() -> None:
            self.now += self.start_cost
            try:
                work()
            except Killed:
                pass
            finally:
                worker.done = True
                for task, _ in self._joiners:
                    self._wake(task)

        worker = Worker(greenlet(run, parent=self._hub))
        self.spawned.append(worker)
        self._parks[worker.task] = park = next(self._seq)
        self._ready.append((worker.task, park, None))
        return worker

    def lock(self) -> Lock:
        return Lock(self)

    def settle(self) -> None:
        self._park()
        self._wake(getcurrent())
        self._block()

    def join(self, workers: list[Any], timeout: float | None) -> None:
        deadline = None if timeout is None else self.now + timeout
        me = getcurrent()
        while not all(w.done for w in workers) and (deadline is None or self.now < deadline):
            park = self._park()
            self._joiners.append((me, park))
            if deadline is not None:
                heapq.heappush(self._timers, (deadline, next(self._seq), me, park))
            try:
                self._block()
            finally:
                self._joiners.remove((me, park))

    def kill(self, workers: list[Any]) -> None:
        for worker in workers:
            if not worker.done:
                worker.killed = True
                self._wake(worker.task, _KILL)
        self.join(workers, None)


class Lock:
    """A lock whose waiters yield to the loop, first come first served."""

    def __init__(self, runtime: Virtual) -> None:
        self.runtime = runtime
        self.held = False
        self.waiters: deque[greenlet] = deque()

    def __enter__(self) -> Lock:
        while self.held:
            me = getcurrent()
            self.waiters.append(me)
            self.runtime._park()
            try:
                self.runtime._block()
            finally:
                if me in self.waiters:
                    self.waiters.remove(me)
        self.held = True
        return self

    def __exit__(self, *_: object) -> None:
        self.held = False
        if self.waiters:
            self.runtime._wake(self.waiters.popleft())
