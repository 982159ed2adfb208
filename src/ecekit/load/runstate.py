"""The state of a load run inside one process: its settings, recorder and checker.

One per process, created when locust fires ``test_start`` (on a worker that is after the master's
options have arrived, so every process resolves the same settings) and read by every PageViews user.
Duck-typed over locust's Environment so this module stays free of locust imports.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ecekit.errors import ToolkitError
from ecekit.load import provenance
from ecekit.load.checking import FastChecker
from ecekit.load.generator import GeneratorMeter
from ecekit.load.outcomes import Outcomes
from ecekit.load.recorder import Recorder, window_width
from ecekit.load.settings import OPTIONS, Settings, resolve
from ecekit.run_summaries import GeneratorProcess

FINAL_REPORT_GRACE_S = 10.0  # a master's wait, past the drain, for a worker's last delta (shape_over)


@dataclass
class RunState:
    settings: Settings
    environment: Any
    recorder: Recorder = field(default_factory=Recorder)
    outcomes: Outcomes = field(default_factory=Outcomes)
    checker: FastChecker | None = None
    started: float = field(default_factory=time.time)
    streams_made: int = 0
    workers: int = 1  # on a master: the most worker processes seen during the run
    meter: GeneratorMeter = field(default_factory=GeneratorMeter)  # its CPU and answers in the measured window
    worker_meters: dict[str, GeneratorProcess] = field(default_factory=dict)  # on a master: each worker's
    final_reports: set[str] = field(default_factory=set)  # on a master: workers whose last delta came
    stream_done: Callable[[], object] | None = None  # on a worker: sends its last delta (hooks)
    error: ToolkitError | None = None  # the user's mistake that stopped the run (a check that raised)
    on_error: Callable[[ToolkitError], object] | None = None  # stops the run for it (hooks)

    def fail(self, error: ToolkitError) -> None:
        """Stop the run for ``error``, found while it ran; every stream meets the same mistake, so
        only the first one found is kept and acted on."""
        if self.error is not None:
            return
        self.error = error
        if self.on_error is not None:
            self.on_error(error)

    def shape_over(self, *, master: bool, t: float, end: float, drain_end: float, users: int) -> bool:
        """Whether the arrival shape has run its course, ``t`` seconds into the run.

        A process's own streams drain by ``drain_end`` (the last arrival plus one timeout and a margin),
        or sooner once its users are done. A master cannot see its workers' users in time: locust learns
        of them from reports every few seconds, and on a 1-second step on a busy machine it knew of none
        and stopped before any worker's answers arrived. Each worker sends its last delta itself when its
        stream ends (``stream_done``), so a master ends when every worker's is in, or, for a worker that
        never reports, ``FINAL_REPORT_GRACE_S`` after the drain (summary.json's ``workers_reported`` then
        says how many did).
        """
        if not master:
            return t > drain_end or (t > end + 1.0 and users == 0)
        return len(self.final_reports) >= self.workers or t > drain_end + FINAL_REPORT_GRACE_S

    def rng(self) -> random.Random:
        """A random source per stream: seeded runs differ by worker index and stream number."""
        self.streams_made += 1
        seed = self.settings.seed
        if seed is None:
            return random.Random()
        runner = self.environment.runner
        index = getattr(runner, "worker_index", 0) or 0
        return random.Random(seed * 1_000_003 + index * 1009 + self.streams_made)

    def streams(self) -> int:
        """How many streams share the offered rate: all users of the run, across workers.

        The master learns the total when it starts the test and forwards it to workers with the other
        options (``ece_streams``); a local runner knows it itself.
        """
        opts = self.environment.parsed_options
        forwarded = getattr(opts, "ece_streams", None) if opts is not None else None
        if forwarded:
            return int(forwarded)
        runner = self.environment.runner
        return max(1, int(getattr(runner, "target_user_count", 0) or 1))


_STATE: dict[str, RunState] = {}


def options_of(environment: Any) -> dict[str, Any]:
    opts = environment.parsed_options
    return {name: getattr(opts, name, None) for name in OPTIONS} if opts is not None else {}


def fix_seed(environment: Any) -> None:
    """Give a run that was given no seed one drawn now, in the master or the single process, so that
    summary.json names it and ``--seed`` replays the run. It goes into the run's options, which the
    master forwards to its workers with the spawn message (as it does ``ece_streams``). A seed drawn
    here is drawn afresh for the next test of the same process (the web UI's "new test")."""
    opts = environment.parsed_options
    if opts is None:
        return
    if getattr(opts, "ece_seed", None) in (None, "") or getattr(opts, "ece_seed_drawn", False):
        opts.ece_seed = str(provenance.draw_seed())
        opts.ece_seed_drawn = True


def start(environment: Any, *, with_checker: bool = True) -> RunState:
    """(Re)create this process's run state from the environment's options."""
    settings = resolve(options_of(environment), environment.host)
    state = RunState(settings, environment,
                     recorder=Recorder(window_s=window_width(settings.arrivals.duration)))
    if with_checker:
        strict = bool(settings.target.sid) or bool(options_of(environment).get("ece_sid"))
        memo = os.environ.get("ECEKIT_CHECK_MEMO", "1") != "0"  # 0: judge every body afresh
        state.checker = FastChecker(settings.target, valid_needs_204=strict, memo=memo, widget=settings.widget)
    _STATE["run"] = state
    return state


def get(environment: Any) -> RunState:
    """This process's run state, created on first use (run_single_user fires no test_start here)."""
    state = _STATE.get("run")
    if state is None or state.environment is not environment:
        state = start(environment)
    return state


def current() -> RunState | None:
    return _STATE.get("run")
