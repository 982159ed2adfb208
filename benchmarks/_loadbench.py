"""Shared helpers of the load benchmarks: the servers (tests/load/stubserver.py, and
benchmarks/load_asyncioserver.py), ecekit and k6 runs, truth from the server's log.

Every benchmark runs on loopback, bounded in time, and prints figures measured in one run.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the stub server and its helpers live with the load tests

from tests.load.harness import STUB, percentile, profile_file, server_log  # noqa: E402
from tests.load.harness import run_locust as run_ecekit  # noqa: E402
from tests.load.harness import stub_server as _stub_server  # noqa: E402

__all__ = ["HERE", "cpu_seconds", "k6_binary", "ms", "percentile", "profile_file", "run_ecekit", "run_k6",
           "server_log", "stub_server"]
SERVERS = {"stub": STUB, "asyncio": HERE / "load_asyncioserver.py"}


def stub_server(*args: str, cpu: int | None = None, script: str = "stub"):  # type: ignore[no-untyped-def]
    """A test server by kind (``stub`` or ``asyncio``, see SERVERS)."""
    return _stub_server(*args, cpu=cpu, script=SERVERS[script])


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
