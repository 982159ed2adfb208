"""The state of a load run inside one process: its settings, recorder and checker.

One per process, created when locust fires ``test_start`` (on a worker that is after the master's
options have arrived, so every process resolves the same settings) and read by every PageViews user.
Duck-typed over locust's Environment so this module stays free of locust imports.
"""

from __future__ import annotations

import os
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ecekit.errors import ToolkitError
from ecekit.load import provenance
from ecekit.load.checking import FastChecker
from ecekit.load.generator import GeneratorMeter
from ecekit.load.outcomes import Outcomes
from ecekit.load.recorder import PERCENTILES, Recorder, latencies, new_histogram, window_width
from ecekit.load.settings import OPTIONS, Settings, resolve
from ecekit.run_summaries import GeneratorProcess, WorkerSchedule

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
    step: str | None = None  # a stepped run's step (ece_step): a report of another step is not this one's
    lost_workers: list[str] = field(default_factory=list)  # on a stepped master: who went away mid-step
    # on a worker: its own schedule over the measured window, kept as its deltas leave for the master
    own_schedule: Counter[str] = field(default_factory=Counter)
    own_lag: Any = field(default_factory=new_histogram)
    # on a worker: its measured window has opened (after its warm-up, on its own arrival clock); until
    # then it sends the master nothing it recorded (hooks._report_to_master)
    measuring: bool = False

    def tally(self, wire: dict[str, Any]) -> dict[str, Any]:
        """Keep this worker's own share of a delta it is about to send (the recorder forgets it)."""
        self.own_schedule.update(wire.get("schedule") or {})
        if wire.get("lag"):
            self.own_lag.decode_and_add(wire["lag"].encode("ascii"))
        return wire

    def forget_own(self) -> None:
        """The warm-up is over: this worker's own figures start afresh, as the recorder's do."""
        self.own_schedule.clear()
        self.own_lag.reset()

    def own_figures(self, streams: int) -> WorkerSchedule:
        """What this worker was asked to send (its streams' share of the offered rate) and what it did."""
        total = self.streams()
        share = streams / total if total else 0.0
        lag = self.own_lag
        sched = self.own_schedule
        return {"streams": streams, "total_streams": total, "share": round(share, 4),
                "offered_rps": round(self.settings.arrivals.mean_rate() * share, 3),
                "page_views": sched["page_views"], "sent_late": sched["late"], "unsent": sched["unsent"],
                "no_free_worker": sched["no_free_worker"],
                "lag_ms": latencies({name: round(lag.get_value_at_percentile(p) / 1000, 3)
                                     for name, p in PERCENTILES.items()}, round(lag.get_max_value() / 1000, 3))}

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
    step = options_of(environment).get("ece_step")
    state = RunState(settings, environment, recorder=Recorder(window_s=window_width(settings.arrivals.duration)),
                     step=str(step) if step not in (None, "") else None, measuring=settings.warmup <= 0)
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
