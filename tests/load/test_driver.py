"""The stepped master (``ecekit capacity --distributed``), driven through its control files over a
made-up runner: each step sets its options, starts one stream per ready worker, waits for every
worker's last report, stops and says it is done; a worker that goes away ends its step and is named;
one that never comes back between steps ends the search without a step; the end request ends it all."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ecekit.load import driver, launch, runstate


class Nodes(dict):  # locust's WorkerNodes: a mapping with the ready ones apart
    @property
    def ready(self) -> list[Any]:
        return [n for n in self.values() if n.state == "ready"]


class FakeRunner:
    """A MasterRunner as the driver sees it; ``events`` (time -> action) happen as the clock passes."""

    def __init__(self, ids: list[str]) -> None:
        opts = SimpleNamespace(**{**dict.fromkeys(runstate.OPTIONS), "ece_profile": "one-call",
                                  "ece_entry_points": "1001"})
        self.environment = SimpleNamespace(parsed_options=opts, host="http://127.0.0.1:9/system", runner=self)
        self.clients = Nodes({i: SimpleNamespace(id=i, state="ready") for i in ids})
        self.started: list[tuple[int, dict[str, Any]]] = []
        self.stopped = 0
        self.now = 0.0
        self.events: dict[float, Any] = {}

    def start(self, users: int, rate: float) -> None:
        state = runstate.start(self.environment, with_checker=False)
        state.workers = users
        self.started.append((users, dict(vars(self.environment.parsed_options))))
        for node in self.clients.values():
            node.state = "running"

    def stop(self) -> None:
        self.stopped += 1
        for node in self.clients.values():
            if node.state == "running":
                node.state = "ready"

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        for at in sorted(t for t in self.events if t <= self.now):
            self.events.pop(at)(self)

    def clock(self) -> float:
        return self.now


def reports_in(*ids: str) -> Any:
    def act(runner: FakeRunner) -> None:
        state = runstate.current()
        assert state is not None
        for i in ids:
            state.final_reports.add(i)
            state.worker_meters[i] = {"host": "load1", "pid": int(i[-1])}
    return act


def ask(control: Path, number: int, **options: str) -> None:
    driver.write_json(control / driver.STEP_FILE, {"number": number, "options": options})


def test_a_step_runs_on_every_ready_worker_and_ends_when_every_last_report_is_in(tmp_path: Path) -> None:
    runner = FakeRunner(["w1", "w2"])
    steps = driver.Driver(runner, tmp_path, expect=2, sleep=runner.sleep, clock=runner.clock)
    ask(tmp_path, 1, ece_rate="40", ece_duration="2", ece_out=str(tmp_path / "s1"))
    runner.events[1.0] = reports_in("w1")
    runner.events[1.5] = reports_in("w2")
    assert steps.step(1, {"ece_rate": "40", "ece_duration": "2"}) == ([], True)
    users, options = runner.started[0]
    assert users == 2 and options["ece_rate"] == "40" and options["ece_step"] == "1"
    assert runner.stopped == 1 and 1.5 <= runner.now < 2.0  # not a moment past the last report


def test_a_worker_that_goes_away_mid_step_ends_it_and_is_named(tmp_path: Path) -> None:
    runner = FakeRunner(["w1", "w2"])
    steps = driver.Driver(runner, tmp_path, expect=2, sleep=runner.sleep, clock=runner.clock)
    runner.events[0.5] = lambda r: (runstate.current().worker_meters.update(  # type: ignore[union-attr]
        w2={"host": "load2", "pid": 42}))
    runner.events[1.0] = lambda r: setattr(r.clients["w2"], "state", driver.MISSING)
    lost, ran = steps.step(1, {"ece_duration": "20"})
    assert ran and lost == ["load2 pid 42 (w2)"] and runner.now < 1.5 and runner.stopped == 1
    assert runstate.current().lost_workers == lost  # type: ignore[union-attr]  # summary.json names it
    runner2 = FakeRunner(["w1", "w2"])  # a worker that quits is gone from the master's list at once
    steps2 = driver.Driver(runner2, tmp_path, expect=2, sleep=runner2.sleep, clock=runner2.clock)
    runner2.events[0.4] = lambda r: r.clients.pop("w1")
    assert steps2.step(1, {"ece_duration": "20"})[0] == ["w1"]


def test_a_worker_missing_between_steps_ends_the_search_without_a_step(tmp_path: Path) -> None:
    runner = FakeRunner(["w1", "w2"])
    steps = driver.Driver(runner, tmp_path, expect=2, sleep=runner.sleep, clock=runner.clock)
    runner.events[0.5] = reports_in("w1", "w2")
    assert steps.step(1, {"ece_duration": "1"}) == ([], True)
    runner.clients["w2"].state = driver.MISSING
    assert steps.step(2, {"ece_duration": "1"}) == (["load1 pid 2 (w2)"], False)
    assert len(runner.started) == 1 and runner.now < 2.0  # not the 30 s a late worker is given


def test_the_control_files_drive_steps_until_the_end(tmp_path: Path) -> None:
    runner = FakeRunner(["w1"])
    steps = driver.Driver(runner, tmp_path, expect=1, sleep=runner.sleep, clock=runner.clock)
    ask(tmp_path, 1, ece_duration="1")
    runner.events[0.5] = reports_in("w1")
    runner.events[0.8] = lambda r: driver.write_json(tmp_path / driver.STEP_FILE, {"number": 2, "end": True})
    steps.run()
    assert launch.read_json(tmp_path / driver.DONE_FILE) == {"number": 1, "lost": [], "ran": True}
    assert len(runner.started) == 1
    steps.publish_workers()
    assert launch.read_json(tmp_path / driver.WORKERS_FILE)["ready"] == ["w1"]  # type: ignore[index]
