"""One ecekit command against the hostile server (tests/hostile.py), as a user runs it: its own process,
its exit code, its output, its wall time and its peak memory: the largest high-water mark (VmHWM) of
any process of its tree (the command's own, locust's), sampled while it runs. Not ru_maxrss: on
Linux a child inherits the RSS its parent had when it forked, so under a large test process (an xdist
worker late in a run) every child would "use" what the parent did. Memory is asserted only far above
normal (MEMORY_BOUND_MB), never timed tightly."""

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


def _tree_hwm_kb(root: int, peaks: dict[int, int]) -> None:
    """Note in ``peaks`` the VmHWM (a process's own high-water mark, which exec resets) of ``root`` and
    of every live descendant (locust runs in sessions of its own, so the tree, not the session)."""
    parent: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                    parent[int(entry.name)] = int(f.read().rsplit(")", 1)[1].split()[1])  # state ppid …
            except (OSError, IndexError, ValueError):
                continue  # ended between the listing and the read
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, ppid in parent.items() if ppid in tree} - tree
        tree |= more
        grew = bool(more)
    for pid in tree:
        try:
            with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as f:
                hwm = next((int(line.split()[1]) for line in f if line.startswith("VmHWM:")), 0)
        except (OSError, ValueError):
            continue
        peaks[pid] = max(peaks.get(pid, 0), hwm)


def ecekit(*args: str, timeout: float = 120.0) -> Ran:
    """``ecekit ARGS`` in a child process, killed (and the test failed) past ``timeout``."""
    cmd = [sys.executable, "-m", "ecekit", *args]
    with tempfile.TemporaryFile() as out:
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        peaks: dict[int, int] = {}
        while True:
            _tree_hwm_kb(proc.pid, peaks)
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
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
    return Ran(proc.returncode, text, seconds, max(peaks.values(), default=0) / 1024)
