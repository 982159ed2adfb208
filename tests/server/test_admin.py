"""The admin API changes the state the operations report on, and refuses bad input with a 4xx."""

from __future__ import annotations

import pytest
import requests

from ecekit import operations as ops
from ecekit.server.embedded import ServerHandle, running_server
from tests.server.helpers import url


def allowed(http: requests.Session, srv: ServerHandle, ep: int) -> tuple[str | None, str | None]:
    from ecekit import xmlsafe

    root = xmlsafe.parse(http.get(url(srv, ops.CHAT_ALLOWED, ep)).content).root
    assert root is not None
    return root.get("allowed"), root.get("reason")


@pytest.mark.parametrize(("kind", "name", "change", "reason"), [
    ("agents", "alice", {"available": False}, None),  # bob still available
    ("queues", "sales", {"waiting": 8}, "queue_depth_reached"),
    ("services", "main", {"running": False}, "service_not_running"),
    ("entry-points", "1001", {"active": False}, "entry_point_inactive"),
    ("queues", "sales", {"ctl": 1}, "Other"),
])
def test_patch_changes_what_operations_say(srv: ServerHandle, http: requests.Session, kind: str,
                                           name: str, change: dict[str, object],
                                           reason: str | None) -> None:
    assert allowed(http, srv, 1001) == ("true", None)
    response = http.patch(f"{srv.admin_url}/{kind}/{name}", json=change)
    assert response.status_code == 200, response.text
    assert allowed(http, srv, 1001) == (("true", None) if reason is None else ("false", reason))


def test_agents_go_unavailable(srv: ServerHandle, http: requests.Session) -> None:
    for agent in ("alice", "bob"):
        assert http.patch(f"{srv.admin_url}/agents/{agent}", json={"available": False}).ok
    assert allowed(http, srv, 1001) == ("false", "agent_not_available")
    assert b'available="false"' in http.get(url(srv, ops.AGENT_AVAILABILITY, 1001)).content
    assert b'responseType="1"' in http.get(url(srv, ops.CHECK_ELIGIBILITY, 1001)).content
    assert b"<ns2:count>0<" in http.get(url(srv, ops.CAPACITY, 1001)).content


def test_delays_set_the_wait_time(srv: ServerHandle, http: requests.Session) -> None:
    assert http.patch(f"{srv.admin_url}/queues/sales", json={"delays": [1, 2, 3, 10]}).ok
    assert b"<ns2:waitTime>4.0<" in http.get(url(srv, ops.LIVE_SESSION_STATUS, 1001)).content


def test_state_roundtrip_put_and_reset(srv: ServerHandle, http: requests.Session) -> None:
    state = http.get(f"{srv.admin_url}/state").json()
    state["entry_points"]["2001"] = {"queue": "sales", "description": "new"}
    assert http.put(f"{srv.admin_url}/state", json=state).status_code == 200
    assert allowed(http, srv, 2001) == ("true", None)
    assert http.post(f"{srv.admin_url}/reset").status_code == 200
    assert allowed(http, srv, 2001) == ("false", "invalid_entry_point")


def test_faults_list_add_clear(srv: ServerHandle, http: requests.Session) -> None:
    listing = http.get(f"{srv.admin_url}/faults").json()
    assert listing["active"] == []
    assert {"capacity-negative", "latency", "survey-500-non-ascii"} <= {f["name"] for f in
                                                                        listing["catalogue"]}
    added = http.post(f"{srv.admin_url}/faults", json={"fault": "capacity-negative"})
    assert (added.status_code, added.json()["trips"]) == (201, "xsd")
    assert b"<ns2:count>-1<" in http.get(url(srv, ops.CAPACITY, 1001)).content
    assert http.delete(f"{srv.admin_url}/faults/capacity-negative").json() == {"active": []}
    http.post(f"{srv.admin_url}/faults", json={"fault": "capacity-500"})
    assert http.delete(f"{srv.admin_url}/faults").status_code == 200
    assert http.get(url(srv, ops.CAPACITY, 1001)).status_code == 200


def test_stats_and_surveys(srv: ServerHandle, http: requests.Session) -> None:
    assert http.get(f"{srv.admin_url}/stats").json()["requests"] > 0
    assert "count" in http.get(f"{srv.admin_url}/surveys").json()


@pytest.mark.parametrize(("method", "path", "body", "status", "says"), [
    ("PATCH", "agents/alice", {"availabel": False}, 400, "Did you mean 'available'"),
    ("PATCH", "agents/alice", {"max_load": -1}, 400, "whole number >= 0"),
    ("PATCH", "agents/alice", {"queues": ["nope"]}, 400, "not defined"),
    ("PATCH", "agents/nobody", {"available": False}, 404, "no agent"),
    ("PATCH", "entry_points/abc", {"active": False}, 400, "not a whole number"),
    ("PATCH", "queues/sales", [1, 2], 400, "JSON object"),
    ("PUT", "state", {"queues": {"q": {}}, "entry_points": {"1": {"queue": "missing"}}}, 400, "not defined"),
    ("POST", "faults", {"fault": "nope"}, 400, "unknown fault"),
    ("POST", "faults", {"name": "capacity-500"}, 400, "expected"),
    ("DELETE", "state", None, 405, "not allowed"),
    ("GET", "nothing", None, 404, "no admin resource"),
])
def test_bad_admin_input_is_4xx(srv: ServerHandle, http: requests.Session, method: str, path: str,
                                body: object, status: int, says: str) -> None:
    response = http.request(method, f"{srv.admin_url}/{path}", json=body)
    assert response.status_code == status
    assert says in response.json()["error"]
    assert allowed(http, srv, 1001) == ("true", None)  # nothing changed


def test_non_json_and_oversized_bodies(srv: ServerHandle, http: requests.Session) -> None:
    target = f"{srv.admin_url}/agents/alice"
    assert http.patch(target, data=b"{", headers={"Content-Type": "application/json"}).status_code == 400
    assert http.patch(target, data=b"available=0",
                      headers={"Content-Type": "text/plain"}).status_code == 415
    assert http.patch(target, data=b" " * (2 << 20),
                      headers={"Content-Type": "application/json"}).status_code == 413


def test_admin_is_off_by_default(http: requests.Session) -> None:
    with running_server() as srv:
        assert srv.admin_url is None
        root = srv.base_url.removesuffix("/system")
        assert http.get(root + "/_ecekit/state").status_code == 404


@pytest.mark.parametrize(("body", "says"), [
    (b'{"delays": [1e999]}', "from 0 to 1e9"),   # Python reads 1e999 as infinity
    (b'{"delays": [Infinity]}', "not JSON"),
    (b'{"delays": [NaN]}', "not JSON"),
    (b'{"delays": [2e9]}', "from 0 to 1e9"),
    (b'{"delays": [' + b"9" * 400 + b"]}", "from 0 to 1e9"),  # an int no float holds
    (b"[" * 100_000, "nested too deep"),
    (b'{"a":' * 100_000, "nested too deep"),
], ids=["1e999", "Infinity", "NaN", "2e9", "400-digit", "deep-list", "deep-object"])
def test_json_no_one_can_render_is_refused(srv: ServerHandle, http: requests.Session, body: bytes,
                                           says: str) -> None:
    before = http.get(f"{srv.admin_url}/state").json()
    response = http.patch(f"{srv.admin_url}/queues/sales", data=body,
                          headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert says in response.json()["error"]
    assert http.get(f"{srv.admin_url}/state").json() == before


def test_405_says_which_methods_are_allowed(srv: ServerHandle, http: requests.Session) -> None:
    response = http.delete(f"{srv.admin_url}/state")
    assert (response.status_code, response.headers["Allow"]) == (405, "GET, PUT")
