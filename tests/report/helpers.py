"""What the report tests share: how they run ecekit, the secret no report may show, the kinds of run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ENV = {**os.environ, "NO_COLOR": "1"}
ENV.pop("GITHUB_STEP_SUMMARY", None)
SECRET = "s3cr3t-token-never-shown"


def ecekit(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ecekit",
                           *args], capture_output=True, text=True, timeout=timeout, cwd=cwd, env=ENV)


KINDS = {"check_pass": "check", "check_fail": "check", "fuzz": "fuzz", "load": "load", "capacity": "capacity",
         "capacity_real": "capacity"}
