"""Reading the documented fields out of a response, by namespace URI (never by prefix)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from lxml import etree

from ecekit import operations
from ecekit.operations import CHAT_NS, FieldKind, FieldType

_BOOLEANS = {"true": True, "1": True, "false": False, "0": False}


def raw_values(root: etree._Element, op: operations.Operation) -> dict[str, str | None]:
    """Each field's lexical value as the server sent it (None when absent)."""
    out: dict[str, str | None] = {}
    for f in op.fields:
        if f.kind is FieldKind.ATTRIBUTE:
            out[f.name] = root.get(f.name)
        else:
            child = root.find(f"{{{CHAT_NS}}}{f.name}")
            out[f.name] = None if child is None else (child.text or "")
    return out


def expected(field: operations.Field) -> str:
    """What the guide allows for a field, spelled out for the ``expected:`` line of a failure."""
    match field.type:
        case FieldType.BOOLEAN:
            return "an xs:boolean: true, false, 1 or 0"
        case FieldType.COUNT:
            return "a non-negative integer"
        case FieldType.SECONDS:
            return "a non-negative decimal number of seconds, e.g. 3.0"
        case FieldType.RESPONSE_TYPE:
            return "one of " + "; ".join(f"{k} ({v})" for k, v in operations.RESPONSE_TYPES.items())
        case FieldType.REASON:
            return "one of " + ", ".join(operations.REASONS)
    raise AssertionError(field.type)  # pragma: no cover


def typed(field: operations.Field, lexical: str | None) -> object:
    """The value as its documented type, or raise ValueError saying what is wrong with it."""
    if lexical is None:
        raise ValueError("missing")
    text = lexical.strip()
    match field.type:
        case FieldType.BOOLEAN:
            if text not in _BOOLEANS:
                raise ValueError(f"{lexical!r} is not an xs:boolean (true, false, 1 or 0)")
            return _BOOLEANS[text]
        case FieldType.COUNT:
            if not text.lstrip("+").isdigit():
                raise ValueError(f"{lexical!r} is not a non-negative integer")
            return int(text)
        case FieldType.SECONDS:
            try:
                value = Decimal(text)
            except InvalidOperation:
                raise ValueError(f"{lexical!r} is not a decimal number of seconds") from None
            if not value.is_finite() or value < 0 or "e" in text.lower():
                raise ValueError(f"{lexical!r} is not a non-negative decimal number of seconds")
            return value
        case FieldType.RESPONSE_TYPE:
            if text not in {str(k) for k in operations.RESPONSE_TYPES}:
                raise ValueError(f"{lexical!r} is not one of the documented responseType values 0-3")
            return int(text)
        case FieldType.REASON:
            if text not in operations.REASONS:
                raise ValueError(f"{lexical!r} is not one of {', '.join(operations.REASONS)}")
            return text
    raise AssertionError(field.type)  # pragma: no cover


def typed_values(root: etree._Element, op: operations.Operation) -> dict[str, object]:
    """The fields that are present and valid, typed; absent or invalid ones are left out."""
    out: dict[str, object] = {}
    raw = raw_values(root, op)
    for f in op.fields:
        lexical = raw[f.name]
        if lexical is None:
            continue
        try:
            out[f.name] = typed(f, lexical)
        except ValueError:
            continue
    return out
