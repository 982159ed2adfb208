"""Synthetic load runs on disk, as `ecekit load` writes them, for compare's tests: latencies drawn from
a known distribution so that what compare should say is known."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ecekit.load.recorder import Recorder

OP = "chatAllowed"


def page_load_ms(fast_ms: float) -> Callable[[random.Random], float]:
    """The reference server's ``latency=mix:FASTms@90,10ms@8,40ms@2`` plus a client overhead."""
    def draw(rng: random.Random) -> float:
        u = rng.random()
        base = fast_ms if u < 0.90 else (10.0 if u < 0.98 else 40.0)
        return base + 0.8 + rng.expovariate(1 / 0.15)
    return draw


def make_summary(draw: Callable[[random.Random], float], rng: random.Random, *, n: int = 2000,
                 shift_ms: float = 0.0, failures: int = 0, rate: float = 200.0, profile: str = "one-call",
                 duration: float = 10.0, seed: int | None = None) -> dict[str, Any]:
    """summary.json of a run of ``n`` answers, every latency moved by ``shift_ms`` (the run's own
    machine noise), the first ``failures`` of them failed."""
    recorder = Recorder()
    for i in range(n):
        recorder.record(OP, max(0.001, draw(rng) + shift_ms) / 1000, "http_503" if i < failures else None)
    recorder.schedule["page_views"] = n
    # summary.json's keys compare reads (load.summary.build's own would cost a second a run: its mean
    # walks the whole histogram), the percentiles read as the recorder reads them
    stats = {"requests": n, "failures": failures, "contract_violations": 0, "rps": n / duration,
             "latency_ms": recorder.ops[OP].latency_ms()}
    data: dict[str, Any] = {"offered_rate": rate, "duration_s": duration, "profile": profile, "workers": 1,
                            "operations": {OP: stats}, "total": dict(stats),
                            "schedule": {"page_views": n, "sent_late": 0, "unsent": 0, "lag_ms": {"p50": 0.0}},
                            "slo": {"passed": True, "checks": []}}
    data["histograms"] = {"total": recorder.total().histogram.encode().decode("ascii"),
                          OP: recorder.ops[OP].histogram.encode().decode("ascii")}
    data["seed"] = seed if seed is not None else rng.randrange(1 << 30)
    return data


def write_runs(folder: Path, summaries: list[dict[str, Any]]) -> Path:
    """A directory of runs as `ecekit load --repeat K` writes it."""
    folder.mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(summaries, 1):
        run = folder / f"run-{i:02d}"
        run.mkdir()
        (run / "summary.json").write_text(json.dumps(data), encoding="utf-8")
    (folder / "runs.json").write_text(json.dumps({"kind": "load-runs", "runs": [
        {"dir": f"run-{i:02d}", "side": None, "order": i} for i in range(1, len(summaries) + 1)]}), encoding="utf-8")
    return folder


def side(folder: Path, rng: random.Random, fast_ms: float, runs: int, run_sd_ms: float, **kw: Any) -> Path:
    """``runs`` runs of one server, each shifted by its own N(0, run_sd_ms) as a shared machine does."""
    return write_runs(folder, [make_summary(page_load_ms(fast_ms), rng, shift_ms=rng.gauss(0, run_sd_ms), **kw)
                               for _ in range(runs)])
