"""The generator's own measured window: CPU busy share, answers inside the window, the warm-up option."""

from __future__ import annotations

import time

import pytest

from ecekit.errors import ConfigError
from ecekit.load import generator
from ecekit.load.recorder import Recorder
from ecekit.load.settings import resolve


class Clock:
    """Fake process and wall clocks, so the arithmetic is tested, not this machine's scheduler."""

    def __init__(self) -> None:
        self.cpu = self.wall = 0.0

    def advance(self, wall: float, cpu: float) -> None:
        self.wall += wall
        self.cpu += cpu


def test_busy_is_cpu_time_over_wall_time(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    monkeypatch.setattr(generator.time, "process_time", lambda: clock.cpu)
    monkeypatch.setattr(generator.time, "perf_counter", lambda: clock.wall)
    meter = generator.GeneratorMeter()
    clock.advance(5.0, 5.0)  # warm-up, outside the window
    meter.start(answered=3)
    clock.advance(2.0, 1.8)
    meter.stop(answered=10)
    clock.advance(1.0, 0.0)  # the drain: idle, outside the window
    spun = meter.figures("local", answered=99)
    assert spun == {"role": "local", "cpu_s": 1.8, "wall_s": 2.0, "busy": 0.9, "answered_in_window": 7}
    meter.start(answered=10)
    clock.advance(2.0, 0.2)
    assert meter.figures("worker", answered=12)["busy"] == 0.1  # not stopped: up to now


def test_busy_of_this_process_is_measured() -> None:
    meter = generator.GeneratorMeter()
    end = time.perf_counter() + 0.05
    while time.perf_counter() < end:  # spin
        pass
    assert meter.figures("local", 0)["cpu_s"] > 0


def test_section_adds_processes_and_keeps_the_busiest() -> None:
    procs = [generator.figures("master", 0.01, 2.0, 0), generator.figures("worker", 1.9, 2.0, 300),
             generator.figures("worker", 0.5, 2.0, 200)]
    sec = generator.section(procs, duration_s=2.0)
    assert sec["busy_max"] == 0.95 and sec["answered_in_window"] == 500 and sec["answered_rps"] == 250


def test_only_usable_answers_count_as_answered() -> None:
    rec = Recorder()
    rec.record("chatAllowed", 0.001)
    rec.record("chatAllowed", 0.001, "timeout")
    rec.record("chatAllowed", 0.001, None, ("xsd",))  # answered, if wrongly: the server did the work
    rec.reset()  # a worker's report resets its histograms, never the running count
    assert rec.answered == 2


def test_warmup_must_leave_a_measured_window() -> None:
    assert resolve({"ece_profile": "one-call", "ece_duration": "5", "ece_warmup": "1"}).warmup == 1.0
    with pytest.raises(ConfigError, match="warm-up"):
        resolve({"ece_profile": "one-call", "ece_duration": "5", "ece_warmup": "5"})
