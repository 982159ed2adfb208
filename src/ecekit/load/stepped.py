"""One locust master for a whole capacity search, its workers on other machines: ``ecekit capacity
--distributed``. The launcher's side of ``ecekit.load.driver``'s control files.

The master starts once (bound where the workers can reach it), the search waits for the expected
workers (``workers.json``), then asks for one step at a time (``step.json``) and reads the step's
summary.json when the master says it is done (``done.json``). The workers are whatever the user
started with locust's own worker command; the master's quit (``close``) ends them too. Every step is
bounded in time like a one-off launch, and a master that dies or hangs is stopped and reported.
Imports neither locust nor gevent.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from ecekit import redaction
from ecekit.errors import TargetError, UsageError
from ecekit.load import driver, launch, stopped
from ecekit.load.settings import CREDENTIALS_ENV
from ecekit.processes import terminate
from ecekit.run_summaries import LoadSummary, ProgressCounts

DEFAULT_BIND_HOST, DEFAULT_BIND_PORT = "127.0.0.1", 5557  # locust's own defaults but the host: loopback
WAIT_WORKERS_S = 60.0
WORKER_COMMAND = "locust -f loadtests/locustfile.py --worker --master-host {host} --master-port {port}"


class WorkersLost(TargetError):
    """Workers of a distributed search went away: the search ends with the steps so far."""

    def __init__(self, lost: list[str]) -> None:
        super().__init__(f"lost {len(lost)} load worker(s): {', '.join(lost)}",
                         remedy="the steps so far are in capacity.json; restart the worker(s) and run the search "
                                "again (see docs/capacity.md, \"When a worker is the limit\")")
        self.lost = lost


@dataclass(frozen=True)
class Distributed:
    """Where the master listens and how many workers it waits for (``--expect-workers``)."""

    expect_workers: int
    bind_host: str = DEFAULT_BIND_HOST
    bind_port: int = DEFAULT_BIND_PORT
    wait_s: float = WAIT_WORKERS_S

    @classmethod
    def checked(cls, expect_workers: int | None, bind_host: str = DEFAULT_BIND_HOST,
                bind_port: int = DEFAULT_BIND_PORT, wait_s: float = WAIT_WORKERS_S) -> Distributed:
        if expect_workers is None or not 1 <= expect_workers <= 1000:
            raise UsageError(f"--expect-workers {expect_workers}: a distributed search needs 1 to 1000 workers",
                             remedy="pass --expect-workers N with N the worker processes you start")
        if not 0 <= bind_port <= 65535:
            raise UsageError(f"--master-bind-port {bind_port} is not a TCP port", remedy="e.g. 5557")
        return cls(expect_workers, bind_host, bind_port, wait_s)

    def worker_command(self) -> str:
        host = "MASTER_HOST" if self.bind_host in ("0.0.0.0", "*", "") else self.bind_host
        return WORKER_COMMAND.format(host=host, port=self.bind_port)


@dataclass
class SteppedMaster:
    """The master process of a distributed search; a context manager (``close`` ends it and its workers)."""

    host: str
    options: Mapping[str, str]
    control: Path
    distributed: Distributed
    env: Mapping[str, str] = field(default_factory=dict)
    proc: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None
    number: int = 0
    stepping: bool = False  # the workers came: the master's driver reads step.json (else only a signal ends it)

    def __enter__(self) -> SteppedMaster:
        try:
            self.start()
        except BaseException:  # no __exit__ for a failed __enter__: the master must not outlive it
            self.close()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def log_path(self) -> Path:
        return self.control / "locust-master.log"

    def command(self) -> list[str]:
        d = self.distributed
        spec = launch.Launch(host=self.host, options={**self.options, "ece_control": str(self.control.resolve())},
                             out=self.control)
        return [*launch.command(spec, "local"), "--master", "--master-bind-host", d.bind_host,
                "--master-bind-port", str(d.bind_port), "--expect-workers", str(d.expect_workers),
                "--expect-workers-max-wait", str(int(d.wait_s + 30))]

    def start(self) -> None:
        """Start the master and wait for the expected workers (TargetError with the worker command if not)."""
        self.control.mkdir(parents=True, exist_ok=True)
        for stale in (driver.WORKERS_FILE, driver.STEP_FILE, driver.DONE_FILE):
            (self.control / stale).unlink(missing_ok=True)
        env = {**os.environ, **self.env, "PYTHONUNBUFFERED": "1"}
        credentials = redaction.split_credentials(self.host)[1]
        if credentials:
            env[CREDENTIALS_ENV] = credentials
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(self.command(), stdout=self.log, stderr=subprocess.STDOUT, env=env,
                                     cwd=str(self.control), start_new_session=True)
        self.wait_for_workers()

    def wait_for_workers(self) -> None:
        d = self.distributed
        deadline = time.monotonic() + d.wait_s
        ready: list[str] = []
        while time.monotonic() < deadline:
            self.check_alive("while waiting for its workers")
            info = launch.read_json(self.control / driver.WORKERS_FILE) or {}
            ready = list(info.get("ready") or [])
            if len(ready) >= d.expect_workers:
                self.stepping = True
                return
            time.sleep(0.2)
        raise TargetError(f"{len(ready)} of {d.expect_workers} expected load workers connected to the master at "
                          f"{d.bind_host}:{d.bind_port} within {d.wait_s:g} s",
                          remedy=f"on each load machine (ecekit installed, same version) run: {d.worker_command()}; "
                                 "or pass the --expect-workers you start; a master that workers on other "
                                 "machines reach needs --master-bind-host 0.0.0.0 (and its port open)")

    def check_alive(self, doing: str) -> None:
        assert self.proc is not None
        if self.proc.poll() is None:
            return
        tail = launch.log_tail(self.log_path.read_text(encoding="utf-8", errors="replace"))
        raise TargetError(f"the locust master ended {doing} (exit code {self.proc.returncode})",
                          remedy=f"see {self.log_path}; it ends with:\n{redaction.text(tail)}")

    def run_step(self, out: Path, options: Mapping[str, str], hard_cap_s: float,
                 on_progress: Callable[[ProgressCounts], None] | None = None) -> LoadSummary:
        """One step into ``out`` with these ``ece_*`` options; its summary.json (as ``launch.run``'s)."""
        out.mkdir(parents=True, exist_ok=True)
        for stale in ("summary.json", "progress.json", stopped.FILE):
            (out / stale).unlink(missing_ok=True)
        self.number += 1
        driver.write_json(self.control / driver.STEP_FILE,
                          {"number": self.number, "options": {**options, "ece_out": str(out.resolve())}})
        deadline = time.monotonic() + hard_cap_s
        done: dict[str, Any] | None = None
        while done is None:
            assert self.proc is not None
            if self.proc.poll() is not None:
                error = stopped.read(out)
                if error is not None:
                    raise error
                self.check_alive(f"during step {self.number}")
            if time.monotonic() > deadline:
                self.close()
                raise TargetError(f"step {self.number} did not end within {hard_cap_s:g} s",
                                  remedy=f"see {self.log_path}")
            time.sleep(0.2)
            if on_progress is not None:
                progress = launch.read_json(out / "progress.json")
                if progress:
                    on_progress(cast(ProgressCounts, progress))
            found = launch.read_json(self.control / driver.DONE_FILE)
            if found is not None and found.get("number") == self.number:
                done = found
        lost = [str(name) for name in done.get("lost") or []]
        if lost and not done.get("ran"):
            raise WorkersLost(lost)
        written = launch.read_json(out / "summary.json")
        if written is None:
            raise TargetError(f"step {self.number} ended without a summary", remedy=f"see {self.log_path}")
        summary = cast(LoadSummary, written)
        summary["exit_code"] = 0 if summary["slo"]["passed"] else 1
        return summary

    def close(self) -> None:
        """Ask the master to end (it tells its workers to quit), then make sure it has."""
        if self.proc is not None:
            if self.proc.poll() is None and self.stepping:
                driver.write_json(self.control / driver.STEP_FILE, {"number": self.number + 1, "end": True})
                try:
                    self.proc.wait(launch.TERM_GRACE_S)
                except subprocess.TimeoutExpired:
                    terminate(self.proc, 5)
            else:  # still waiting for its workers, in a loop locust's SIGTERM does not end: killed after 1 s
                terminate(self.proc, 1)
            self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None
