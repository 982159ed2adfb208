"""Widgets as data: what each bundled widget shows for each documented answer, user-defined widgets,
and `ecekit check --widget / --origin` against the reference server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecekit import operations, widgets
from ecekit.checks.base import Context, Observation
from ecekit.checks.widget import state_of
from ecekit.client import Exchange, TransportError
from ecekit.errors import ConfigError
from ecekit.server import render
from ecekit.target import Target, from_mapping

OP_E, OP_C = operations.CHECK_ELIGIBILITY, operations.CHAT_ALLOWED


def seen(op: operations.Operation, widget: str, values: dict[str, object] | None = None, *, status: int = 200,
         content_type: str = "application/xml", elapsed: float = 0.01, body: bytes | None = None) -> str:
    body = render.xml(op, values or {}) if body is None else body
    ex = Exchange(op.name, "GET", "http://x/", "1", status=status, response_headers={"content-type": content_type},
                  body=body, elapsed=elapsed)
    return state_of(Observation(ex, op, Context(Target())), widgets.get(widget))[0].value


@pytest.mark.parametrize(("rtype", "state"), [(0, "available"), (1, "unavailable"), (2, "busy"), (3, "error")])
def test_eligibility_widget_maps_0_1_2_and_nothing_else(rtype: int, state: str) -> None:
    assert seen(OP_E, "eligibility", {"responseType": rtype}) == state


@pytest.mark.parametrize(("values", "state"), [
    ({"allowed": True}, "available"),
    ({"allowed": False, "reason": "agent_not_available"}, "unavailable"),
    ({"allowed": False, "reason": "queue_depth_reached"}, "busy"),
    ({"allowed": False, "reason": "entry_point_inactive"}, "closed"),
    ({"allowed": False, "reason": "service_not_running"}, "closed"),
    ({"allowed": False}, "unavailable"),
])
def test_chat_allowed_widget_shows_the_reason(values: dict[str, object], state: str) -> None:
    assert seen(OP_C, "chat-allowed", values) == state


def test_errors_a_visitor_sees() -> None:
    ok = {"responseType": 0}
    assert seen(OP_E, "eligibility", ok, status=500) == "error"
    assert seen(OP_E, "eligibility", ok, content_type="text/html") == "error"
    assert seen(OP_E, "eligibility", ok, elapsed=5.5) == "error"  # past the widget's 5 s timeout
    assert seen(OP_E, "eligibility", body=b"<checkEligibility responseType=0/>") == "error"
    timeout = Exchange(OP_E.name, "GET", "http://x/", "1", error=TransportError.TIMEOUT)
    assert state_of(Observation(timeout, OP_E, Context(Target())), widgets.get("eligibility"))[0] == "error"


def test_user_defined_widget_from_the_target_file() -> None:
    fields = from_mapping({"widget": {"name": "lenient", "operation": "checkEligibility", "poll_interval": 5,
                                      "rules": [["responseType", "0", "available"], ["responseType", "3", "busy"]]}})
    target = Target(**fields)
    assert target.chosen_widget().name == "lenient" and target.chosen_widget().poll_interval == 5
    with pytest.raises(ConfigError, match="did you mean 'eligibility'"):
        from_mapping({"widget": "eligibilty"})
    with pytest.raises(ConfigError, match="no field 'responsType'"):
        widgets.from_mapping({"operation": "checkEligibility", "rules": [["responsType", "0", "available"]]})
    with pytest.raises(ConfigError, match="unknown state"):
        widgets.from_mapping({"operation": "checkEligibility", "rules": [["responseType", "0", "green"]]})


def check(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ecekit",
                           "check", "-q", *args], capture_output=True, text=True, timeout=120, cwd=cwd,
                          env={**os.environ, "NO_COLOR": "1"})


def test_check_widget_fails_where_a_2xx_shows_an_error_and_lists_states(tmp_path: Path) -> None:
    """The default scenario's 1004 answers responseType 3 (CTL reached): documented, but the eligibility
    widget cannot map it, so every visitor there sees a broken chat box."""
    bad = check("--widget", "eligibility", "-k", "checkEligibility", cwd=tmp_path)
    assert bad.returncode == 1, bad.stdout[-2000:]
    assert "checkEligibility-1004-widget_state" in bad.stdout
    assert "1001         available" in bad.stdout and "1004         error" in bad.stdout
    good = check("--widget", "chat-allowed", "-k", "chatAllowed", cwd=tmp_path)
    assert good.returncode == 0, good.stdout[-2000:]
    assert "what the chat-allowed widget shows" in good.stdout and "closed" in good.stdout


def test_check_origin_passes_when_the_server_allows_the_site(tmp_path: Path) -> None:
    proc = check("--origin", "https://www.example.com", "-k", "cors", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert "45 passed" in proc.stdout  # 5 operations x 9 entry points, each read by the site's pages
