"""One ecekit command against the hostile server (tests/hostile.py), as a user runs it: its own process,
its exit code, its output, its wall time and its peak memory (ru_maxrss from wait4: the command's own
and that of the processes it waited for, e.g. locust's). Memory is asserted only far above normal
(MEMORY_BOUND_MB), never timed tightly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

MEMORY_BOUND_MB = 300


@dataclass
class Ran:
    code: int
    output: str
    seconds: float
    max_rss_mb: float


def ecekit(*args: str, timeout: float = 120.0) -> Ran:
    """``ecekit ARGS`` in a child process, killed (and the test failed) past ``timeout``."""
    cmd = [sys.executable, "-c", "from ecekit.cli import main; main()", *args]
    with tempfile.TemporaryFile() as out:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                os.killpg(proc.pid, signal.SIGKILL)
                os.wait4(proc.pid, 0)
                out.seek(0)
                raise AssertionError(f"ecekit {' '.join(args)} ran over {timeout:g}s:\n"
                                     + out.read().decode(errors="replace")[-3000:])
            time.sleep(0.1)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - started
        out.seek(0)
        text = out.read().decode(errors="replace")
    return Ran(proc.returncode, text, seconds, usage.ru_maxrss / 1024)
