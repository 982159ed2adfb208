"""JSON parity, judged on hand-made pairs: tolerant of the JSON's shape, strict about its values, and a
server that ignores Accept: application/json reported once."""

from __future__ import annotations

import pytest

from ecekit import operations
from ecekit.checks import json_parity
from tests.checks.helpers import exchange

CAP, WAIT, ALLOWED = operations.CAPACITY, operations.LIVE_SESSION_STATUS, operations.CHAT_ALLOWED


def pair(op: operations.Operation, json_body: bytes, *, status: int = 200, xml_status: int = 200,
         content_type: str = "application/json", **xml_values: object) -> list:
    xml = exchange(op, status=xml_status, **xml_values)
    js = exchange(op, json_body, status=status, content_type=content_type)
    return json_parity.compare(op, xml, js)


@pytest.mark.parametrize("body", [
    b'{"count":4}', b'{"availableSlots":{"count":4}}', b'{"count":"4"}', b'{"@count":4}',
    b'{"count":4,"extra":"ignored"}',
])
def test_same_values_in_any_shape_agree(body: bytes) -> None:
    assert pair(CAP, body, count=4) == []


def test_decimal_seconds_compare_by_value() -> None:
    assert pair(WAIT, b'{"waitTime":3,"queueDepth":1}', waitTime="3.0", queueDepth=1) == []


def test_optional_field_absent_in_both_agrees_and_present_in_one_differs() -> None:
    assert pair(ALLOWED, b'{"allowed":true}', allowed="true") == []
    found = pair(ALLOWED, b'{"allowed":false,"reason":"agent_not_available"}', allowed="true")
    assert found and found[0].check == "json_parity"
    assert "allowed XML true, JSON false" in found[0].message and "reason XML absent" in found[0].message


@pytest.mark.parametrize(("body", "words"), [
    (b'{"count":5}', "count XML 4, JSON 5"),
    (b"not json", "not valid JSON"),
    (b"[4]", "not an object"),
    (b'{"slots":4}', "no 'count'"),
    (b'{"count":-1}', "count:"),
    (b'{"count":{"n":4}}', "count:"),
    pytest.param(b'{"count":' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested deeper", id="hostile-nesting"),
])
def test_each_disagreement_is_named(body: bytes, words: str) -> None:
    found = pair(CAP, body, count=4)
    assert len(found) == 1 and words in found[0].message, found
    assert found[0].operation == "capacity" and found[0].entry_point == "1001"


def test_status_mismatch_is_a_parity_failure() -> None:
    found = pair(CAP, b'{"code":"500-1"}', status=500, count=4)
    assert found and "XML answer HTTP 200, JSON answer HTTP 500" in found[0].message


def test_xml_to_a_json_request_is_left_to_json_served() -> None:
    xml_answer = exchange(CAP, count=4).body
    assert pair(CAP, xml_answer, content_type="application/xml;charset=UTF-8", count=4) == []
    answers = [exchange(op, content_type="application/xml") for op in operations.STATUS_OPERATIONS]
    answers.append(exchange(CAP, b'{"count":4}', content_type="application/json"))
    found = json_parity.served_violation(answers)
    assert found is not None and found.check == "json_served"
    assert found.message.startswith("5 of 6 JSON requests got no JSON (application/xml)")
    assert json_parity.served_violation(answers[-1:]) is None


def test_406_counts_as_not_served() -> None:
    found = json_parity.served_violation([exchange(CAP, b"", status=406, content_type="text/plain")])
    assert found is not None and "HTTP 406" in found.message
