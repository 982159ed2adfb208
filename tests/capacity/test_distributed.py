"""`ecekit capacity --distributed` for real: one locust master for the whole search, its workers separate
`locust --worker` processes started as a user starts them on load machines (here on this one).

(a) A worker's ceiling made honest and deterministic on a 2-core machine: the profile allows 80 page
views in flight per worker and the server answers in 500 ms, so one worker offers at most 80 / 0.5 =
160 page views/s (as a CPU-bound worker runs out, only without depending on the machine's load). The
server (100 workers x 500 ms = 200/s; 40 more may wait, the rest get a 503 at once, so no answer takes
more than 700 ms and no worker ever needs more than (100 + 40) / 2 = 70 in flight) holds more than
one worker can offer and less than two can: alone, a worker is the limit and says so by name; two
find the server's limit (its 503s past 200/s breach errors=1%).
(b) A worker starved of CPU (moved, once connected, to a core a busy process hogs, at the lowest
priority (nice 10, about a tenth of it: less than 150 page views/s need; at an equal priority it would
still get half) falters
on its share while the other keeps up: the step is the generator's and names it.
(c) A worker killed mid-search: the search ends with the steps so far, naming it; nothing runs on.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecekit import resources
from ecekit.cli import cli
from ecekit.load.launch import free_port
from tests.capacity.pool_server import PoolServer

pytestmark = pytest.mark.slow

QUICK = ["--step-duration", "2", "--warmup", "1", "--seed", "7", "-q", "--expect-workers-max-wait", "60"]


@contextlib.contextmanager
def workers(count: int, port: int, folder: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` locust workers, each its own `locust -f loadtests/locustfile.py --worker` process; after
    the search each must have ended by itself (its master's quit), else the test fails."""
    folder.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "locust", "-f", str(resources.loadtests_dir() / "locustfile.py"), "--worker",
           "--master-host", "127.0.0.1", "--master-port", str(port)]
    procs = [subprocess.Popen(cmd, cwd=folder, stdout=(folder / f"worker{i}.log").open("wb"),
                              stderr=subprocess.STDOUT, start_new_session=True) for i in range(count)]
    try:
        yield procs
        for proc in procs:  # nothing left running: the master's quit ended every worker still there
            assert proc.wait(20) is not None
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)


def capacity(url: str, out: Path, port: int, expect: int, *args: str) -> tuple[int, str, dict | None]:
    result = CliRunner().invoke(cli, ["capacity", "--base-url", url, "--entry-point", "1001", "--out", str(out),
                                      "--distributed", "--expect-workers", str(expect), "--master-bind-port",
                                      str(port), *QUICK, *args])
    path = out / "capacity.json"
    return result.exit_code, result.output, json.loads(path.read_text()) if path.exists() else None


def when(path: Path, pattern: str, action: Callable[[], None], timeout: float = 120.0) -> threading.Thread:
    """Do ``action`` once a file matching ``pattern`` appears under ``path`` (a step started)."""
    def watch() -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if path.exists() and any(path.glob(pattern)):
                action()
                return
            time.sleep(0.05)
    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    return thread


def pool_profile(folder: Path) -> Path:
    profile = folder / "pool80.toml"
    profile.write_text('description = "80 page views in flight per worker"\nmax_in_flight = 80\ntimeout = 2.0\n'
                       '[[call]]\noperation = "chatAllowed"\n', encoding="utf-8")
    return profile


def worker_problems(data: dict, step: int = -1) -> str:
    return " ".join(p for p in data["steps"][step]["generator_problems"] if p.startswith("worker "))


@pytest.mark.timing
def test_two_workers_find_the_servers_limit_where_one_worker_is_the_limit(tmp_path: Path) -> None:
    server = PoolServer(workers=100, service_s=0.500, queue=40)
    profile = str(pool_profile(tmp_path))
    with server.running() as url:
        port = free_port()
        with workers(1, port, tmp_path / "w1") as (alone,):
            code, output, data = capacity(url, tmp_path / "one", port, 1, "--profile", profile, "--slo", "p95=1s",
                                          "--start", "180", "--max", "180")
        assert data is not None and code == 2, output
        assert data["limited_by"] == "generator", data["verdict"]
        assert f"worker {os.uname().nodename} pid {alone.pid} " in worker_problems(data), data["steps"][-1]
        port = free_port()
        with workers(2, port, tmp_path / "w2"):
            code, output, data = capacity(url, tmp_path / "two", port, 2, "--profile", profile, "--slo", "p95=1s",
                                          "--start", "140", "--step", "40", "--max", "300", "--refine", "1")
    assert data is not None and code == 0, output
    assert data["limited_by"] == "server", data["verdict"]
    assert abs(data["max_sustainable_rate"] - server.capacity) <= 0.15 * server.capacity, output
    summary = json.loads((tmp_path / "two" / data["steps"][0]["summary"]).read_text())
    figures = [p for p in summary["generator"]["processes"] if p["role"] == "worker"]
    assert len(figures) == 2 and {p["schedule"]["share"] for p in figures} == {0.5}  # each its half
    assert sum(p["schedule"]["page_views"] for p in figures) == summary["schedule"]["page_views"]


NICE = 10


def _starve(pid: int) -> None:
    """Move a running worker to core 1, beside the hog, at nice 10 (about a tenth of the core): its own and,
    where the kernel groups each session's processes (autogroup), its session's, else it would still get
    half the core. (At nice 19, a seventieth, it missed its heartbeats and was lost instead.)"""
    subprocess.run(["taskset", "-pc", "1", str(pid)], check=True, capture_output=True)
    os.setpriority(os.PRIO_PROCESS, pid, NICE)
    with contextlib.suppress(OSError):
        Path(f"/proc/{pid}/autogroup").write_text(str(NICE), encoding="ascii")


@pytest.mark.timing
@pytest.mark.skipif(shutil.which("taskset") is None or (os.cpu_count() or 1) < 2, reason="needs taskset, 2 cores")
def test_a_worker_starved_of_cpu_makes_the_step_the_generators_and_is_named(tmp_path: Path) -> None:
    hog = subprocess.Popen(["taskset", "-c", "1", sys.executable, "-c", "while True: pass"])
    try:
        server = PoolServer(workers=64, service_s=0.010)
        with server.running() as url:
            port = free_port()
            with workers(2, port, tmp_path / "w") as (fine, starved):
                # once its stream runs: starved from the spawn on, it took 7 s to start and missed its heartbeats
                when(tmp_path / "out" / "steps", "01-*", lambda: (time.sleep(1.5), _starve(starved.pid)))
                code, output, data = capacity(url, tmp_path / "out", port, 2, "--profile", "one-call",
                                              "--slo", "p95=1s", "--start", "300", "--max", "300")
    finally:
        hog.kill()
        hog.wait(5)
    assert data is not None and code == 2, output
    assert data["limited_by"] == "generator" and not data["steps"][0]["generator_ok"], data["verdict"]
    named = worker_problems(data, 0)
    # The worker left its core may be named too where the rest of a suite keeps that core busy (seen on
    # CI: 38 % late at 14 % of a core): true of it there. What must hold is that the starved one is named.
    if f"pid {starved.pid} " not in named:
        # starved past its heartbeats (a busier machine, as on CI): locust drops it and the step names it
        # lost, by the client id locust gave it, which is not the worker that kept up
        summary = json.loads((tmp_path / "out" / data["steps"][0]["summary"]).read_text())
        fine_ids = [p["id"] for p in summary["generator"]["processes"] if p.get("pid") == fine.pid]
        lost = data.get("lost_workers", [])
        assert len(lost) == 1 and "was lost during the step" in named, (named, lost)
        assert fine_ids and fine_ids[0] not in lost[0], (fine_ids, lost)


@pytest.mark.timing
def test_a_worker_killed_mid_search_ends_it_with_the_steps_so_far_naming_the_worker(tmp_path: Path) -> None:
    server = PoolServer(workers=64, service_s=0.010)
    with server.running() as url:
        port = free_port()
        with workers(2, port, tmp_path / "w") as (kept, killed):
            when(tmp_path / "out" / "steps", "02-*", lambda: killed.send_signal(signal.SIGKILL))
            code, output, data = capacity(url, tmp_path / "out", port, 2, "--profile", "one-call",
                                          "--slo", "p95=1s", "--start", "40", "--step", "20", "--max", "200")
    assert data is not None and code in (0, 2), output  # 0: step 1 held, the search ended at step 2
    assert data["lost_workers"] and f"pid {killed.pid} " in data["lost_workers"][0], data.get("lost_workers")
    assert f"pid {killed.pid} " in output
    steps = data["steps"]
    assert 1 <= len(steps) <= 2 and steps[0]["generator_ok"]  # the search stopped at the step that lost it
    assert data["limited_by"] != "server" and data["first_breach"] is None
    assert kept.poll() is not None  # and the master's quit ended the worker that stayed


def test_the_search_waits_for_the_expected_workers_then_says_how_to_start_them(tmp_path: Path) -> None:
    port = free_port()
    start = time.monotonic()
    result = CliRunner().invoke(cli, ["capacity", "--out", str(tmp_path), "--profile", "one-call", "--slo", "p95=1s",
                                      "--distributed", "--expect-workers", "2", "--master-bind-port", str(port),
                                      "--expect-workers-max-wait", "2"])
    assert result.exit_code == 2, result.output
    assert "0 of 2 expected load workers connected to the master at 127.0.0.1:" in result.output
    assert (f"locust -f loadtests/locustfile.py --worker --master-host 127.0.0.1 --master-port {port}"
            in result.output)
    assert time.monotonic() - start < 30
    pids = subprocess.run(["pgrep", "-f", f"master-bind-port {port}"], capture_output=True, text=True).stdout
    assert pids.strip() == ""  # the master it started is gone
