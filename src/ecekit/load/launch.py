"""Running locust for ``ecekit load``: one process, or a master and N workers, all bounded in time.

Locust runs in child processes, never in the caller's: importing it monkey-patches the whole process
through gevent. The children read their settings from ``--ece-*`` arguments (headers from the
environment), write ``progress.json`` every second and ``summary.json`` at the end into the output
directory; this module watches the first, enforces a hard time cap (SIGTERM, which still writes the
summary, then SIGKILL) and returns the second. Imports neither locust nor gevent.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from ecekit import redaction, resources
from ecekit.errors import TargetError
from ecekit.load import stopped
from ecekit.load.settings import CREDENTIALS_ENV
from ecekit.processes import terminate
from ecekit.run_summaries import LoadSummary, ProgressCounts

TERM_GRACE_S = 10.0


@dataclass
class Launch:
    """What to run: the base URL, the ``ece_*`` options, the number of worker processes.

    A password in ``host`` reaches the processes in the environment (``ECEKIT_CREDENTIALS``), never on
    their command line, where any user of the machine could read it."""

    host: str
    options: Mapping[str, str]
    out: Path
    workers: int = 1
    hard_cap_s: float = 120.0
    env: Mapping[str, str] = field(default_factory=dict)
    locustfile: Path = field(default_factory=lambda: resources.loadtests_dir() / "locustfile.py")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def command(launch: Launch, role: str, port: int = 0) -> list[str]:
    """The locust command line of one process: ``local``, ``master`` or ``worker``."""
    cmd = [sys.executable, "-m", "locust", "-f", str(launch.locustfile), "--loglevel", "INFO"]
    if role == "worker":
        return [*cmd, "--worker", "--master-host", "127.0.0.1", "--master-port", str(port)]
    cmd += ["--headless", "--only-summary", "--host", redaction.split_credentials(launch.host)[0]]
    for name, value in launch.options.items():
        if value not in (None, ""):
            cmd += ["--" + name.replace("_", "-"), str(value)]
    if role == "master":
        cmd += ["--master", "--master-bind-host", "127.0.0.1", "--master-bind-port", str(port),
                "--expect-workers", str(launch.workers), "--expect-workers-max-wait", "60"]
    return cmd


def log_tail(text: str, limit: int = 1500) -> str:
    """The last whole lines of a log, at most about ``limit`` characters (never cut mid-word)."""
    if len(text) <= limit:
        return text.rstrip()
    tail = text[-limit:]
    return tail[tail.index("\n") + 1:].rstrip() if "\n" in tail else tail.rstrip()


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def run(launch: Launch, on_progress: Callable[[ProgressCounts], None] | None = None) -> LoadSummary:
    """Run the load and return summary.json; raises TargetError if no summary was written, and the
    error a locust process stopped the run for (ecekit.load.stopped). Both files are our own locust
    processes' (``load.hooks``), read back as the shapes they were written in."""
    out = launch.out
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("summary.json", "progress.json", stopped.FILE):
        (out / stale).unlink(missing_ok=True)
    env = {**os.environ, **launch.env, "PYTHONUNBUFFERED": "1"}
    credentials = redaction.split_credentials(launch.host)[1]
    if credentials:
        env[CREDENTIALS_ENV] = credentials
    procs: list[subprocess.Popen[bytes]] = []
    logs = []
    distributed = launch.workers > 1
    port = free_port() if distributed else 0
    roles = ["master"] + ["worker"] * launch.workers if distributed else ["local"]
    try:
        for i, role in enumerate(roles):
            log = (out / f"locust-{role}{i if role == 'worker' else ''}.log").open("wb")
            logs.append(log)
            procs.append(subprocess.Popen(command(launch, role, port), stdout=log, stderr=subprocess.STDOUT,
                                          env=env, cwd=str(out), start_new_session=True))
        main = procs[0]
        deadline = time.monotonic() + launch.hard_cap_s
        while main.poll() is None:
            if time.monotonic() > deadline:
                terminate(main, TERM_GRACE_S)
                break
            time.sleep(0.5)
            if on_progress is not None:
                progress = read_json(out / "progress.json")
                if progress:
                    on_progress(cast(ProgressCounts, progress))
        for worker in procs[1:]:
            try:
                worker.wait(10)
            except subprocess.TimeoutExpired:
                terminate(worker, 5)
    finally:
        for proc in procs:
            terminate(proc, 5)
        for log in logs:
            log.close()
    error = stopped.read(out)
    if error is not None:  # the user's mistake, found mid-run: exit 2 as if found before it
        raise error
    written = read_json(out / "summary.json")
    if written is None:
        log_file = out / f"locust-{roles[0]}.log"
        tail = log_tail(log_file.read_text(encoding="utf-8", errors="replace"))
        raise TargetError("the load run ended without a summary",
                          remedy=f"see the locust log {log_file}; it ends with:\n{redaction.text(tail)}")
    summary = cast(LoadSummary, written)
    summary["exit_code"] = procs[0].returncode
    return summary
