"""Fault hooks called directly (fast, in process): what a body fault leaves alone, and that error
faults answer in the format asked for. tests/server/test_faults.py proves each fault over HTTP."""

from __future__ import annotations

import json

import pytest

from ecekit import operations as ops
from ecekit.server import faults, render
from ecekit.server.render import JSON_TYPE, XML_TYPE, Reply

STYLES = [cls for cls in faults.catalogue().values() if issubclass(cls, faults._XmlStyle)]
VALUES = {ops.AGENT_AVAILABILITY: {"available": True}, ops.CAPACITY: {"count": 4},
          ops.LIVE_SESSION_STATUS: {"waitTime": 3.0, "queueDepth": 1},
          ops.CHECK_ELIGIBILITY: {"responseType": 0}, ops.CHAT_ALLOWED: {"allowed": True}}


def _ctx(op: ops.Operation, *, as_json: bool = False) -> faults.Context:
    return faults.Context(op=op, ep_id=1001, as_json=as_json, state=None,  # type: ignore[arg-type]
                          values=VALUES[op])


def _op(cls: type[faults.Fault]) -> ops.Operation:
    return cls.operation or ops.CAPACITY


def test_there_are_body_faults_to_test() -> None:
    assert {"restyle", "capacity-wrong-namespace", "eligibility-unquoted"} <= {c.name for c in STYLES}


@pytest.mark.parametrize("cls", STYLES, ids=lambda c: c.name)
def test_a_body_fault_restyles_a_200_xml_answer(cls: type[faults.Fault]) -> None:
    op = _op(cls)
    plain = render.xml(op, VALUES[op])
    answer = cls().reply(_ctx(op), Reply(200, XML_TYPE, plain))
    assert answer.status == 200 and answer.body != plain


@pytest.mark.parametrize("status", [202, 204, 400, 404, 500, 503])
@pytest.mark.parametrize("cls", STYLES, ids=lambda c: c.name)
def test_a_body_fault_leaves_an_answer_other_than_200_as_it_was(cls: type[faults.Fault], status: int) -> None:
    """An error answer (an invalid entry point's 404, another fault's 500) keeps its own body: restyling
    it as a valid status answer would hide the error the client should see."""
    op = _op(cls)
    error = render.error(status, "internal", "Unable to retrieve the information.")
    answer = cls().reply(_ctx(op), Reply(status, XML_TYPE, error.body))
    assert (answer.status, answer.content_type, answer.body) == (status, XML_TYPE, error.body)


@pytest.mark.parametrize("cls", STYLES, ids=lambda c: c.name)
def test_a_body_fault_leaves_a_json_answer_as_it_was(cls: type[faults.Fault]) -> None:
    op = _op(cls)
    body = json.dumps(VALUES[op]).encode()
    answer = cls().reply(_ctx(op, as_json=True), Reply(200, JSON_TYPE, body))
    assert (answer.status, answer.content_type, answer.body) == (200, JSON_TYPE, body)


@pytest.mark.parametrize("as_json", [False, True], ids=["xml", "json"])
def test_capacity_500_answers_in_the_format_asked_for(as_json: bool) -> None:
    answer = faults.Capacity500().reply(_ctx(ops.CAPACITY, as_json=as_json),
                                        Reply(200, XML_TYPE, render.xml(ops.CAPACITY, {"count": 4})))
    assert answer.status == 500
    if as_json:
        assert answer.content_type == JSON_TYPE
        assert json.loads(answer.body) == {"code": "500-internal", "message": "Unable to retrieve the information."}
    else:
        assert answer.content_type == XML_TYPE
        assert answer.body.endswith(b'<error status="500" code="internal">Unable to retrieve the information.</error>')
