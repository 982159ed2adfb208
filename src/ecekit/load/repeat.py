"""The same load run K times, made to be compared: :func:`run_repeated`, ``ecekit load --repeat``/``--ab``.

One run's p95 says little about a change: two runs of the same server differ by more than many
changes do. ``ecekit compare`` tells a difference from that noise with confidence intervals, and needs
several runs of each side made alike: the same settings, the same server process (the embedded one
is started once for all of them), seeds that replay (``--seed N``: run i uses N + i - 1, and with
``--ab`` run i of A and of B share it), and, for an A/B comparison, the two sides alternated A, B,
A, B … so that whatever drifts on the machine meanwhile falls on both alike.

Each run is a normal run directory (``run-01`` …, ``a/run-01`` … with ``--ab``) with its summary.json;
runs.json beside them lists them in the order made. It is rewritten after every run, so a Ctrl-C
leaves the runs so far, marked ``"interrupted": true`` (the run cut short is left out: it is no
sample of the load asked for).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ecekit import redaction
from ecekit.errors import ToolkitError, UsageError
from ecekit.interrupts import raise_if_interrupted
from ecekit.load.provenance import utc_iso
from ecekit.load.run import LoadPlan, LoadResult, LoadSetup, Progress
from ecekit.run_summaries import RepeatedRun, RepeatSettings, RunsJson
from ecekit.target import Target
from ecekit.writable import writable_dir

SIDES = ("a", "b")
RUNS_FILE = "runs.json"
DEFAULT_PAUSE_S = 5.0


@dataclass(frozen=True)
class RunDone:
    """One run made: where it stands in the order, and its result."""

    order: int
    of: int
    side: str | None
    index: int  # 1 … repeat, within its side
    repeat: int
    result: LoadResult

    def line(self) -> str:
        """``run 2/5: p50 1.2 p95 3.4 p99 5.6 ms, 310 requests, SLOs passed``."""
        lat = self.result.latency_ms()
        side = f" ({self.side.upper()} {self.index}/{self.repeat})" if self.side else ""
        verdict = "SLOs passed" if self.result.passed else "SLOs BREACHED"
        return (f"run {self.order}/{self.of}{side}: p50 {lat['p50']:g} p95 {lat['p95']:g} p99 {lat['p99']:g} ms, "
                f"{self.result.requests} requests, {verdict}")


@dataclass(frozen=True)
class RepeatedResult:
    """Every run made, in the order made, and runs.json."""

    runs: list[LoadResult]
    runs_json: Path
    sides: list[str | None] = field(default_factory=list)

    @property
    def out(self) -> Path:
        return self.runs_json.parent

    @property
    def passed(self) -> bool:
        """Every SLO held in every run."""
        return all(r.passed for r in self.runs)

    @property
    def exit_code(self) -> int:
        """What ``ecekit load --repeat`` exits with: 1 if any run breached an SLO, else 0."""
        return 0 if self.passed else 1

    def side(self, name: str | None) -> list[LoadResult]:
        """The runs of one side (``"a"``, ``"b"``; None without --ab), in order."""
        return [r for r, s in zip(self.runs, self.sides, strict=True) if s == name]

    def compare_command(self) -> str:
        """The ``ecekit compare`` that reads these runs."""
        if SIDES[0] in self.sides:
            return f"ecekit compare {self.out / SIDES[0]} {self.out / SIDES[1]}"
        return f"ecekit compare {self.out} OTHER_OUT"


@dataclass
class RepeatedLoad:
    """A repeated run's settings, checked before anything starts: one LoadSetup per side."""

    setups: dict[str | None, LoadSetup]
    repeat: int
    pause: float

    @classmethod
    def checked(cls, target: Target | None, *, repeat: int = 1, pause: float = DEFAULT_PAUSE_S,
                ab: Sequence[str] | None = None, profile: str | None = None, rate: float | None = None,
                duration: float | None = None, slos: Sequence[str] = (), workers: int = 1,
                allow_writes: bool = False, allow_remote: bool = False, sid: str | None = None,
                seed: int | None = None) -> RepeatedLoad:
        if repeat < 1:
            raise UsageError(f"--repeat {repeat}: a repeated load makes at least one run", remedy="e.g. --repeat 5")
        if not (math.isfinite(pause) and pause >= 0):
            raise UsageError(f"--pause {pause:g} is not a number of seconds", remedy="e.g. --pause 5, or 0")

        def checked(side_target: Target | None) -> LoadSetup:
            return LoadSetup.checked(side_target, profile_name=profile, rate=rate, duration=duration, slos=slos,
                                     workers=workers, allow_writes=allow_writes, allow_remote=allow_remote,
                                     sid=sid, seed=seed)

        if ab is None:
            return cls({None: checked(target)}, repeat, pause)
        if len(ab) != 2 or not all(ab):
            raise UsageError("--ab takes two base URLs, A's then B's",
                             remedy="e.g. --ab http://127.0.0.1:8080/system http://127.0.0.1:8081/system")
        base = target or Target()
        return cls({side: checked(base.replace(base_url=url)) for side, url in zip(SIDES, ab, strict=True)},
                   repeat, pause)

    @property
    def first(self) -> LoadSetup:
        return next(iter(self.setups.values()))

    def order(self) -> list[tuple[str | None, int]]:
        """(side, index) of each run in the order made: A, B, A, B … with --ab."""
        return [(side, i) for i in range(1, self.repeat + 1) for side in self.setups]

    def seed_of(self, index: int) -> int | None:
        seed = self.first.seed
        return None if seed is None else seed + index - 1

    def settings(self, plans: dict[str | None, LoadPlan]) -> RepeatSettings:
        setup = self.first
        data: RepeatSettings = {
            "profile": setup.profile.name, "rate": setup.arrivals.rate, "duration": setup.arrivals.duration,
            "seed": setup.seed, "workers": setup.workers, "base_url": None, "repeat": self.repeat,
            "pause_s": self.pause}
        if None in plans:
            data["base_url"] = redaction.optional_url(plans[None].base_url)
        else:
            data["ab"] = {str(side): redaction.url(plan.base_url) for side, plan in plans.items()}
        return data

    def run(self, out: str | Path | None = None, *, on_progress: Progress | None = None,
            on_start: Callable[[dict[str | None, LoadPlan]], None] | None = None,
            on_run: Callable[[RunDone], None] | None = None) -> RepeatedResult:
        """Start the server (or probe every one) once, then make the runs. On KeyboardInterrupt
        runs.json is written with the runs so far (``"interrupted": true``) and the interrupt goes on."""
        from ecekit.report.publish import default_out, write_json

        folder = (Path(out) if out else default_out("load")).resolve()
        writable_dir(folder, "--out")
        runs: list[LoadResult] = []
        entries: list[RepeatedRun] = []
        sides: list[str | None] = []
        with contextlib.ExitStack() as stack:
            plans = {side: stack.enter_context(_started(setup, folder, side)) for side, setup in self.setups.items()}
            if on_start is not None:
                on_start(plans)
            data: RunsJson = {"kind": "load-runs", "runs": entries, "settings": self.settings(plans)}
            path = write_json(data, folder / RUNS_FILE)
            order = self.order()
            try:
                for n, (side, index) in enumerate(order, 1):
                    if n > 1 and self.pause:
                        time.sleep(self.pause)
                    raise_if_interrupted()
                    directory = folder / side / f"run-{index:02d}" if side else folder / f"run-{index:02d}"
                    seed = self.seed_of(index)
                    started = utc_iso(time.time())
                    summary = plans[side].launch(directory, on_progress,
                                                 **({"ece_seed": str(seed)} if seed is not None else {}))
                    result = LoadResult(summary, directory)
                    runs.append(result)
                    sides.append(side)
                    entries.append({"dir": directory.relative_to(folder).as_posix(), "side": side, "order": n,
                                    "started_at": started, "exit_code": result.exit_code,
                                    "seed": summary.get("seed", seed)})
                    write_json(data, path)
                    if on_run is not None:
                        on_run(RunDone(n, len(order), side, index, self.repeat, result))
            except KeyboardInterrupt:
                write_json({**data, "interrupted": True}, path)
                raise
        return RepeatedResult(runs, path, sides)


@contextlib.contextmanager
def _started(setup: LoadSetup, folder: Path, side: str | None) -> Iterator[LoadPlan]:
    """One side's server, started or probed before any run (a wrong URL of B is exit 2 before A runs),
    its error naming the side."""
    ready = False
    try:
        with setup.started(folder / side if side else folder) as plan:
            ready = True
            yield plan
    except ToolkitError as exc:
        if side is None or ready:
            raise
        name = f"URL_{side.upper()}"
        remedy = exc.remedy.replace("--base-url", f"{name} of --ab") if exc.remedy else None
        raise type(exc)(f"--ab {name}: {exc.message}", remedy=remedy) from exc


def run_repeated(target: Target | None = None, *, repeat: int = 1, pause: float = DEFAULT_PAUSE_S,
                 ab: Sequence[str] | None = None, rate: float | None = None, duration: float | None = None,
                 profile: str | None = None, slos: Sequence[str] = (), workers: int = 1,
                 out: str | Path | None = None, allow_writes: bool = False, allow_remote: bool = False,
                 sid: str | None = None, seed: int | None = None, on_progress: Progress | None = None,
                 on_run: Callable[[RunDone], None] | None = None) -> RepeatedResult:
    """The load of :func:`ecekit.run_load` made ``repeat`` times, ``pause`` seconds apart, into
    ``out/run-01`` … with ``out/runs.json``, for ``ecekit compare``.

    ``target=None`` is the embedded reference server, started once for every run. ``ab=(url_a, url_b)``:
    two servers (the target's other settings apply to both), both probed before the first run, loaded
    alternately A, B, A, B … ``repeat`` times each into ``out/a/run-NN`` and ``out/b/run-NN``. ``seed``:
    run i uses ``seed + i - 1`` (on both sides); without one each run draws its own, named in its
    summary.json. ``on_run`` sees each run as it ends.
    """
    repeated = RepeatedLoad.checked(target, repeat=repeat, pause=pause, ab=ab, profile=profile, rate=rate,
                                    duration=duration, slos=slos, workers=workers, allow_writes=allow_writes,
                                    allow_remote=allow_remote, sid=sid, seed=seed)
    return repeated.run(out, on_progress=on_progress, on_run=on_run)
