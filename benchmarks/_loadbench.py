"""Shared helpers of the load benchmarks: the stub server (tests/load/stubserver.py), ecekit runs,
truth from the server's log.

Every benchmark runs on loopback, bounded in time, and prints figures measured in one run.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the stub server and its helpers live with the load tests

from tests.load.harness import percentile, profile_file, server_log, stub_server  # noqa: E402
from tests.load.harness import run_load as run_ecekit  # noqa: E402

__all__ = ["HERE", "cpu_seconds", "ms", "percentile", "profile_file", "run_ecekit", "server_log", "stub_server"]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ms(seconds: float) -> float:
    return round(seconds * 1000, 3)
