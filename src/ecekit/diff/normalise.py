"""One answer as a snapshot records it: what a page depends on, with everything incidental left out.

Elements and attributes are keyed by namespace URI and local name (Clark notation, ``{uri}name``),
never by prefix, with paths relative to the root, so a server that binds ``chat:`` instead of ``ns2:``,
orders its children differently or indents with tabs normalises to the same record; the prefixes it
used are kept apart (``prefixes``) so a change of prefix is still reported, as compatible.

Values of the documented fields are typed with :mod:`ecekit.operations`' field types (the same
``typed`` the checks use): ``{"field": "count", "type": "count", "valid": true, "value": 3}``; a value
that is not of its type keeps its text and ``"valid": false``. Anything undocumented is text.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from lxml import etree

from ecekit import operations
from ecekit.checks.values import typed
from ecekit.client import Exchange
from ecekit.operations import CHAT_NS, FieldKind
from ecekit.xmlsafe import DEFAULT_MAX_BODY, parse

TEXT = "text"  # the type of anything the guide does not document


def envelope(exchange: Exchange) -> dict[str, Any]:
    """What came back around the body, the same for the XML and the JSON record: how the transport
    ended, the status, the media type and its charset."""
    media, _, params = exchange.content_type.partition(";")
    return {"transport": None if exchange.error is None else exchange.error.value, "status": exchange.status,
            "content_type": media.strip().lower() or None, "charset": charset_of(params)}


def normalise(exchange: Exchange, op: operations.Operation, *,
              max_bytes: int = DEFAULT_MAX_BODY) -> dict[str, Any]:
    """The normalised record of one exchange (see the module docstring and docs/diff.md)."""
    record: dict[str, Any] = {
        **envelope(exchange),
        "xml": None,
        "root": None,
        "attributes": {},
        "elements": {},
        "prefixes": {},
    }
    if exchange.error is not None or not exchange.body:
        return record
    parsed = parse(exchange.body, max_bytes=max_bytes)
    if parsed.root is None:
        record["xml"] = parsed.issues[0].kind.value if parsed.issues else "not_well_formed"
        return record
    root = parsed.root
    record["xml"] = "ok"
    record["root"] = root.tag
    record["prefixes"] = {uri: prefix or "" for prefix, uri in sorted(root.nsmap.items(),
                                                                     key=lambda kv: kv[0] or "")}
    documented = _documented(op)
    _walk(root, "", documented, record["attributes"], record["elements"])
    return record


def charset_of(params: str) -> str | None:
    """The charset parameter of a Content-Type's parameters, lower case (None when absent)."""
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower() or None
    return None


def _documented(op: operations.Operation) -> dict[str, operations.Field]:
    """The path keys of ``op``'s documented fields: ``@name`` on the root, ``{CHAT_NS}name`` below it."""
    out = {}
    for f in op.fields:
        key = f"@{f.name}" if f.kind is FieldKind.ATTRIBUTE else f"{{{CHAT_NS}}}{f.name}"
        out[key] = f
    return out


def _walk(element: etree._Element, path: str, documented: dict[str, operations.Field],
          attributes: dict[str, Any], elements: dict[str, Any]) -> None:
    for name, lexical in sorted(element.attrib.items()):
        key = f"{path}@{name}"
        attributes[key] = value_record(documented.get(key), lexical)
    seen: dict[str, int] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions are not data
        seen[child.tag] = seen.get(child.tag, 0) + 1
        key = f"{path}{child.tag}" + (f"[{seen[child.tag]}]" if seen[child.tag] > 1 else "")
        if len(child):
            elements[key] = {"type": "element", "value": None}
            _walk(child, key + "/", documented, attributes, elements)
        else:
            elements[key] = value_record(documented.get(key), child.text or "")
            for name, lexical in sorted(child.attrib.items()):
                attributes[f"{key}/@{name}"] = value_record(None, lexical)


def value_record(field: operations.Field | None, lexical: str) -> dict[str, Any]:
    """A value as every record holds it (shared by the XML and the JSON records, so both type alike)."""
    if field is None:
        return {"type": TEXT, "value": lexical.strip()}
    try:
        value = typed(field, lexical)
    except ValueError:
        return {"field": field.name, "type": field.type.value, "valid": False, "value": lexical.strip()}
    if isinstance(value, Decimal):
        value = float(value)
    return {"field": field.name, "type": field.type.value, "valid": True, "value": value}


def steps(key: str) -> list[str]:
    """A path key split into its steps, leaving the slashes inside ``{uri}`` alone."""
    return re.findall(r"(?:\{[^}]*\}|[^/{])+", key)


def field_name(key: str) -> str:
    """A path key as a person reads it: ``{uri}queueDepth`` -> ``queueDepth``, ``@allowed`` -> ``allowed``;
    a name outside the guide's namespace says which namespace it is in."""
    last = (steps(key) or [key])[-1]
    attribute = last.startswith("@")
    last = last.lstrip("@")
    if last.startswith("{"):
        uri, _, name = last[1:].partition("}")
        return name if uri == CHAT_NS else f"{name} (namespace {uri})"
    return last if attribute else f"{last} (no namespace)"
