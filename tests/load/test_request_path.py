"""The load generator's own request path (PageViews._send / _call, straight on geventhttpclient's
HTTPClient): a clean server gives no failure at all, GETs and survey POSTs alike; a faulty one is
caught in every category (contract violation, HTTP error status, dropped connection), in ecekit's
recorder and in locust's own statistics alike. Runs the locustfile in a child process
(run_single_user): locust must never be imported into the pytest process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecekit import resources

pytestmark = pytest.mark.slow

PROFILE = """description = "request-path test: a GET that may break, a GET that may 500, some surveys"
timeout = 2.0
max_in_flight = 50
[[call]]
operation = "chatAllowed"
[[call]]
operation = "capacity"
[survey]
share = 0.5
"""

RUN = r"""
import json, runpy, sys
from locust import events, run_single_user
seen = {"requests": 0, "failures": 0}
def count(exception=None, **_):
    seen["requests"] += 1
    seen["failures"] += exception is not None
events.request.add_listener(count)  # what locust's statistics and web UI receive
ns = runpy.run_path(sys.argv[1])
sys.argv = sys.argv[:1]
from ecekit.load import runstate
run_single_user(ns["PageViews"], loglevel=None)
state = runstate.current()
rec = state.recorder
print("RESULT " + json.dumps({
    "ops": {name: {"requests": r.requests, "failures": dict(r.failures_by_kind),
                   "violations": dict(r.violations_by_check)} for name, r in rec.ops.items()},
    "locust": seen}))
"""


def _run(tmp_path: Path, base_url: str, entry_points: tuple[str, ...]) -> dict:
    profile = tmp_path / "path.toml"
    profile.write_text(PROFILE)
    env = {**os.environ, "LOCUST_HOST": base_url, "ECEKIT_PROFILE": str(profile), "ECEKIT_RATE": "40",
           "ECEKIT_DURATION": "2", "ECEKIT_ENTRY_POINTS": ",".join(entry_points), "ECEKIT_SEED": "7",
           "ECEKIT_ALLOW_WRITES": "true"}
    proc = subprocess.run([sys.executable, "-c", RUN, str(resources.loadtests_dir() / "locustfile.py")],
                          capture_output=True, text=True, env=env, timeout=90)
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line[7:])


def test_clean_server_no_failure_gets_and_surveys(tmp_path: Path) -> None:
    from ecekit.server.embedded import default_roles, running_server

    with running_server(subprocess=True) as srv:
        result = _run(tmp_path, srv.base_url, default_roles().entry_points)
    ops = result["ops"]
    assert set(ops) == {"chatAllowed", "capacity", "survey"}
    assert ops["chatAllowed"]["requests"] > 40 and ops["survey"]["requests"] > 5
    for name, op in ops.items():
        assert op["failures"] == {} and op["violations"] == {}, name
    total = sum(op["requests"] for op in ops.values())
    assert result["locust"] == {"requests": total, "failures": 0}


def test_faulty_server_caught_in_every_category(tmp_path: Path) -> None:
    from ecekit.server.embedded import default_roles, running_server

    faults = ["chatallowed-missing-attribute", "capacity-500", "drop=0.3"]
    with running_server(faults=faults, subprocess=True) as srv:
        result = _run(tmp_path, srv.base_url, default_roles().entry_points)
    ops = result["ops"]
    assert ops["chatAllowed"]["violations"].get("xsd", 0) > 10  # answered, but broke the schema
    assert ops["capacity"]["failures"].get("http_500", 0) > 10  # an HTTP error status
    # the server closed the connection without answering, a GET or a POST alike: 30 % of some 180 requests,
    # of which about 30 show (a drop on a kept-alive socket is tried once more, and that one may be
    # answered); fewer than 5 by a chance under 1e-6
    dropped = {name: op["failures"].get("connection", 0) for name, op in ops.items()}
    assert dropped["chatAllowed"] + dropped["capacity"] > 0 and sum(dropped.values()) >= 5, dropped
    dropped_total = sum(dropped.values())
    # locust's own statistics receive every request, failed when ecekit says so (failure or violation)
    assert result["locust"]["requests"] == sum(op["requests"] for op in ops.values())
    assert result["locust"]["failures"] >= ops["chatAllowed"]["violations"]["xsd"] + dropped_total


def test_a_refused_connection_is_counted_not_lost(tmp_path: Path) -> None:
    """Nothing listens: every page view is a `connection` failure. (The socket the leader takes from the
    pool before a page view's time once raised there and killed its worker: nothing was counted.)"""
    from ecekit.load.launch import free_port
    from tests.load.harness import run_locust

    summary = run_locust(f"http://127.0.0.1:{free_port()}/system", profile="one-call", rate=10, duration=1.5,
                       out=tmp_path / "out", seed=1)
    total = summary["total"]
    assert total["requests"] == summary["schedule"]["page_views"] > 5
    assert total["failures_by_kind"] == {"connection": total["requests"]}
