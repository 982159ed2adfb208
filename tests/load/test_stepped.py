"""The launcher's side of a stepped master, over a stand-in master process (a plain ``sleep``) and a
thread that plays the driver: a step is asked for with its own output directory, its summary read once
the master says it is done; a worker lost between steps ends the search by name; a master that dies or
never finishes a step is reported, never waited for forever."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from ecekit.errors import TargetError, UsageError
from ecekit.load import driver, stepped


def master(tmp_path: Path, seconds: float = 30) -> stepped.SteppedMaster:
    """A stand-in master: it ends when asked to (``"end"`` in step.json), or after ``seconds``."""
    m = stepped.SteppedMaster("http://127.0.0.1:9/system", {"ece_profile": "one-call"}, tmp_path / "master",
                              stepped.Distributed(2))
    m.control.mkdir(parents=True)
    m.proc = subprocess.Popen(["timeout", str(seconds), "sh", "-c",
                               'until grep -q end step.json 2>/dev/null; do sleep 0.05; done'], cwd=m.control)
    m.stepping = True
    return m


def play(m: stepped.SteppedMaster, answer: dict[str, Any], summary: dict[str, Any] | None) -> threading.Thread:
    """The master's driver: wait for the step, write its summary where it was asked to, say it is done."""
    def run() -> None:
        while (asked := driver.read_json(m.control / driver.STEP_FILE)) is None:
            time.sleep(0.01)
        out = Path(asked["options"]["ece_out"])
        if summary is not None:
            (out / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
        driver.write_json(m.control / driver.DONE_FILE, {"number": asked["number"], **answer})
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_step_is_asked_for_and_its_summary_read(tmp_path: Path) -> None:
    m = master(tmp_path)
    try:
        play(m, {"lost": [], "ran": True}, {"slo": {"passed": False, "checks": []}})
        summary = m.run_step(tmp_path / "steps" / "01-10", {"ece_rate": "10"}, hard_cap_s=20)
        assert summary["exit_code"] == 1
        asked = driver.read_json(m.control / driver.STEP_FILE)
        assert asked == {"number": 1, "options": {"ece_rate": "10",
                                                  "ece_out": str((tmp_path / "steps" / "01-10").resolve())}}
    finally:
        proc = m.proc
        m.close()
    assert driver.read_json(m.control / driver.STEP_FILE) == {"number": 2, "end": True}  # the end, asked for
    assert proc is not None and proc.returncode == 0  # and the master ended on it, not on a signal


def test_a_worker_lost_between_steps_ends_the_search_naming_it(tmp_path: Path) -> None:
    m = master(tmp_path)
    try:
        play(m, {"lost": ["load2 pid 7 (load2_ab)"], "ran": False}, None)
        with pytest.raises(stepped.WorkersLost) as lost:
            m.run_step(tmp_path / "s", {}, hard_cap_s=20)
        assert lost.value.lost == ["load2 pid 7 (load2_ab)"] and "load2 pid 7" in str(lost.value)
    finally:
        m.close()


def test_a_master_that_dies_or_hangs_is_reported(tmp_path: Path) -> None:
    m = master(tmp_path, seconds=0.2)
    m.log_path.write_text("Traceback ...\nOSError: address in use\n", encoding="utf-8")
    with pytest.raises(TargetError, match=r"the locust master ended during step 1") as died:
        m.run_step(tmp_path / "s", {}, hard_cap_s=20)
    assert "address in use" in str(died.value.remedy)
    m = master(tmp_path / "b")
    proc = m.proc
    with pytest.raises(TargetError, match=r"step 1 did not end within 0.5 s"):
        m.run_step(tmp_path / "s", {}, hard_cap_s=0.5)
    assert m.proc is None and proc is not None and proc.returncode is not None  # stopped, not left running


def test_the_distributed_settings_are_checked() -> None:
    with pytest.raises(UsageError, match="--expect-workers"):
        stepped.Distributed.checked(None)
    with pytest.raises(UsageError, match="--expect-workers 0"):
        stepped.Distributed.checked(0)
    with pytest.raises(UsageError, match="--master-bind-port 70000"):
        stepped.Distributed.checked(2, bind_port=70000)
    assert stepped.Distributed.checked(3, "0.0.0.0", 6000).worker_command() == (
        "locust -f loadtests/locustfile.py --worker --master-host MASTER_HOST --master-port 6000")
