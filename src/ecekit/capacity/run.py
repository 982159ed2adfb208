"""A capacity search as a library call: :func:`find_capacity`, which ``ecekit capacity`` calls.

Each step is an ordinary load run (same profiles, SLOs, workers and target) in ``steps/NN-RATE/``
under ``out``; the search (:mod:`ecekit.capacity.search`) decides the rates. capacity.json is written
when the search ends, and also when it is interrupted, with the steps so far.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ecekit import redaction
from ecekit.capacity import report, search
from ecekit.capacity.ladder import Ladder
from ecekit.capacity.step import Step
from ecekit.errors import ConfigError, TargetError
from ecekit.load import slo
from ecekit.load.run import LoadPlan, LoadSetup, Progress
from ecekit.load.stepped import Distributed, SteppedMaster, WorkersLost
from ecekit.run_summaries import CapacityJson, CapacitySettings, LoadSummary, StepRow
from ecekit.target import Target
from ecekit.writable import writable_dir

STEADY_SHAPES = ("steady", "soak")
DEFAULT_ERRORS_SLO = "errors=1%"


@dataclass(frozen=True)
class CapacityResult:
    """A capacity search: capacity.json as written (``to_dict()``), the limit found and what set it."""

    data: CapacityJson
    out: Path
    reports: dict[str, str] = field(default_factory=dict)

    @property
    def max_sustainable_rate(self) -> float | None:
        """Page views/s held within every SLO (None: not even the first rate)."""
        return self.data.get("max_sustainable_rate")

    @property
    def limited_by(self) -> str:
        """``server``, ``generator``, ``max`` or ``inconclusive``."""
        return str(self.data.get("limited_by"))

    @property
    def steps(self) -> list[StepRow]:
        return list(self.data.get("steps", []))

    @property
    def passed(self) -> bool:
        return self.max_sustainable_rate is not None

    @property
    def exit_code(self) -> int:
        """0 a rate was found; 1 the server breached the SLO at the first rate; 2 nothing was learned
        there (the generator could not keep up, or the answers did not settle the SLO)."""
        if self.passed:
            return 0
        return 2 if self.limited_by in (search.INCONCLUSIVE, search.GENERATOR) else 1

    def failure(self, start: float) -> TargetError | None:
        """Why nothing was learned at the first rate (exit 2), or None."""
        if self.passed:
            return None
        if self.data.get("lost_workers"):  # the search ended for it, not for what the steps showed
            return WorkersLost(list(self.data.get("lost_workers", [])))
        if self.limited_by == search.INCONCLUSIVE:
            return TargetError(f"the answers did not settle the SLO even at --start {start:g} page views/s",
                               remedy=report.UNSETTLED_REMEDY)
        if self.limited_by == search.GENERATOR:
            return TargetError(f"the load generator could not keep up even at --start {start:g} page views/s",
                               remedy=report.GENERATOR_REMEDY + ", or a lower --start")
        return None

    def to_dict(self) -> CapacityJson:
        return self.data.copy()


def nothing_answered(summary: LoadSummary, base_url: str) -> None:
    """A first step in which every request failed to connect is a setup problem, not a capacity."""
    total = summary["total"]
    kinds = set(total.get("failures_by_kind", {}))
    if total["requests"] and total["failures"] == total["requests"] and kinds <= {"connection"}:
        raise TargetError(f"nothing answered at {redaction.url(base_url)}: every request of the first step "
                          "failed to connect",
                          remedy="start the server, or check --base-url (host, port and context root)")


@dataclass
class CapacitySearch:
    """A checked search: the load set-up each step uses, the ladder and the step lengths."""

    setup: LoadSetup
    ladder: Ladder
    step_duration: float = 20.0
    warmup: float = 0.0
    refine: int = 3
    repeat: int = 2
    outcome: search.Outcome = field(default_factory=search.Outcome)
    distributed: Distributed | None = None  # one locust master for every step, its workers started by the user
    target_rate: float | None = None  # the rate to plan workers for (capacity.workers); default --max

    @classmethod
    def checked(cls, target: Target | None, *, start: float, maximum: float, step: float | None = None,
                factor: float | None = None, step_duration: float = 20.0, warmup: float = 0.0,
                refine: int = 3, repeat: int = 2, slos: Sequence[str] = (), profile: str | None = None,
                workers: int = 1, allow_writes: bool = False, allow_remote: bool = False,
                sid: str | None = None, seed: int | None = None,
                distributed: Distributed | None = None, target_rate: float | None = None) -> CapacitySearch:
        """Every mistake of the settings as a ToolkitError, before any step runs. A search always
        holds an error SLO (``errors=1%`` unless one is given): a rate at which visitors get no answer
        is not sustainable."""
        setup = LoadSetup.checked(target, profile_name=profile, rate=None, duration=None, slos=slos,
                                  workers=workers, allow_writes=allow_writes, allow_remote=allow_remote,
                                  sid=sid, seed=seed, bounded=False)
        prof = setup.profile
        if prof.arrivals.shape not in STEADY_SHAPES:
            raise ConfigError(f"profile {prof.name!r} has {prof.arrivals.shape} arrivals; capacity steps a "
                              "steady rate",
                              remedy="use a profile with a steady shape (default, one-call, or your own .toml)")
        if not (prof.slos or slos):
            raise ConfigError(f"no SLO to hold: profile {prof.name!r} sets none",
                              remedy="pass one, e.g. --slo p95=200ms --slo errors=1%")
        if not any(s.name == "errors" for s in slo.parse_all(prof.slos, slos)):
            setup.slos = (*setup.slos, DEFAULT_ERRORS_SLO)
        if not step_duration > 0:
            raise ConfigError(f"--step-duration {step_duration:g} is not a positive number of seconds",
                              remedy="e.g. 20")
        if not warmup >= 0:
            raise ConfigError(f"--warmup {warmup:g} is negative", remedy="e.g. --warmup 5, or 0 for none")
        if distributed is not None and workers > 1:
            raise ConfigError("--workers starts local worker processes; --distributed waits for workers you start",
                              remedy="pass one of them: --workers N (this machine) or --distributed "
                                     "--expect-workers N")
        if target_rate is not None and not target_rate > 0:
            raise ConfigError(f"--target-rate {target_rate:g} is not a positive rate", remedy="e.g. --target-rate 5000")
        return cls(setup, Ladder(start, maximum, step, factor), step_duration, warmup, refine, repeat,
                   distributed=distributed, target_rate=target_rate)

    @property
    def slos(self) -> list[slo.Slo]:
        return slo.parse_all(self.setup.profile.slos, self.setup.slos)

    def settings(self) -> CapacitySettings:
        workers = self.distributed.expect_workers if self.distributed else self.setup.workers
        settings: CapacitySettings = {
            "profile": self.setup.profile.name, "workers": workers, "step_duration_s": self.step_duration,
            "warmup_s": self.warmup, "ladder": self.ladder.rates(), "refine": self.refine, "repeat": self.repeat}
        if self.distributed:
            settings["distributed"] = True
        if self.target_rate is not None:
            settings["target_rate"] = self.target_rate
        return settings

    def master(self, plan: LoadPlan, folder: Path) -> contextlib.AbstractContextManager[SteppedMaster | None]:
        """The one locust master of a distributed search (its workers on other machines), else nothing:
        each step then launches its own processes. The workers get the target inline, not as a path to
        a file of this machine."""
        if self.distributed is None:
            return contextlib.nullcontext()
        options = dict(plan.options)
        if options.get("ece_target"):
            options["ece_target"] = Path(options["ece_target"]).read_text(encoding="utf-8")
        return SteppedMaster(plan.base_url, options, folder / "master", self.distributed, plan.env)

    def run(self, out: str | Path | None = None, *, on_progress: Progress | None = None,
            on_start: Callable[[LoadPlan], None] | None = None, on_step_start: Callable[[str], None] | None = None,
            on_step: Callable[[Step], None] | None = None) -> CapacityResult:
        """Run the search into ``out`` (default ``reports/capacity-<timestamp>/``). On KeyboardInterrupt
        capacity.json is written with the steps so far (``"interrupted": true``) and the interrupt goes on."""
        from ecekit.report import publish, run_info

        folder = Path(out) if out else publish.default_out("capacity")
        writable_dir(folder, "--out")
        self.outcome = search.Outcome()  # a search run again starts afresh
        warmup, step_s = self.warmup, self.step_duration
        header = run_info.header(self.setup.target, seed=self.setup.seed)
        lost: list[str] = []
        with self.setup.started(folder, length_s=warmup + step_s) as plan, self.master(plan, folder) as master:
            if on_start is not None:
                on_start(plan)

            def run_step(rate: float, number: int, phase: str, scale: float = 1.0) -> tuple[LoadSummary, str]:
                directory = folder / "steps" / f"{number:02d}-{rate:g}"
                length = step_s * scale
                if on_step_start is not None:
                    on_step_start(f"step {number} ({phase}): {rate:g} page views/s for {length:g} s"
                                  + (f" after {warmup:g} s warm-up" if warmup else ""))
                longer = dataclasses.replace(plan, hard_cap_s=plan.hard_cap_s + length - step_s)
                step_options = {"ece_rate": repr(rate), "ece_duration": repr(warmup + length),
                                "ece_warmup": repr(warmup)}
                if master is None:
                    summary = longer.launch(directory, on_progress, **step_options)
                else:
                    summary = master.run_step(directory, {**plan.options, **step_options}, longer.hard_cap_s,
                                              on_progress)
                    lost.extend(summary.get("lost_workers", []))
                if number == 1:
                    nothing_answered(summary, plan.base_url)
                return summary, str((directory / "summary.json").relative_to(folder))

            try:
                search.search(self.ladder, run_step, refine=self.refine, repeats=self.repeat, on_step=on_step,
                              outcome=self.outcome)
            except (KeyboardInterrupt, WorkersLost) as exc:
                cut: CapacitySettings = {**self.settings(), "interrupted": True}
                data: CapacityJson = {**header, **report.build(self.outcome, self.slos, cut)}
                if isinstance(exc, WorkersLost):
                    data["lost_workers"] = exc.lost
                publish.write_json(data, folder / "capacity.json")
                raise
        data = {**header, **report.build(self.outcome, self.slos, self.settings())}
        if lost:
            data["lost_workers"] = lost
        publish.write_json(data, folder / "capacity.json")
        written = publish.write_reports("capacity", data, folder)
        return CapacityResult(data, folder, {k: str(v) for k, v in written.items()})


def find_capacity(target: Target | None = None, *, start: float, max: float,
                  factor: float | None = None, step: float | None = None, step_duration: float = 20.0,
                  slos: Sequence[str] = (), profile: str | None = None, workers: int = 1,
                  out: str | Path | None = None, warmup: float = 0.0, refine: int = 3, repeat: int = 2,
                  allow_remote: bool = False, seed: int | None = None,
                  on_step: Callable[[Step], None] | None = None) -> CapacityResult:
    """The highest page-view rate ``target`` (None: the embedded reference server) holds within
    ``slos``, and whether the server or the load generator set that limit.

    Rates go up from ``start`` by ``factor`` (default 2) or by ``step`` to ``max``, each
    ``step_duration`` seconds of an open-model load run; a breach beyond doubt is bisected ``refine``
    times. Writes capacity.json, report.html and each step's summary.json to ``out``.
    """
    return CapacitySearch.checked(target, start=start, maximum=max, step=step, factor=factor,
                                  step_duration=step_duration, warmup=warmup, refine=refine, repeat=repeat,
                                  slos=slos, profile=profile, workers=workers, allow_remote=allow_remote,
                                  seed=seed).run(out, on_step=on_step)
