"""Each fault mode changes the answer as its catalogue entry says (and nothing else breaks it)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import requests

from ecekit import operations as ops
from ecekit import xmlsafe
from ecekit.errors import ConfigError
from ecekit.server import faults
from ecekit.server.embedded import ServerHandle, default_roles, running_server
from ecekit.server.store import count_rows
from tests.server.helpers import SURVEY_TYPE, survey_xml, url

A, C, S, E, CH = (ops.AGENT_AVAILABILITY, ops.CAPACITY, ops.LIVE_SESSION_STATUS, ops.CHECK_ELIGIBILITY,
                  ops.CHAT_ALLOWED)
NS = {"ns2": ops.CHAT_NS}
Check = Callable[[requests.Response], bool]


def xsd_errors(op: ops.Operation) -> Check:
    def check(r: requests.Response) -> bool:
        root, issues = xmlsafe.validate(r.content, xmlsafe.schemas().bosh, expected_root=op.response_root)
        return root is not None and bool(issues)
    return check


def issue(kind: xmlsafe.IssueKind) -> Check:
    return lambda r: [i.kind for i in xmlsafe.parse(r.content).issues] == [kind]


def root_of(r: requests.Response) -> xmlsafe.etree._Element:
    root = xmlsafe.parse(r.content).root
    assert root is not None
    return root


# fault -> (operation, entry point, what the answer must show)
CASES: dict[str, tuple[ops.Operation, int, Check]] = {
    "availability-not-boolean": (A, 1001, lambda r: root_of(r).get("available") == "yes"
                                 and xsd_errors(A)(r)),
    "capacity-negative": (C, 1001, lambda r: root_of(r).findtext("ns2:count", namespaces=NS) == "-1"
                          and xsd_errors(C)(r)),
    "capacity-wrong-namespace": (C, 1001, lambda r: root_of(r).findtext("count") == "4"
                                 and xsd_errors(C)(r)),
    "status-missing-element": (S, 1001, lambda r: root_of(r).find("ns2:queueDepth", NS) is None
                               and xsd_errors(S)(r)),
    "eligibility-out-of-range": (E, 1001, lambda r: root_of(r).get("responseType") == "4"
                                 and xsd_errors(E)(r)),
    "eligibility-unquoted": (E, 1001, lambda r: b"responseType=0" in r.content
                             and issue(xmlsafe.IssueKind.NOT_WELL_FORMED)(r)),
    "chatallowed-missing-attribute": (CH, 1001, lambda r: root_of(r).get("allowed") is None
                                      and xsd_errors(CH)(r)),
    "chatallowed-extra-element": (CH, 1001, lambda r: len(root_of(r)) == 1 and xsd_errors(CH)(r)),
    "availability-wrong-root": (A, 1001, lambda r: root_of(r).tag == "agentStatus"),
    "chatallowed-reason-when-allowed": (CH, 1001, lambda r: (root_of(r).get("allowed"),
                                                             root_of(r).get("reason")) == ("true", "Other")
                                        and not xsd_errors(CH)(r)),
    "status-wrong-content-type": (S, 1001, lambda r: r.headers["content-type"].startswith("text/html")),
    "capacity-500": (C, 1001, lambda r: r.status_code == 500 and b"<error" in r.content),
    "eligibility-undocumented-status": (E, 1001, lambda r: r.status_code == 202
                                        and not xsd_errors(E)(r)),
    "inconsistent-capacity": (C, 1002, lambda r: root_of(r).findtext("ns2:count", namespaces=NS) == "3"),
    "inactive-allowed": (CH, 1005, lambda r: root_of(r).get("allowed") == "true"),
    "invalid-claims-available": (A, 999999, lambda r: root_of(r).get("available") == "true"),
    "doctype-entity": (CH, 1001, lambda r: b"<!ENTITY xxe SYSTEM" in r.content
                       and issue(xmlsafe.IssueKind.FORBIDDEN)(r)),
    "entity-bomb": (A, 1001, lambda r: b"lol9" in r.content and issue(xmlsafe.IssueKind.FORBIDDEN)(r)),
}


def test_every_catalogued_fault_names_its_check() -> None:
    for name, cls in faults.catalogue().items():
        assert cls.trips or cls.harmless, name
        assert cls.summary, name


@pytest.mark.parametrize("name", list(CASES))
def test_status_fault_changes_the_answer(srv: ServerHandle, http: requests.Session, name: str) -> None:
    op, ep, check = CASES[name]
    clean = http.get(url(srv, op, ep))
    assert not check(clean), "the clean answer already shows the defect"
    others = [o for o in ops.STATUS_OPERATIONS if o is not op]
    clean_others = {o.name: answer(http.get(url(srv, o, ep))) for o in others}
    assert srv.app is not None
    srv.app.set_faults([faults.parse(name)])
    assert check(http.get(url(srv, op, ep)))
    for other in others:  # one operation broken, the others exactly as the clean server answers them
        assert answer(http.get(url(srv, other, ep))) == clean_others[other.name], other.name


def answer(r: requests.Response) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (but the clock's) and body: what a fault must leave alone on other operations."""
    return r.status_code, {k.lower(): v for k, v in r.headers.items() if k.lower() != "date"}, r.content


def test_huge_body_is_64_mib_streamed(srv: ServerHandle) -> None:
    """Exactly the length it announces, and still the valid answer once the padding comment is cut out."""
    assert srv.app is not None
    clean = requests.get(url(srv, C, 1001), timeout=10).content
    srv.app.set_faults([faults.parse("huge-body")])
    with requests.get(url(srv, C, 1001), stream=True, timeout=30) as response:
        assert response.headers["content-type"].startswith("application/xml")
        assert int(response.headers["content-length"]) == 64 << 20
        chunks = list(response.iter_content(1 << 20))
    http_body = b"".join(chunks)
    assert len(http_body) == 64 << 20 and http_body.startswith(b"<?xml")
    head, _, rest = http_body.partition(b"\n<!--")
    padding, _, tail = rest.partition(b"-->")
    assert set(padding) == {ord("x")}
    assert head + tail == clean


def test_latency_adds_time(srv: ServerHandle, http: requests.Session) -> None:
    assert srv.app is not None
    srv.app.set_faults([faults.parse("latency=60ms")])
    start = time.monotonic()
    assert http.get(url(srv, A, 1001)).status_code == 200
    assert time.monotonic() - start >= 0.055


@pytest.mark.parametrize("spec", ["latency=uniform:1ms-2ms", "latency=mix:1ms@90,2ms@10",
                                  "latency=exp:1ms", "latency=0.001"])
def test_latency_distributions(srv: ServerHandle, http: requests.Session, spec: str) -> None:
    assert srv.app is not None
    srv.app.set_faults([faults.parse(spec)])
    assert http.get(url(srv, A, 1001)).status_code == 200


def test_stall_holds_answers_for_its_window(srv: ServerHandle, http: requests.Session) -> None:
    assert srv.app is not None
    srv.app.set_faults([faults.parse("stall=5@30")])  # not yet
    start = time.monotonic()
    http.get(url(srv, A, 1001))
    assert time.monotonic() - start < 0.5
    srv.app.set_faults([faults.parse("stall=0.3")])
    start = time.monotonic()
    http.get(url(srv, A, 1001))
    assert time.monotonic() - start >= 0.25
    srv.app.set_faults([faults.parse("stall=1")])
    with pytest.raises(requests.Timeout):
        http.get(url(srv, A, 1001), timeout=0.2)


def test_drop_closes_without_answer(srv: ServerHandle) -> None:
    assert srv.app is not None
    srv.app.set_faults([faults.parse("drop")])
    with pytest.raises(requests.ConnectionError):
        requests.get(url(srv, A, 1001), timeout=5)
    srv.app.set_faults([faults.parse("drop=0")])
    assert requests.get(url(srv, A, 1001), timeout=5).status_code == 200


SURVEY_CASES = {
    "survey-500-non-ascii": (survey_xml(answer="café"), survey_xml(), 500),
    "survey-500-long-answer": (survey_xml(answer="x" * 299), survey_xml(answer="x" * 298), 500),  # 301 / 300
    "survey-500-many-pairs": (survey_xml(pairs=6), survey_xml(pairs=5), 500),
    "survey-500-malformed": (b"<egainSurvey", survey_xml(), 500),
    "survey-204-non-xml": (b"hello, not xml", survey_xml(), 204),
}


@pytest.mark.parametrize("name", list(SURVEY_CASES))
def test_survey_fault_changes_the_verdict(srv: ServerHandle, http: requests.Session, name: str) -> None:
    hated, fine, status = SURVEY_CASES[name]
    target = srv.base_url + ops.SURVEY.path
    assert srv.app is not None
    assert http.post(target, data=hated, headers=SURVEY_TYPE).status_code in (204, 400)
    srv.app.set_faults([faults.parse(name)])
    before = count_rows(srv.surveys_db)
    assert http.post(target, data=hated, headers=SURVEY_TYPE).status_code == status
    assert count_rows(srv.surveys_db) == before  # the faulty verdict stores nothing
    assert http.post(target, data=fine, headers=SURVEY_TYPE).status_code == 204
    if name == "survey-204-non-xml":  # only what is not XML at all: malformed XML still gets its 400
        assert http.post(target, data=b"  <egainSurvey", headers=SURVEY_TYPE).status_code == 400


def test_survey_400_valid_refuses_every_valid_survey(srv: ServerHandle, http: requests.Session) -> None:
    target = srv.base_url + ops.SURVEY.path
    assert srv.app is not None
    srv.app.set_faults([faults.parse("survey-400-valid")])
    before = count_rows(srv.surveys_db)
    refused = http.post(target, data=survey_xml(), headers=SURVEY_TYPE)
    assert refused.status_code == 400
    assert b'code="115"' in refused.content
    assert count_rows(srv.surveys_db) == before
    malformed = http.post(target, data=b"<egainSurvey", headers=SURVEY_TYPE)
    assert malformed.status_code == 400  # a bad body still gets its own 4xx
    assert b'code="115"' not in malformed.content


def test_faults_chosen_at_start(http: requests.Session) -> None:
    with running_server(faults=["capacity-500", "eligibility-out-of-range"]) as srv:
        assert http.get(url(srv, C, 1001)).status_code == 500
        assert b'responseType="4"' in http.get(url(srv, E, 1001)).content
        assert b'available="true"' in http.get(url(srv, A, 1001)).content


@pytest.mark.parametrize(("spec", "message"), [
    ("capacity-negativ", "Did you mean 'capacity-negative'"), ("latency", "needs a distribution"),
    ("latency=fast", "not a duration"), ("latency=uniform:5ms-1ms", "LOW <= HIGH"),
    ("latency=mix:1ms@x", "DURATION@WEIGHT"), ("drop=2", "from 0 to 1"), ("stall", "needs a length"),
    ("capacity-500=1", "takes no parameter"),
])
def test_bad_fault_specs_are_refused_clearly(spec: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        faults.parse(spec)


@pytest.mark.parametrize(("name", "op", "broken"), [
    ("inactive-allowed", CH, "1005"), ("invalid-claims-available", A, "999999"),
])
def test_entry_point_faults_leave_the_other_entry_points_alone(srv: ServerHandle, http: requests.Session,
                                                               name: str, op: ops.Operation, broken: str) -> None:
    """A fault about one kind of entry point breaks that one; every other answers as the clean server."""
    roles = default_roles()
    others = [ep for ep in (*roles.entry_points, *roles.inactive_entry_points, *roles.invalid_entry_points)
              if ep != broken]
    clean = {ep: answer(http.get(url(srv, op, int(ep)))) for ep in [broken, *others]}
    assert srv.app is not None
    srv.app.set_faults([faults.parse(name)])
    assert answer(http.get(url(srv, op, int(broken)))) != clean[broken]
    for ep in others:
        assert answer(http.get(url(srv, op, int(ep)))) == clean[ep], ep


@pytest.mark.parametrize(("name", "op", "judged_by", "spared"), [
    ("chatallowed-reason-when-allowed", CH, CH, lambda r: root_of(r).get("allowed") == "false"),
    ("inconsistent-capacity", C, A, lambda r: root_of(r).get("available") == "true"),
])
def test_value_faults_spare_the_answers_their_condition_excludes(
        srv: ServerHandle, http: requests.Session, name: str, op: ops.Operation, judged_by: ops.Operation,
        spared: Check) -> None:
    """Where the fault's condition does not hold (chat not allowed; agents available), the answer is
    the clean server's: the fault bends one kind of answer, not all of them."""
    roles = default_roles()
    eps = [int(ep) for ep in roles.entry_points if spared(http.get(url(srv, judged_by, int(ep))))]
    assert eps, "the default scenario has entry points the fault must spare"
    clean = {ep: answer(http.get(url(srv, op, ep))) for ep in eps}
    assert srv.app is not None
    srv.app.set_faults([faults.parse(name)])
    for ep in eps:
        assert answer(http.get(url(srv, op, ep))) == clean[ep], ep
