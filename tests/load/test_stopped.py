"""A check of the user's own that raises under load stops the run with exit 2, naming the check and
its module, as it does in `ecekit check`: never a traceback in every locust process, never a summary
that blames the server. The hand-over (ecekit.load.stopped, RunState.fail) as units; the whole path
by real runs, one process and a master with two workers."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ecekit.errors import ConfigError, TargetError, ToolkitError
from ecekit.load import stopped
from ecekit.load.runstate import RunState
from ecekit.load.settings import resolve

RAISES = '''
import ecekit


@ecekit.register_check()
def queue_is_short(obs):
    """Reads a value no answer has."""
    if obs.values["queueLength"] > 10:
        yield obs.violation("queue_is_short", "long queue")
'''


def test_an_error_travels_whole_and_without_secrets(tmp_path: Path) -> None:
    error = TargetError("check 'x' of mine raised: http://user:hunter2@h/system", remedy="fix the check")
    stopped.write(tmp_path / "out", error)
    back = stopped.read(tmp_path / "out")
    assert isinstance(back, TargetError)
    assert back.message == "check 'x' of mine raised: http://user:<redacted>@h/system"
    assert back.remedy == "fix the check"
    assert "hunter2" not in (tmp_path / "out" / stopped.FILE).read_text()
    assert isinstance(stopped.from_data({"kind": "Unknown", "message": "m"}), ConfigError)


@pytest.mark.parametrize("text", ["", "not json", "[]", '{"kind": "ConfigError"}', '{"message": 3}'])
def test_no_error_or_an_unreadable_one_is_none(tmp_path: Path, text: str) -> None:
    assert stopped.read(tmp_path) is None
    (tmp_path / stopped.FILE).write_text(text)
    assert stopped.read(tmp_path) is None


def test_a_run_is_stopped_once_for_the_first_error() -> None:
    state = RunState(resolve({}, "http://127.0.0.1:1/system"), None)
    seen: list[ToolkitError] = []
    state.on_error = seen.append
    first, second = ConfigError("first"), ConfigError("second")
    state.fail(first)
    state.fail(second)
    assert state.error is first and seen == [first]


@pytest.mark.slow
def test_a_user_check_that_raises_stops_a_load_run_with_exit_2(tmp_path: Path) -> None:
    module = tmp_path / "rules" / "raising_rules.py"
    module.parent.mkdir()
    module.write_text(RAISES)

    def load(workers: int) -> tuple[subprocess.CompletedProcess[str], float]:
        out = tmp_path / f"out{workers}"
        started = time.monotonic()
        run = subprocess.run([sys.executable, "-m", "ecekit", "load", "-q", "--rate", "5", "--duration", "60",
                              "--workers", str(workers), "--checks", str(module), "--out", str(out)],
                             capture_output=True, text=True, timeout=180, cwd=tmp_path)
        return run, time.monotonic() - started

    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(load, [1, 2]))
    for run, took in runs:
        output = run.stdout + run.stderr
        assert run.returncode == 2, output
        assert "check 'queue_is_short' of ecekit_user_checks_raising_rules raised KeyError" in output, output
        assert "fix the check; it was judging HTTP 200" in output and " ms" not in output.split("judging")[1]
        assert "Traceback" not in output and "summary:" not in output
        assert took < 60, took  # stopped at the first answer, not after the 60 s of arrivals
