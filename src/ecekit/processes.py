"""Stopping a child process (locust, ``ecekit serve``): SIGTERM, so it cleans up (surveys on disk,
its own children stopped), then SIGKILL if it has not ended within the grace period."""

from __future__ import annotations

import signal
import subprocess
from typing import Any


def terminate(proc: subprocess.Popen[Any], grace: float) -> int:
    """Stop ``proc`` (nothing to do if it has ended) and return its exit code."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    return proc.returncode
