"""Short real load runs for the tests (and the benchmarks): the stub server, its log, one `ecekit load`.

The stub server (``stubserver.py``, a script run in its own process) knows every delay it adds and
logs every request it saw, so a run's claims are compared with the truth of the *same* run. Every run
here is on loopback and bounded: arrivals end at the profile's duration, the launcher's hard cap ends
anything else.
"""

from __future__ import annotations

import contextlib
import json
import math
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ecekit.load import launch

STUB = Path(__file__).resolve().parent / "stubserver.py"
Row = tuple[float, float | None, float, str]  # arrival (s since the first), wait (None: unanswered), clock, last


@contextlib.contextmanager
def stub_server(*args: str, cpu: int | None = None, script: Path = STUB) -> Iterator[tuple[str, Path, int]]:
    """Start the stub server (or another ``script`` with the same options and log, e.g. the benchmarks'
    plain asyncio server); yield (base URL, its request log written at exit, its pid)."""
    tmp = Path(tempfile.mkdtemp(prefix="ecekit-stub-"))
    log = tmp / "server.log"
    cmd = [sys.executable, str(script), "--log", str(log), *args]
    if cpu is not None and shutil.which("taskset"):
        cmd = ["taskset", "-c", str(cpu), *cmd]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        if not line.startswith("READY "):
            raise RuntimeError(f"stub server did not start: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}/system", log, proc.pid
    finally:
        proc.terminate()
        proc.wait(10)


def server_log(path: Path) -> list[Row]:
    """One row per request the stub saw, in arrival order (read after the server stopped)."""
    return [tuple(json.loads(line)) for line in path.read_text().splitlines()]  # type: ignore[misc]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (what HDR histograms report, up to their resolution)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def profile_file(directory: Path, name: str, text: str) -> Path:
    path = directory / f"{name}.toml"
    path.write_text(text)
    return path


def run_locust(base_url: str, *, profile: str | Path, rate: float, duration: float, out: Path,
               workers: int = 1, entry_point: str = "1001", seed: int | None = None,
               hard_cap_s: float | None = None) -> dict[str, Any]:
    """The locust processes of one load run against ``base_url``, through the launcher the CLI uses
    (no set-up checks, no server of its own: unlike ``ecekit.run_load``); returns summary.json."""
    options = {"ece_profile": str(profile), "ece_rate": str(rate), "ece_duration": str(duration),
               "ece_entry_points": entry_point, "ece_out": str(out)}
    if seed is not None:
        options["ece_seed"] = str(seed)
    return launch.run(launch.Launch(host=base_url, options=options, out=out, workers=workers,
                                    hard_cap_s=hard_cap_s if hard_cap_s is not None else duration + 90))
