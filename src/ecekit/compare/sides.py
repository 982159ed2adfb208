"""What each side of a comparison is: one load run, several (``ecekit load --repeat``), or a capacity run;
and whether the two sides may be compared at all.

Refusing is part of the answer: a p95 of 50 page views/s against one of 100/s, or of a run whose
generator fell behind its schedule (its latencies then hold the generator's own lag), differs for
reasons that are not the upgrade. Such a pair is a usage error (exit 2) naming the reason, never a
verdict. Differences that do not make runs incomparable (duration, workers, machine) are notes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from ecekit.errors import UsageError
from ecekit.run_summaries import CapacityJson, LoadSummary

RATE_TOLERANCE = 0.01
"""Offered rates within 1 % of each other are the same load (a float printed and read back)."""
LOAD, CAPACITY = "load", "capacity"


@dataclass(frozen=True)
class Run:
    path: Path  # the run's directory
    summary: LoadSummary

    @property
    def raw(self) -> dict[str, Any]:
        """The summary as plain JSON: keys of newer ecekits read with .get, missing in older runs."""
        return cast(dict[str, Any], self.summary)


@dataclass
class SideRuns:
    """One side: its runs (load) or its capacity.json (capacity)."""

    path: Path
    kind: str
    runs: list[Run] = field(default_factory=list)
    capacity: CapacityJson | None = None

    def describe(self) -> dict[str, Any]:
        if self.capacity is not None:
            return {"path": str(self.path), "runs": 1, "profile": self.capacity.get("profile")}
        first = self.runs[0].summary
        return {"path": str(self.path), "runs": len(self.runs), "profile": first.get("profile"),
                "offered_rate": first.get("offered_rate"), "duration_s": first.get("duration_s")}


def _json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path} cannot be read as JSON: {exc}",
                         remedy="point at the directory an `ecekit load` or `ecekit capacity` run wrote") from exc
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not a run's summary (not a JSON object)")
    return data


def _load_run(directory: Path) -> Run:
    data = _json(directory / "summary.json")
    for key in ("operations", "total", "offered_rate"):
        if key not in data:
            raise UsageError(f"{directory / 'summary.json'} is not a load run's summary (no {key!r})")
    return Run(directory, cast(LoadSummary, data))


def read_side(path: str | Path) -> SideRuns:
    """A side from what the user named: a run's directory (or its summary.json / capacity.json), a
    directory of runs (``runs.json``, or sub-directories holding a summary.json each)."""
    path = Path(path)
    if path.is_file():
        path = path.parent
    if not path.is_dir():
        raise UsageError(f"{path}: no such directory",
                         remedy="name a directory an `ecekit load` (--repeat) or `ecekit capacity` run wrote")
    if (path / "capacity.json").is_file():
        return SideRuns(path, CAPACITY, capacity=cast(CapacityJson, _json(path / "capacity.json")))
    if (path / "summary.json").is_file():
        return SideRuns(path, LOAD, [_load_run(path)])
    index = path / "runs.json"
    if index.is_file():
        listed = _json(index).get("runs", [])
        if any(isinstance(r, dict) and r.get("side") for r in listed):
            sides = sorted({str(r["side"]) for r in listed if isinstance(r, dict) and r.get("side")})
            raise UsageError(f"{path} holds an A/B pair of runs, not one side",
                             remedy="compare its two sides: ecekit compare " + " ".join(str(path / s) for s in sides))
        dirs = [path / str(r["dir"]) for r in listed if isinstance(r, dict) and "dir" in r]
        dirs = [d for d in dirs if (d / "summary.json").is_file()]
    else:
        dirs = sorted(d for d in path.iterdir() if d.is_dir() and (d / "summary.json").is_file())
    if not dirs:
        raise UsageError(f"{path} holds no load run (summary.json) and no capacity run (capacity.json)",
                         remedy="name a directory an `ecekit load` (--repeat) or `ecekit capacity` run wrote")
    return SideRuns(path, LOAD, [_load_run(d) for d in dirs])


def _same_load(a: Run, b: Run) -> str | None:
    """Why two runs are not the same load, or None."""
    pa, pb = a.summary.get("profile"), b.summary.get("profile")
    if pa != pb:
        return f"profile {pa!r} in {a.path} but {pb!r} in {b.path}"
    ra, rb = float(a.summary["offered_rate"]), float(b.summary["offered_rate"])
    if abs(ra - rb) > RATE_TOLERANCE * max(ra, rb):
        return f"{ra:g} page views/s offered in {a.path} but {rb:g}/s in {b.path}"
    ea, eb = sorted(a.summary.get("entry_points", [])), sorted(b.summary.get("entry_points", []))
    if len(ea) != len(eb):
        return f"{len(ea)} entry point(s) loaded in {a.path} but {len(eb)} in {b.path}"
    return None


def faltered(run: Run) -> list[str]:
    """Why the run's own generator, not the server, may have set its latencies (capacity's rule)."""
    from ecekit.capacity.step import generator_problems

    return generator_problems(run.summary)


def check_comparable(before: SideRuns, after: SideRuns) -> list[str]:
    """Raise UsageError for a pair that cannot be compared; the notes for one that can."""
    if before.kind != after.kind:
        raise UsageError(f"cannot compare a {before.kind} run ({before.path}) with a {after.kind} run "
                         f"({after.path})", remedy="compare two load runs, or two capacity runs")
    notes: list[str] = []
    if before.kind == CAPACITY:
        assert before.capacity is not None and after.capacity is not None
        pb, pa = before.capacity.get("profile"), after.capacity.get("profile")
        if pb != pa:
            raise UsageError(f"cannot compare capacity runs of different profiles: {pb!r} in {before.path}, "
                             f"{pa!r} in {after.path}", remedy="search both with the same --profile and --slo")
        sb = [(c["name"], c["limit"]) for c in before.capacity.get("slo", {}).get("checks", [])]
        sa = [(c["name"], c["limit"]) for c in after.capacity.get("slo", {}).get("checks", [])]
        if sorted(sb) != sorted(sa):
            raise UsageError(f"cannot compare capacity runs held to different SLOs: {sb} in {before.path}, "
                             f"{sa} in {after.path}", remedy="search both with the same --slo")
        return notes
    reference = before.runs[0]
    for run in [*before.runs[1:], *after.runs]:
        why = _same_load(reference, run)
        if why is not None:
            raise UsageError(f"cannot compare runs of different loads: {why}",
                             remedy="run both sides with the same --profile, --rate and entry points")
    for run in [*before.runs, *after.runs]:
        problems = faltered(run)
        if problems:
            raise UsageError(f"cannot compare: the load generator faltered in {run.path}: {problems[0]}",
                             remedy="run it again on a quieter machine (or with --workers N), or leave it out")
    durations = {float(r.summary.get("duration_s", 0)) for r in [*before.runs, *after.runs]}
    if len(durations) > 1:
        notes.append(f"runs of different lengths ({', '.join(f'{d:g} s' for d in sorted(durations))}): "
                     "the longer runs' percentiles are known more closely")
    workers = {int(r.summary.get("workers", 1) or 1) for r in [*before.runs, *after.runs]}
    if len(workers) > 1:
        notes.append(f"runs with different numbers of load processes ({sorted(workers)})")
    machines = {json.dumps(r.summary.get("machine"), sort_keys=True) for r in [*before.runs, *after.runs]
                if r.summary.get("machine")}
    if len(machines) > 1:
        notes.append("the runs were made on different machines (cpus, Python or platform differ)")
    for side in (before, after):
        seeds = [r.summary.get("seed") for r in side.runs if r.summary.get("seed") is not None]
        if len(seeds) >= 2 and len(set(seeds)) < len(seeds):
            notes.append(f"runs of {side.path} share a seed: they replay one arrival schedule, so their spread "
                         "understates what another schedule would show")
        if len(side.runs) == 1:
            notes.append(f"{side.path} is one run: run-to-run noise is not measured there "
                         "(ecekit load --repeat K measures it)")
    if any("histograms" not in r.summary for r in [*before.runs, *after.runs]):
        notes.append("some runs hold no latency histograms (recorded by an older ecekit): their percentiles' "
                     "sampling error is not known")
    return notes
