"""JSON parity: the same status answer asked for as JSON carries the same values as the XML.

Real chat clients send ``Accept: application/json`` (see ../shared/ECE_NOTES.md: "XML by default, JSON
on request, same data"); the guide documents XML only, so these checks run only when the user asks
for them (``--json``), and then a server that does not answer JSON is a failure, reported once:

* ``json_served`` (one test per run): every JSON request got JSON. A server that answers XML (or 406)
  to ``Accept: application/json`` fails this once, naming the answers, instead of thirty parity tests;
* ``json_parity`` (per operation and entry point): a 2xx JSON answer is ``application/json``, parses,
  and carries each documented field with the value the XML answer read just before it carries.

The comparison is tolerant of the object's shape (a flat object, or one nested under the XML root's
name; keys ``count`` or ``@count``) and typed by :mod:`ecekit.operations` (``"3"`` and ``3`` are the
same count, ``2.0`` and ``2`` the same wait); what differs is listed field by field.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ecekit.checks.base import Violation
from ecekit.checks.values import typed, typed_values
from ecekit.client import Exchange
from ecekit.operations import Operation
from ecekit.xmlsafe import DEFAULT_MAX_BODY, parse

PARITY = "json_parity"
SERVED = "json_served"
ACCEPT_JSON = {"Accept": "application/json"}
_ABSENT = object()


def is_json_media(media_type: str) -> bool:
    return media_type == "application/json" or (media_type.startswith("application/")
                                                and media_type.endswith("+json"))


def not_served(ex: Exchange) -> bool:
    """The server did not answer JSON to a JSON request: XML (or anything else) with a 2xx, or 406."""
    if ex.error is not None or ex.status is None:
        return False
    return ex.status == 406 or (200 <= ex.status < 300 and not is_json_media(ex.media_type))


def served_violation(exchanges: Iterable[Exchange]) -> Violation | None:
    """One violation naming every JSON request that got no JSON, or None when all did."""
    asked = [ex for ex in exchanges if ex.error is None and ex.status is not None]
    missing = [ex for ex in asked if not_served(ex)]
    if not missing:
        return None
    types = sorted({"HTTP 406" if ex.status == 406 else (ex.media_type or "no Content-Type") for ex in missing})
    where = ", ".join(f"{ex.operation}[{ex.entry_point}]" for ex in missing[:8])
    more = f" and {len(missing) - 8} more" if len(missing) > 8 else ""
    return Violation(
        check=SERVED, operation="all",
        message=f"{len(missing)} of {len(asked)} JSON requests got no JSON ({', '.join(types)})",
        expected="Content-Type application/json for Accept: application/json (chat clients ask for JSON)",
        actual=f"{where}{more}",
        remedy="enable JSON on the server's web service layer, or leave out --json (and json = true) if "
        "this server is meant to speak XML only, as the guide documents")


def _lexical(value: Any) -> str | None:
    """A JSON value as the lexical form the typed reader takes (None for null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise ValueError(f"{json.dumps(value)[:60]} is not a scalar")


def _object(body: bytes, op: Operation) -> Mapping[str, Any]:
    """The JSON object holding the fields: flat, or nested under the root's name. ValueError if none."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"not valid JSON: {exc}") from None
    except RecursionError:  # a hostile answer nested deeper than the parser goes
        raise ValueError("not valid JSON: nested deeper than any answer a page can read") from None
    if not isinstance(data, dict):
        raise ValueError(f"a JSON {type(data).__name__}, not an object")
    nested = data.get(op.response_root or "")
    if isinstance(nested, dict) and not any(f.name in data or "@" + f.name in data for f in op.fields):
        return nested
    return data


def json_values(body: bytes, op: Operation) -> tuple[dict[str, object], list[str]]:
    """The typed fields of a JSON answer (a missing optional field is None), and what is wrong with it."""
    obj = _object(body, op)
    values: dict[str, object] = {}
    problems: list[str] = []
    for f in op.fields:
        raw = obj.get(f.name, obj.get("@" + f.name, _ABSENT))
        if raw is _ABSENT or raw is None:
            if f.required:
                problems.append(f"no {f.name!r}")
            else:
                values[f.name] = None
            continue
        try:
            values[f.name] = typed(f, _lexical(raw))
        except ValueError as exc:
            problems.append(f"{f.name}: {exc}")
    return values, problems


def _shown(value: object) -> str:
    if value is None:
        return "absent"
    return str(value).lower() if isinstance(value, bool) else str(value)


def compare(op: Operation, xml_ex: Exchange, json_ex: Exchange,
            max_bytes: int = DEFAULT_MAX_BODY) -> list[Violation]:
    """Violations of JSON parity for one (XML, JSON) pair read back to back; [] when they agree or when
    the XML answer itself is unusable (the per-response checks report that)."""
    ep = json_ex.entry_point

    def violation(message: str, expected: str, actual: str, remedy: str = "") -> Violation:
        return Violation(PARITY, op.name, message, expected=expected, actual=actual, entry_point=ep,
                         remedy=remedy or "the JSON and XML answers must come from the same data")

    if xml_ex.error is not None or json_ex.error is not None or not_served(json_ex):
        return []  # transport problems: see transport; no JSON at all: reported once by json_served
    xml_ok = xml_ex.status is not None and 200 <= xml_ex.status < 300
    json_ok = json_ex.status is not None and 200 <= json_ex.status < 300
    if xml_ok != json_ok:
        return [violation(f"XML answer HTTP {xml_ex.status}, JSON answer HTTP {json_ex.status}",
                          expected="the same status for both representations", actual=json_ex.describe())]
    if not json_ok:
        return []
    parsed = parse(xml_ex.body, max_bytes=max_bytes)
    if parsed.root is None:
        return []  # see well_formed
    try:
        got, problems = json_values(json_ex.body, op)
    except ValueError as exc:
        return [violation(f"the JSON answer is {exc}", expected="a JSON object with the answer's fields",
                          actual=json_ex.excerpt(200))]
    if problems:
        return [violation("the JSON answer " + "; ".join(problems),
                          expected=f"fields {', '.join(f.name for f in op.fields)} typed as the XSD types them",
                          actual=json_ex.excerpt(200))]
    xml = typed_values(parsed.root, op)
    differ = [f for f in op.fields if f.name in xml or not f.required
              if xml.get(f.name) != got.get(f.name)]
    if not differ:
        return []
    return [violation("JSON and XML disagree: " + ", ".join(
        f"{f.name} XML {_shown(xml.get(f.name))}, JSON {_shown(got.get(f.name))}" for f in differ),
        expected="the same values in both representations (read back to back, on every repeated read)",
        actual=json_ex.excerpt(200))]

