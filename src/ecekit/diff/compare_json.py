"""Comparing the JSON records of one answer, as the XML ones are compared, each field named ``… (JSON)``.

The same change means the same thing in both representations (a status, a media type, a value's type,
a field gone: :func:`ecekit.diff.classify.value_kind` types both), so a page that reads JSON learns of
an upgrade that breaks it even when the XML answer is untouched. What only JSON has: the body no
longer being JSON (``json_broken``), the object moving under the root's name (``json_nesting_changed``)
and a field that no longer carries the XML answer's value (``json_disagrees``).
"""

from __future__ import annotations

from typing import Any

from ecekit.diff.classify import Change, optional_field, value_kind
from ecekit.diff.json_answer import OK

SUFFIX = " (JSON)"


def json_changes(op: str, ep: str, a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    """The differences of the JSON answers of one (operation, entry point): ``a`` and ``b`` are the whole
    recorded answers (B's XML values are what a disagreeing JSON field is shown against)."""
    ja, jb = a["json"], b["json"]
    found: list[Change] = []

    def add(kind: str, field: str, before: Any = None, after: Any = None, detail: str = "") -> None:
        found.append(Change(kind, op, field + SUFFIX, before, after, ep, detail))

    if ja["transport"] != jb["transport"]:
        if jb["transport"] is not None:
            add("transport_failed", "transport", ja["transport"], jb["transport"])
        else:
            add("repaired", "transport", ja["transport"], None, "JSON answers arrive again")
    if ja["transport"] is not None or jb["transport"] is not None:
        return found
    if ja["status"] != jb["status"]:
        add("status_changed", "status", ja["status"], jb["status"])
    if ja["content_type"] != jb["content_type"]:
        add("content_type_changed", "content_type", ja["content_type"], jb["content_type"])
    elif ja["charset"] != jb["charset"]:
        add("charset_changed", "charset", ja["charset"], jb["charset"])
    if not all(isinstance(j["status"], int) and 200 <= j["status"] < 300 for j in (ja, jb)):
        return found  # an error document against an answer would only repeat the status change
    if ja["json"] != jb["json"]:
        if ja["json"] == OK:
            add("json_broken", "body", "a JSON object", jb["json"])
        elif jb["json"] == OK:
            add("repaired", "body", ja["json"], "a JSON object")
    if ja["json"] != OK or jb["json"] != OK:
        return found
    if ja["nested_under"] != jb["nested_under"]:
        add("json_nesting_changed", "object", _nesting(ja), _nesting(jb))
    before, after = ja["fields"], jb["fields"]
    for key, value in before.items():
        if key not in after:
            add("optional_field_gone" if optional_field(op, value) else "json_field_gone", key, value.get("value"))
            continue
        kind = value_kind(value, after[key])
        if kind is not None:
            retyped = value.get("json_type") != after[key].get("json_type")
            add(kind, key, _shown(value, retyped), _shown(after[key], retyped))
    for key in after:
        if key not in before:
            add("json_field_added", key, None, after[key].get("value"))
    xml = _xml_values(b["response"])
    for name in jb["disagrees"]:
        if name not in ja["disagrees"]:
            add("json_disagrees", name, "the XML answer's value",
                f"XML {_text(xml.get(name))}, JSON {_text(_json_value(jb['fields'], name))}")
    for name in ja["disagrees"]:
        if name not in jb["disagrees"]:
            add("repaired", name, "differs from the XML", "the XML answer's value")
    return found


def _nesting(record: dict[str, Any]) -> str:
    return f"nested under {record['nested_under']!r}" if record["nested_under"] else "flat"


def _shown(value: dict[str, Any], retyped: bool) -> Any:
    """A value as a difference shows it, with its JSON type when that is what changed (``3`` vs ``"3"``)."""
    return f"{_text(value.get('value'))} as a JSON {value.get('json_type')}" if retyped else value.get("value")


def _xml_values(response: dict[str, Any]) -> dict[str, Any]:
    return {v["field"]: v.get("value") for group in ("attributes", "elements")
            for v in (response.get(group) or {}).values() if isinstance(v, dict) and v.get("field")}


def _json_value(fields: dict[str, Any], name: str) -> Any:
    return next((v.get("value") for v in fields.values() if v.get("field") == name), None)


def _text(value: Any) -> str:
    if value is None:
        return "absent"
    return str(value).lower() if isinstance(value, bool) else str(value)
