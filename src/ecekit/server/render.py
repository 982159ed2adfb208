"""Rendering answers: the guide's XML (attribute quoted), the same data as JSON, and error bodies.

Everything is driven by :mod:`ecekit.operations` field data: a field of kind ATTRIBUTE goes on the
root, one of kind ELEMENT becomes an ``ns2:`` child. The root carries the ``ns2``..``ns5``
declarations a real server puts there, in the guide's order. The style knobs of :func:`xml` exist so
fault modes can break one aspect of a body (a prefix, a quote, a root name) without their own XML
writer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from ecekit import operations as ops

XML_TYPE = b"application/xml;charset=UTF-8"
JSON_TYPE = b"application/json"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS_DECLS = " ".join(f'xmlns:{p}="{uri}"' for p, uri in ops.ROOT_NAMESPACES.items())
# The guide prints agentAvailability's attribute before the declarations and the others after.
_ATTRIBUTES_FIRST = frozenset({ops.AGENT_AVAILABILITY.name})

Values = Mapping[str, object]


@dataclass(slots=True)
class Reply:
    """One HTTP answer before it is sent. ``chunks`` streams a body of ``length`` bytes instead."""

    status: int
    content_type: bytes = XML_TYPE
    body: bytes = b""
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    chunks: Callable[[], Iterator[bytes]] | None = None
    length: int | None = None

    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        size = self.length if self.chunks is not None and self.length is not None else len(self.body)
        out = [(b"content-type", self.content_type), (b"content-length", str(size).encode())]
        if self.status == 204:
            out = []
        return out + self.headers


def text(value: object) -> str:
    """A value as the XML shows it: xs:boolean lower case, decimals like Java's Double.toString."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def xml(
    op: ops.Operation,
    values: Values,
    *,
    root: str | None = None,
    prefix: str = "ns2:",
    quote: bool = True,
    extra_children: str = "",
    prolog: str = XML_DECLARATION,
    declarations: Mapping[str, str] = ops.ROOT_NAMESPACES,
    reverse: bool = False,
    indent: str = "\n  ",
) -> bytes:
    """``op``'s answer as the guide prints it, with each field present in ``values``.

    ``declarations`` (prefix -> URI), ``reverse`` (attributes and children in reverse order) and
    ``indent`` restyle a valid answer without changing its meaning (the ``restyle`` fault)."""
    name = root or op.response_root or "response"
    fields = [f for f in op.fields if f.name in values]
    if reverse:
        fields.reverse()
    attrs = "".join(
        f" {f.name}={quoteattr(text(values[f.name])) if quote else text(values[f.name])}"
        for f in fields if f.kind is ops.FieldKind.ATTRIBUTE)
    children = "".join(
        f"{indent}<{prefix}{f.name}>{escape(text(values[f.name]))}</{prefix}{f.name}>"
        for f in fields if f.kind is ops.FieldKind.ELEMENT) + extra_children
    decls = _NS_DECLS if declarations is ops.ROOT_NAMESPACES else " ".join(
        f'xmlns:{p}="{uri}"' for p, uri in declarations.items())
    head = f"<{name}{attrs} {decls}" if op.name in _ATTRIBUTES_FIRST else f"<{name} {decls}{attrs}"
    if not children:
        return f"{prolog}{head}/>".encode()
    return f"{prolog}{head}>{children}{indent[:1]}</{name}>".encode()


def json_body(op: ops.Operation, values: Values) -> bytes:
    """The same data as JSON: one flat object keyed by field name, typed as the XSD types it."""
    return json.dumps({f.name: values[f.name] for f in op.fields if f.name in values},
                      separators=(",", ":")).encode()


def answer(op: ops.Operation, values: Values, as_json: bool) -> Reply:
    if as_json:
        return Reply(200, JSON_TYPE, json_body(op, values))
    return Reply(200, XML_TYPE, xml(op, values))


def error(status: int, code: str, message: str, as_json: bool = False,
          headers: list[tuple[bytes, bytes]] | None = None) -> Reply:
    """A small error body saying what was wrong: ``<error status=… code=…>message</error>``."""
    if as_json:
        body = json.dumps({"code": f"{status}-{code}", "message": message}).encode()
        return Reply(status, JSON_TYPE, body, headers or [])
    body = (f'{XML_DECLARATION}<error status="{status}" code={quoteattr(code)}>'
            f"{escape(message)}</error>").encode()
    return Reply(status, XML_TYPE, body, headers or [])


def _quality(part: str) -> tuple[str, float]:
    media, *params = (p.strip() for p in part.split(";"))
    q = 1.0
    for p in params:
        key, _, val = p.partition("=")
        if key.strip().lower() == "q":
            try:
                q = float(val)
            except ValueError:
                q = 0.0
    return media.lower(), q


def wants_json(accept: bytes) -> bool:
    """True when the Accept header prefers application/json to XML (XML wins ties and unknowns)."""
    if b"json" not in accept:
        return False
    best_json, best_xml = 0.0, 0.0
    for part in accept.decode("latin-1").split(","):
        media, q = _quality(part)
        if media == "application/json":
            best_json = max(best_json, q)
        elif media in ("application/xml", "text/xml", "application/*", "text/*", "*/*"):
            best_xml = max(best_xml, q * (1.0 if media.endswith("xml") else 0.99))
    return best_json > best_xml
