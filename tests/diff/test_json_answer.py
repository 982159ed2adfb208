"""A JSON answer as a snapshot records it, and where it disagrees with the XML one: no server, exchanges
built by hand."""

from __future__ import annotations

from typing import Any

import pytest

from ecekit import operations as ops
from ecekit.client import Exchange
from ecekit.diff.json_answer import disagreeing, normalise_json
from ecekit.diff.normalise import normalise
from ecekit.server.render import xml


def answer(body: bytes, media: str = "application/json", status: int = 200) -> Exchange:
    return Exchange("capacity", "GET", "http://127.0.0.1:9/x", "1001", status=status,
                    response_headers={"content-type": media}, body=body)


def fields(body: bytes, op: ops.Operation = ops.CAPACITY) -> dict[str, Any]:
    record = normalise_json(answer(body), op)
    assert record["json"] == "ok", record
    return dict(record["fields"])


def test_documented_fields_are_typed_as_the_xml_ones_with_their_json_type() -> None:
    assert fields(b'{"waitTime": 12.5, "queueDepth": "2"}', ops.LIVE_SESSION_STATUS) == {
        "queueDepth": {"field": "queueDepth", "type": "count", "valid": True, "value": 2, "json_type": "string"},
        "waitTime": {"field": "waitTime", "type": "seconds", "valid": True, "value": 12.5, "json_type": "number"}}
    assert fields(b'{"allowed": true, "reason": "Other"}', ops.CHAT_ALLOWED)["allowed"] == {
        "field": "allowed", "type": "boolean", "valid": True, "value": True, "json_type": "boolean"}


def test_values_not_of_their_type_keep_their_text_and_say_so() -> None:
    assert fields(b'{"count": -1}') == {
        "count": {"field": "count", "type": "count", "valid": False, "value": "-1", "json_type": "number"}}
    assert fields(b'{"count": {"$": 3}}') == {
        "count": {"field": "count", "type": "count", "valid": False, "value": None, "json_type": "object"}}
    assert fields(b'{"count": null}') == {
        "count": {"field": "count", "type": "count", "valid": False, "value": None, "json_type": "null"}}


def test_keys_are_the_ones_sent_and_undocumented_ones_are_text() -> None:
    assert fields(b'{"@count": 3, "extra": [1], "note": "hi"}') == {
        "@count": {"field": "count", "type": "count", "valid": True, "value": 3, "json_type": "number"},
        "extra": {"type": "text", "value": None, "json_type": "array"},
        "note": {"type": "text", "value": "hi", "json_type": "string"}}


def test_an_object_nested_under_the_root_s_name_is_read_and_its_nesting_recorded() -> None:
    nested = normalise_json(answer(b'{"availableSlots": {"count": 3}}'), ops.CAPACITY)
    assert nested["nested_under"] == "availableSlots" and list(nested["fields"]) == ["count"]
    flat = normalise_json(answer(b'{"count": 3, "availableSlots": {"count": 3}}'), ops.CAPACITY)
    assert flat["nested_under"] is None and set(flat["fields"]) == {"count", "availableSlots"}


@pytest.mark.parametrize(("body", "media", "state"), [
    (b"<availableSlots/>", "application/xml", "not_served"),
    (b"{}", "text/html", "not_served"),
    (b"{", "application/json", "not_json"),
    (b"\xff\xfe\x00", "application/json", "not_json"),
    (b"[" * 100_000 + b"]" * 100_000, "application/json", "not_json"),
    (b'"count"', "application/problem+json", "not_object"),
    (b"", "application/json", None),
])
def test_what_is_not_a_json_object_is_recorded_as_such_without_fields(body: bytes, media: str,
                                                                      state: str | None) -> None:
    record = normalise_json(answer(body, media), ops.CAPACITY)
    assert (record["json"], record["fields"], record["nested_under"]) == (state, {}, None)


def _pair(xml_count: int, json_body: bytes, status: int = 200) -> tuple[dict[str, Any], dict[str, Any]]:
    xml_record = normalise(answer(xml(ops.CAPACITY, {"count": xml_count}), "application/xml"), ops.CAPACITY)
    return xml_record, normalise_json(answer(json_body, status=status), ops.CAPACITY)


def test_a_field_disagrees_only_when_it_differs_on_every_usable_pair() -> None:
    assert disagreeing([_pair(3, b'{"count": 4}'), _pair(5, b'{"count": 6}')]) == ["count"]
    assert disagreeing([_pair(3, b'{"count": 4}'), _pair(5, b'{"count": 5}')]) == []
    assert disagreeing([_pair(3, b'{"count": "3"}')]) == []  # the same count, as a string
    # a pair where either side is unusable decides nothing
    assert disagreeing([_pair(3, b'{"count": 4}'), _pair(5, b'{"count": 5}', status=500)]) == ["count"]
    assert disagreeing([_pair(3, b'{"count": 4}'), _pair(5, b"{")]) == ["count"]
    assert disagreeing([_pair(3, b'{"count": -1}')]) == []  # invalid: the type change says it, not parity
    assert disagreeing([]) == []
