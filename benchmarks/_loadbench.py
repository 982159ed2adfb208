"""Shared helpers of the load benchmarks: the stub server, ecekit runs, truth from the server's log.

Every benchmark runs on loopback, bounded in time, and prints figures measured in one run.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ecekit.load import launch

HERE = Path(__file__).resolve().parent


@contextlib.contextmanager
def stub_server(*args: str, cpu: int | None = None, script: str = "load_stubserver.py",
                ) -> Iterator[tuple[str, Path, int]]:
    """Start a test server (benchmarks/load_stubserver.py unless ``script`` names another with the same
    options and log); yield (base URL, its request log written at exit, its pid)."""
    tmp = Path(tempfile.mkdtemp(prefix="ecekit-bench-"))
    log = tmp / "server.log"
    cmd = [sys.executable, str(HERE / script), "--log", str(log), *args]
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


def server_log(path: Path) -> list[tuple[float, float, float, str]]:
    """(arrival s since first request, wait s, arrival on the monotonic clock, entry point) per request."""
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


def run_ecekit(base_url: str, *, profile: str, rate: float, duration: float, out: Path, workers: int = 1,
               entry_point: str = "1001", seed: int | None = None) -> dict[str, Any]:
    """One `ecekit load` run through the same launcher the CLI uses; returns summary.json."""
    options = {"ece_profile": profile, "ece_rate": str(rate), "ece_duration": str(duration),
               "ece_entry_points": entry_point, "ece_out": str(out)}
    if seed is not None:
        options["ece_seed"] = str(seed)
    return launch.run(launch.Launch(host=base_url, options=options, out=out, workers=workers,
                                    hard_cap_s=duration + 90))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


K6_SCRIPT = """import http from 'k6/http';
export const options = {
  discardResponseBodies: false,
  scenarios: {
    pageviews: {
      executor: 'constant-arrival-rate', rate: __RATE__, timeUnit: '1s', duration: '__DURATION__s',
      preAllocatedVUs: __VUS__, maxVUs: __MAXVUS__, gracefulStop: '5s',
    },
  },
};
export default function () { http.get('__URL__'); }
"""


def k6_binary() -> str | None:
    """The k6 executable the ``bench`` extra installs (PyPI package ``k6``) beside this Python, or on PATH."""
    beside = Path(sysconfig.get_path("scripts")) / "k6"
    return str(beside) if beside.exists() else shutil.which("k6")


def run_k6(url: str, *, rate: float, duration: float, out: Path, vus: int = 20) -> list[float]:
    """One k6 run, constant-arrival-rate executor (an open model like ecekit's) at ``rate`` requests/s
    on one URL; returns each request's ``http_req_duration`` in seconds (sending + waiting + receiving:
    k6's latency, from the request's first byte written to the response's last byte read)."""
    k6 = k6_binary()
    if k6 is None:
        raise RuntimeError("k6 is not installed: pip install -e '.[bench]'")
    out.mkdir(parents=True, exist_ok=True)
    script = out / "k6_script.js"
    script.write_text(K6_SCRIPT.replace("__RATE__", f"{rate:g}").replace("__DURATION__", f"{duration:g}")
                      .replace("__VUS__", str(vus)).replace("__MAXVUS__", str(vus * 10)).replace("__URL__", url))
    points = out / "k6_points.csv"
    subprocess.run([k6, "run", "--quiet", "--no-summary", "--no-usage-report", "--out", f"csv={points}",
                    str(script)], check=True, timeout=duration + 60, stdout=subprocess.DEVNULL,
                   env={**os.environ, "K6_NO_USAGE_REPORT": "true"})
    with points.open(newline="") as f:
        return [float(row["metric_value"]) / 1000 for row in csv.DictReader(f)
                if row["metric_name"] == "http_req_duration"]
