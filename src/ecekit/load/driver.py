"""A locust master run step by step: ``ecekit capacity --distributed`` keeps one master and the same
workers for every step of its search, because the workers run on other machines, started by hand.

Locust 2.47 allows it: a master may ``stop()`` a test and ``start()`` another on the same runner; a
worker told to stop fires its test_stop, says it is ready again and keeps its connection (only a
"quit" message, or 60 s without its master's heartbeat, ends it). So the master's shape, instead of
one arrival run, runs :meth:`Driver.run`: it reads the step ecekit asks for, sets the step's
``ece_*`` options (forwarded to the workers with the spawn message, as in any distributed run),
starts one stream per worker, waits as the shape would (every worker's last delta, or the drain),
stops, and says the step is done; the master's test_stop has then written the step's summary.json
exactly as a one-off run does.

The control directory holds three JSON files, each written whole (a reader never sees half a file):

* ``workers.json`` (the master, every half second): the workers expected and those ready;
* ``step.json`` (ecekit): ``{"number": n, "options": {...}}``, or ``{"number": n, "end": true}``;
* ``done.json`` (the master): ``{"number": n, "lost": [...], "ran": bool}`` once step n is over.

A worker that goes away during a step (its "quit" message, or locust marks it missing after three
missed heartbeats) ends the step at once: its summary names the lost worker (``lost_workers``) and the
step is the generator's, never the server's. Duck-typed over locust's MasterRunner and with its sleep
injected, so that this module imports neither locust nor gevent.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ecekit.load import runstate
from ecekit.load.launch import read_json
from ecekit.load.settings import WARM_UP_S

WORKERS_FILE, STEP_FILE, DONE_FILE = "workers.json", "step.json", "done.json"
READY_WAIT_S = 30.0
"""After a step's stop, the workers say they are ready again within a second; one that does not in this
long is lost."""
DRAIN_MARGIN_S = 3.0  # as the one-off shape's (hooks.DRAIN_MARGIN_S)
MISSING = "missing"  # locust.runners.STATE_MISSING: three heartbeats missed


def write_json(path: Path, data: Any) -> None:
    """Write a control file whole: the other side polls it and must never read half of it."""
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(path)


def ready_ids(runner: Any) -> list[str]:
    return sorted(str(node.id) for node in runner.clients.ready)


def gone(runner: Any, ids: Iterable[str]) -> list[str]:
    """Workers of ``ids`` the master no longer counts: quit, or missing their heartbeats."""
    lost = []
    for client_id in ids:
        node = runner.clients.get(client_id)
        if node is None or node.state == MISSING:
            lost.append(client_id)
    return lost


def worker_name(client_id: str, meters: dict[str, Any]) -> str:
    """A worker as people know it: host and pid (from its own reports), else locust's client id."""
    meter = meters.get(client_id) or {}
    if meter.get("host") and meter.get("pid"):
        return f"{meter['host']} pid {meter['pid']} ({client_id})"
    return client_id


class Driver:
    """Runs the steps ecekit asks for on ``runner`` (a MasterRunner) until it asks for the end."""

    def __init__(self, runner: Any, control: Path, expect: int, sleep: Callable[[float], object],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.runner, self.control, self.expect, self.sleep, self.clock = runner, control, expect, sleep, clock
        self.names: dict[str, Any] = {}  # client id -> its last meter (host, pid): names a lost worker

    def publish_workers(self) -> None:
        write_json(self.control / WORKERS_FILE, {"expected": self.expect, "ready": ready_ids(self.runner),
                                                 "pid": os.getpid()})

    def run(self) -> None:
        number = 0
        while True:
            request = self.next_request(number)
            number = int(request.get("number", number + 1))
            if request.get("end"):
                return
            lost, ran = self.step(number, dict(request.get("options") or {}))
            write_json(self.control / DONE_FILE, {"number": number, "lost": lost, "ran": ran})

    def next_request(self, last: int) -> dict[str, Any]:
        while True:
            data = read_json(self.control / STEP_FILE)
            if data is not None and int(data.get("number", 0)) > last:
                return data
            self.sleep(0.1)

    def wait_ready(self) -> list[str]:
        """Wait for the expected workers to be ready (again); the ids of those known before that are not."""
        deadline = self.clock() + READY_WAIT_S
        while len(self.runner.clients.ready) < self.expect and self.clock() < deadline:
            if any(getattr(self.runner.clients.get(i), "state", None) == MISSING for i in self.names):
                break  # a worker known from a step before missed its heartbeats: it will not be back
            self.sleep(0.1)
        ready = set(ready_ids(self.runner))
        return sorted(set(self.names) - ready) if len(ready) < self.expect else []

    def step(self, number: int, options: dict[str, str]) -> tuple[list[str], bool]:
        """Run one step; the workers lost (as named in summary.json) and whether it ran at all."""
        opts = self.runner.environment.parsed_options
        for name, value in options.items():
            setattr(opts, name, value)
        opts.ece_step = str(number)
        missing = self.wait_ready()
        if missing:
            return [worker_name(i, self.names) for i in missing], False
        ids = ready_ids(self.runner)
        self.runner.start(len(ids), float(len(ids)))  # test_start: this step's run state, one stream each
        state = runstate.current()
        assert state is not None
        s = state.settings
        end = s.arrivals.duration
        drain_end = end + WARM_UP_S + s.profile.timeout + DRAIN_MARGIN_S
        t0 = self.clock()
        lost: list[str] = []
        while not state.shape_over(master=True, t=self.clock() - t0, end=end, drain_end=drain_end, users=0):
            lost = gone(self.runner, ids)
            if lost:
                break
            self.sleep(0.2)
        self.names.update({i: state.worker_meters.get(i) or self.names.get(i) for i in ids})
        state.lost_workers = [worker_name(i, self.names) for i in lost]
        self.runner.stop()  # test_stop: the step's summary.json, lost workers named
        for client_id in lost:
            self.names.pop(client_id, None)
        return state.lost_workers, True
