"""Real runs, each in child processes: the locustfile under run_single_user, and `ecekit load`
against the embedded reference server (exit 0, 1 and 2), in one process and with two workers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecekit import resources
from ecekit.cli import cli

pytestmark = pytest.mark.slow

SMOKE = r"""
import json, runpy, sys
from locust import run_single_user
ns = runpy.run_path(sys.argv[1])
sys.argv = sys.argv[:1]
from ecekit.load import runstate
run_single_user(ns["PageViews"], loglevel=None)
rec = runstate.current().recorder
total = rec.total()
print("RESULT " + json.dumps({"requests": total.requests, "failures": total.failures,
      "violations": total.contract_violations, "page_views": rec.schedule["page_views"],
      "ops": sorted(rec.ops)}))
"""


@pytest.fixture(scope="module")
def server():
    from ecekit.server.embedded import default_roles, running_server

    with running_server(subprocess=True) as srv:
        yield srv.base_url, default_roles().entry_points


def test_locustfile_runs_one_user(server: tuple[str, tuple[str, ...]]) -> None:
    base_url, eps = server
    env = {**os.environ, "LOCUST_HOST": base_url, "ECEKIT_PROFILE": "one-call", "ECEKIT_RATE": "20",
           "ECEKIT_DURATION": "2", "ECEKIT_ENTRY_POINTS": ",".join(eps)}
    proc = subprocess.run([sys.executable, "-c", SMOKE, str(resources.loadtests_dir() / "locustfile.py")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[7:])
    assert result["ops"] == ["chatAllowed"]
    assert result["requests"] == result["page_views"] > 10
    assert result["failures"] == result["violations"] == 0


def _load(tmp_path: Path, *args: str) -> tuple[int, str, dict | None]:
    out = tmp_path / "out"
    result = CliRunner(env={"NO_COLOR": "1"}).invoke(
        cli, ["load", "--duration", "3", "--rate", "20", "--out", str(out), "-q", *args])
    path = out / "summary.json"
    return result.exit_code, result.output, json.loads(path.read_text()) if path.exists() else None


def test_load_passes_a_loose_slo(tmp_path: Path) -> None:
    code, output, summary = _load(tmp_path, "--slo", "p99=4s", "--junit-xml", str(tmp_path / "j.xml"))
    assert code == 0, output
    assert summary is not None
    assert summary["slo"]["passed"] is True
    assert summary["total"]["requests"] >= summary["schedule"]["page_views"] > 20
    assert summary["total"]["failures"] == summary["total"]["contract_violations"] == 0
    assert "chatAllowed" in summary["operations"]
    assert (tmp_path / "j.xml").read_text().count("<testcase") == len(summary["slo"]["checks"])


def test_load_fails_an_impossible_slo(tmp_path: Path) -> None:
    code, output, summary = _load(tmp_path, "--profile", "one-call", "--slo", "chatAllowed.p50=1us")
    assert code == 1, output
    assert summary is not None
    assert summary["slo"]["passed"] is False
    assert "BREACHED" in output


def test_bad_slo_is_a_usage_error(tmp_path: Path) -> None:
    code, output, summary = _load(tmp_path, "--slo", "p95=fast")
    assert code == 2
    assert "duration with a unit" in output
    assert summary is None


def test_remote_url_is_refused(tmp_path: Path) -> None:
    code, output, _ = _load(tmp_path, "--base-url", "http://ece.example.com/system", "--entry-point", "1")
    assert code == 2
    assert "--allow-remote" in output


def test_two_workers(tmp_path: Path) -> None:
    code, output, summary = _load(tmp_path, "--profile", "one-call", "--workers", "2", "--slo", "p99=4s")
    assert code == 0, output
    assert summary is not None
    assert summary["workers"] == summary["workers_reported"] == 2
    # both workers reported: the merged count is the whole offered load (Poisson, 60 expected)
    assert 30 < summary["total"]["requests"] == summary["schedule"]["page_views"] < 100
