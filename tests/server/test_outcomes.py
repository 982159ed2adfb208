"""Every documented outcome of the default scenario, asked over HTTP and validated against xsd/."""

from __future__ import annotations

import pytest
import requests

from ecekit import operations as ops
from ecekit import xmlsafe
from ecekit.server.embedded import ServerHandle, default_roles
from tests.server.helpers import url

A, C, S, E, CH = (ops.AGENT_AVAILABILITY, ops.CAPACITY, ops.LIVE_SESSION_STATUS, ops.CHECK_ELIGIBILITY,
                  ops.CHAT_ALLOWED)

# entry point -> (available, count, (waitTime, queueDepth), responseType, (allowed, reason))
EXPECTED: dict[int, tuple[str, str, tuple[str, str], str, tuple[str, str | None]]] = {
    1001: ("true", "4", ("3.0", "1"), "0", ("true", None)),
    1002: ("false", "0", ("0.0", "0"), "1", ("false", "agent_not_available")),
    1003: ("true", "3", ("6.0", "2"), "2", ("false", "queue_depth_reached")),
    1004: ("true", "2", ("0.0", "0"), "3", ("false", "Other")),
    1005: ("true", "4", ("3.0", "1"), "1", ("false", "entry_point_inactive")),
    1006: ("true", "2", ("0.0", "0"), "1", ("false", "service_not_running")),
    1007: ("true", "0", ("0.0", "0"), "0", ("true", None)),
    1008: ("true", "0", ("45.0", "5"), "0", ("true", None)),
    999999: ("false", "0", ("0.0", "0"), "1", ("false", "invalid_entry_point")),
}
NS = {"ns2": ops.CHAT_NS}


def fetch(http: requests.Session, srv: ServerHandle, op: ops.Operation, ep: int,
          alternate: bool = False) -> xmlsafe.etree._Element:
    response = http.get(url(srv, op, ep, alternate=alternate))
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml;charset=UTF-8"
    root, issues = xmlsafe.validate(response.content, xmlsafe.schemas().bosh,
                                    expected_root=op.response_root)
    assert root is not None
    assert issues == [], [str(i) for i in issues]
    return root


@pytest.mark.parametrize("ep", list(EXPECTED))
def test_every_operation_answers_as_documented(srv: ServerHandle, http: requests.Session, ep: int) -> None:
    available, count, (wait, depth), response_type, (allowed, reason) = EXPECTED[ep]
    assert fetch(http, srv, A, ep).get("available") == available
    for alternate in (False, True):
        assert fetch(http, srv, C, ep, alternate).findtext("ns2:count", namespaces=NS) == count
        assert fetch(http, srv, E, ep, alternate).get("responseType") == response_type
    status = fetch(http, srv, S, ep)
    assert (status.findtext("ns2:waitTime", namespaces=NS),
            status.findtext("ns2:queueDepth", namespaces=NS)) == (wait, depth)
    chat = fetch(http, srv, CH, ep)
    assert (chat.get("allowed"), chat.get("reason")) == (allowed, reason)


def test_every_documented_value_is_reached() -> None:
    assert {e[3] for e in EXPECTED.values()} == {str(t) for t in ops.RESPONSE_TYPES}
    assert {e[4][1] for e in EXPECTED.values()} - {None} == set(ops.REASONS)


def test_default_roles_match_the_scenario() -> None:
    roles = default_roles()
    assert roles.inactive_entry_points == ("1005",)
    assert roles.invalid_entry_points == ("999999",)
    assert "1005" not in roles.entry_points
    assert set(roles.entry_points) | {"1005"} == {str(e) for e in EXPECTED if e != 999999}
    assert roles.agents_not_required == ("1007",)


def test_body_is_the_guides_sample_with_the_attribute_quoted(srv: ServerHandle,
                                                              http: requests.Session) -> None:
    body = http.get(url(srv, E, 1001)).text
    assert body.startswith('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<checkEligibility ')
    assert 'responseType="0"/>' in body
    for prefix, uri in ops.ROOT_NAMESPACES.items():
        assert f'xmlns:{prefix}="{uri}"' in body


@pytest.mark.parametrize(("op", "expected"), [
    (A, {"available": True}), (C, {"count": 4}), (S, {"waitTime": 3.0, "queueDepth": 1}),
    (E, {"responseType": 0}), (CH, {"allowed": True}),
])
def test_json_on_request_has_the_same_data(srv: ServerHandle, http: requests.Session,
                                           op: ops.Operation, expected: dict[str, object]) -> None:
    response = http.get(url(srv, op, 1001), headers={"Accept": "application/json"})
    assert response.headers["content-type"] == "application/json"
    assert response.json() == expected
    xml = http.get(url(srv, op, 1001), headers={"Accept": "application/xml, application/json;q=0.5"})
    assert xml.headers["content-type"].startswith("application/xml")


def test_json_reason_when_not_allowed(srv: ServerHandle, http: requests.Session) -> None:
    response = http.get(url(srv, CH, 1005), headers={"Accept": "application/json"})
    assert response.json() == {"allowed": False, "reason": "entry_point_inactive"}


@pytest.mark.parametrize("raw", ["abc", "1001x", "10.5", "99999999999999999999999"])
def test_non_numeric_id_is_400_with_an_xml_body(srv: ServerHandle, http: requests.Session,
                                                 raw: str) -> None:
    response = http.get(srv.base_url + CH.url_path(raw))
    assert response.status_code == 400
    root = xmlsafe.parse(response.content).root
    assert root is not None
    assert root.tag == "error"
    assert "not a long" in (root.text or "")


def test_unknown_path_is_404_and_wrong_method_405(srv: ServerHandle, http: requests.Session) -> None:
    assert http.get(srv.base_url + "/egain/chat/entrypoint/nothing/1001").status_code == 404
    assert http.get(srv.base_url.replace("/system", "/other") + A.url_path(1001)).status_code == 404
    wrong = http.post(url(srv, A, 1001), data=b"x")
    assert (wrong.status_code, wrong.headers["allow"]) == (405, "GET, HEAD")
    survey = http.get(srv.base_url + ops.SURVEY.path)
    assert (survey.status_code, survey.headers["allow"]) == (405, "POST")


def test_head_has_headers_and_no_body(srv: ServerHandle, http: requests.Session) -> None:
    response = http.head(url(srv, A, 1001))
    assert response.status_code == 200
    assert response.content == b""
    assert int(response.headers["content-length"]) > 0


def test_state_change_invalidates_the_cache(srv: ServerHandle, http: requests.Session) -> None:
    assert fetch(http, srv, A, 1002).get("available") == "false"
    assert srv.app is not None
    srv.app.state.agents["carol"].available = True
    srv.app.state.touch()
    assert fetch(http, srv, A, 1002).get("available") == "true"
