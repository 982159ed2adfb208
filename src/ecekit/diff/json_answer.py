"""One JSON answer as a snapshot records it, beside the XML one, and where the two disagree.

Real chat clients ask with ``Accept: application/json``; a page that reads JSON breaks on an upgrade
that changes only the JSON answer, so it is recorded on its own. The object is found as the JSON
parity check finds it (:mod:`ecekit.checks.json_parity`: flat, or nested under the XML root's name,
keys ``count`` or ``@count``) and each value is typed as the XML values are
(:func:`ecekit.diff.normalise.value_record`), plus the JSON type it came as (``"3"`` and ``3`` are
the same count, but not the same thing to a script). Fields are keyed by the key the server sent.

Whether the JSON carries the XML's values is judged over every round a snapshot reads (XML and
JSON back to back): a field *disagrees* only when it differs on every round, so a live queue that
moves between two reads is not a finding.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from ecekit import operations
from ecekit.checks import json_parity
from ecekit.client import Exchange
from ecekit.diff.normalise import TEXT, envelope, value_record

OK = "ok"
NOT_SERVED = "not_served"  # the answer is not of a JSON media type (XML, HTML, or none)
NOT_JSON = "not_json"  # a JSON media type whose body does not parse
NOT_OBJECT = "not_object"  # it parses, to something other than an object
KEYS = ("transport", "status", "content_type", "charset", "json", "nested_under", "fields", "disagrees")


def normalise_json(exchange: Exchange, op: operations.Operation) -> dict[str, Any]:
    """The record of the JSON answer to ``op`` (docs/diff.md); ``disagrees`` is filled by :func:`disagreeing`."""
    record: dict[str, Any] = {
        **envelope(exchange),
        "json": None,
        "nested_under": None,
        "fields": {},
        "disagrees": [],
    }
    if exchange.error is not None or not exchange.body:
        return record
    if not json_parity.is_json_media(exchange.media_type):
        record["json"] = NOT_SERVED
        return record
    try:
        obj = json_parity._object(exchange.body, op)  # the parity check's reader: one, shared
        top = json.loads(exchange.body)
    except ValueError as exc:
        record["json"] = NOT_OBJECT if "not an object" in str(exc) else NOT_JSON
        return record
    record["json"] = OK
    root = op.response_root
    record["nested_under"] = root if root and top.get(root) == obj else None  # flat: top[root] is not top
    documented = {key: f for f in op.fields for key in (f.name, "@" + f.name)}
    record["fields"] = {str(key): _field(documented.get(str(key)), raw) for key, raw in sorted(obj.items())}
    return record


def _json_type(raw: Any) -> str:
    if raw is None:
        return "null"
    if isinstance(raw, bool):
        return "boolean"
    if isinstance(raw, int | float):
        return "number"
    if isinstance(raw, str):
        return "string"
    return "array" if isinstance(raw, list) else "object"


def _field(field: operations.Field | None, raw: Any) -> dict[str, Any]:
    kind = _json_type(raw)
    try:
        lexical = json_parity._lexical(raw)  # as the parity check reads a value
    except ValueError:
        lexical = None  # an object or an array: no scalar to type
    if lexical is None:
        if field is None:
            return {"type": TEXT, "json_type": kind, "value": None}
        return {"field": field.name, "type": field.type.value, "json_type": kind, "valid": False, "value": None}
    return {**value_record(field, lexical), "json_type": kind}


def disagreeing(pairs: Iterable[tuple[dict[str, Any], dict[str, Any]]]) -> list[str]:
    """The documented fields whose JSON value differed from the XML one on every (XML record, JSON
    record) pair; a pair where either answer is unusable decides nothing."""
    found: set[str] | None = None
    for xml_record, json_record in pairs:
        if not (_usable(xml_record) and _usable(json_record) and xml_record.get("xml") == OK
                and json_record.get("json") == OK):
            continue
        xml, js = _valid(xml_record["elements"], xml_record["attributes"]), _valid(json_record["fields"])
        now = {name for name in xml.keys() & js.keys() if xml[name] != js[name]}
        found = now if found is None else found & now
    return sorted(found or ())


def _usable(record: dict[str, Any]) -> bool:
    status = record.get("status")
    return record.get("transport") is None and isinstance(status, int) and 200 <= status < 300


def _valid(*groups: dict[str, Any]) -> dict[str, Any]:
    """Field name -> typed value, for the documented values that are of their type."""
    return {v["field"]: v["value"] for group in groups for v in group.values()
            if v.get("field") and v.get("valid")}
