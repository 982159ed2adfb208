"""Comparing two sets of XSDs through xmlschema's component model, never as text.

Each set is the pair of top-level schemas the checks use (eGainBosh.xsd, eGainSurvey.xsd, with what
they import). Every global element is walked down to its leaves and flattened into components keyed
by path (``/availableSlots/{http://bindings.egain.com/chat}count``, ``/chatAllowed/@reason``), each
with its type, facets and occurrences; the two flattenings are then compared and classified with the
same rules as a snapshot diff (:mod:`ecekit.diff.classify`), from the point of view of a page reading
answers valid under A: a component gone, a type changed or anything B allows that A did not is
breaking; a new optional component, or B allowing a subset of A, is compatible.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ecekit import operations
from ecekit.diff.classify import SEVERITY_ORDER, Change
from ecekit.errors import SchemaError
from ecekit.xmlsafe import BOSH_XSD, SURVEY_XSD

XSD_NS = "http://www.w3.org/2001/XMLSchema"
UNBOUNDED = "unbounded"
_MAX_DEPTH = 20  # recursive content models are cut here


def describe(directory: str | Path) -> dict[str, dict[str, Any]]:
    """Path -> component record, for every element and attribute the schemas of ``directory`` declare."""
    import xmlschema

    base = Path(directory).expanduser().resolve()
    if not base.is_dir():
        raise SchemaError(f"XSD directory {base} does not exist",
                          remedy="give two directories that hold eGainBosh.xsd and eGainSurvey.xsd")
    components: dict[str, dict[str, Any]] = {}
    for name in (BOSH_XSD, SURVEY_XSD):
        path = base / name
        if not path.is_file():
            raise SchemaError(f"no {name} in {base}",
                              remedy=f"both directories must hold {BOSH_XSD} and {SURVEY_XSD}")
        try:
            schema = xmlschema.XMLSchema(str(path), base_url=str(base), allow="sandbox")
        except (xmlschema.XMLSchemaException, OSError) as exc:
            raise SchemaError(f"cannot compile {path}: {exc}",
                              remedy="check that every schema it imports is in the same directory") from exc
        for qname, element in sorted(schema.elements.items()):
            _element(element, f"/{element.name or qname}", components, 0, top=True)
    return components


def _element(element: Any, path: str, out: dict[str, dict[str, Any]], depth: int, top: bool = False) -> None:
    out[path] = {"kind": "element", "min": 1 if top else element.min_occurs,
                 "max": UNBOUNDED if element.max_occurs is None else element.max_occurs,
                 **_type(element.type)}
    if depth >= _MAX_DEPTH or not element.type.is_complex():
        return
    for attribute in sorted(element.type.attributes.values(), key=lambda a: str(a.name)):
        if attribute.name is None:  # xs:anyAttribute: any attribute of these namespaces
            out[f"{path}/@*"] = {"kind": "attribute", "min": 0, "max": 1, "type": "any",
                                 "facets": {"namespace": sorted(map(str, attribute.namespace))}}
            continue
        out[f"{path}/@{attribute.name}"] = {"kind": "attribute", "min": 1 if attribute.use == "required" else 0,
                                            "max": 0 if attribute.use == "prohibited" else 1,
                                            **_type(attribute.type)}
    if element.type.has_complex_content():
        for child in element.type.content.iter_elements():
            if child.name is None:  # xs:any: any element of these namespaces
                out[f"{path}/*"] = {"kind": "element", "min": child.min_occurs,
                                    "max": UNBOUNDED if child.max_occurs is None else child.max_occurs,
                                    "type": "any", "facets": {"namespace": sorted(map(str, child.namespace))}}
                continue
            _element(child, f"{path}/{child.name}", out, depth + 1)


def _type(xsd_type: Any) -> dict[str, Any]:
    """A type as the comparison sees it: the nearest named type, the content model, the facets."""
    if xsd_type.is_complex():
        content = xsd_type.content
        model = getattr(content, "model", None) if xsd_type.has_complex_content() else None
        simple = xsd_type.content if xsd_type.has_simple_content() else None
        record: dict[str, Any] = {"type": "complex", "content": xsd_type.content_type_label,
                                  "model": model, "mixed": bool(xsd_type.mixed)}
        if simple is not None:
            record.update({"type": "complex/" + _named(simple), "facets": _facets(simple)})
        return record
    return {"type": _named(xsd_type), "facets": _facets(xsd_type)}


def _named(xsd_type: Any) -> str:
    t = xsd_type
    while t is not None and not t.name:
        t = getattr(t, "base_type", None)
    if t is None:
        return "anonymous"
    return t.prefixed_name if hasattr(t, "prefixed_name") and t.prefixed_name else str(t.name)


def _facets(xsd_type: Any) -> dict[str, Any]:
    """The facets declared on the anonymous restrictions between a type and its nearest named base."""
    found: dict[str, Any] = {}
    t = xsd_type
    while t is not None and not t.name:
        for key, facet in (getattr(t, "facets", None) or {}).items():
            if key is None:
                continue
            local = key.rsplit("}", 1)[-1]
            if local in found:
                continue
            if local == "enumeration":
                found[local] = sorted(str(v) for v in facet.enumeration)
            elif local == "pattern":
                found[local] = sorted(str(p) for p in facet.regexps)
            else:
                found[local] = str(facet.value)
        t = getattr(t, "base_type", None)
    return found


# --------------------------------------------------------------------------------------- comparison
_LOWER_BOUNDS = ("minInclusive", "minExclusive", "minLength")
_UPPER_BOUNDS = ("maxInclusive", "maxExclusive", "maxLength", "totalDigits", "fractionDigits")


def compare_dirs(a: str | Path, b: str | Path) -> list[Change]:
    return compare(describe(a), describe(b))


def compare(a: dict[str, dict[str, Any]], b: dict[str, dict[str, Any]]) -> list[Change]:
    """Every difference between two flattened schema sets, most severe first."""
    changes: list[Change] = []
    for path, ca in a.items():
        op = _operation(path)
        if path not in b:
            changes.append(Change("xsd_component_gone", op, path, ca["kind"], None,
                                  detail=f"{ca['kind']} {_leaf(path)} is no longer declared"))
            continue
        changes.extend(_component_changes(op, path, ca, b[path]))
    for path, cb in b.items():
        parent = _parent(path)
        if path in a or (parent and parent not in a):
            continue  # a whole new subtree is reported once, at its top
        if not parent:
            changes.append(Change("xsd_optional_added", _operation(path), path, None, cb["kind"],
                                  detail=f"new global element {_leaf(path)}"))
            continue
        required = cb["min"] >= 1
        changes.append(Change("xsd_required_added" if required else "xsd_optional_added", _operation(path),
                              path, None, cb["kind"],
                              detail=f"new {'required' if required else 'optional'} {cb['kind']} {_leaf(path)}"))
    return sorted(changes, key=lambda c: (SEVERITY_ORDER[c.severity], c.operation, c.field, c.kind))


def _component_changes(op: str, path: str, ca: dict[str, Any], cb: dict[str, Any]) -> list[Change]:
    found: list[Change] = []
    leaf = _leaf(path)

    def add(kind: str, before: Any, after: Any, detail: str) -> None:
        found.append(Change(kind, op, path, before, after, detail=detail))

    for key in ("type", "content", "model", "mixed"):
        if ca.get(key) != cb.get(key):
            add("xsd_type_changed", ca.get(key), cb.get(key), f"{leaf}: {key} {ca.get(key)} → {cb.get(key)}")
    if ca["min"] != cb["min"]:
        widened = cb["min"] < ca["min"]
        add("xsd_widened" if widened else "xsd_narrowed", ca["min"], cb["min"],
            f"{leaf}: {'may now be missing' if widened else 'now required'} (minOccurs {ca['min']} → {cb['min']})")
    if ca["max"] != cb["max"]:
        widened = cb["max"] == UNBOUNDED or (ca["max"] != UNBOUNDED and cb["max"] > ca["max"])
        add("xsd_widened" if widened else "xsd_narrowed", ca["max"], cb["max"],
            f"{leaf}: maxOccurs {ca['max']} → {cb['max']}")
    fa, fb = ca.get("facets") or {}, cb.get("facets") or {}
    for facet in sorted(set(fa) | set(fb)):
        before, after = fa.get(facet), fb.get(facet)
        if before == after:
            continue
        kind = _facet_kind(facet, before, after)
        add(kind, before, after, f"{leaf}: {facet} {_shown(before)} → {_shown(after)}")
    return found


def _facet_kind(facet: str, before: Any, after: Any) -> str:
    """Widened, narrowed, or merely changed: whether B's value space contains A's or the reverse."""
    if after is None:
        return "xsd_widened"  # a restriction dropped
    if before is None:
        return "xsd_narrowed"  # a restriction added
    if facet == "enumeration":
        added, removed = set(after) - set(before), set(before) - set(after)
        if added:
            return "xsd_widened"  # a value outside A's documented enumeration
        return "xsd_narrowed" if removed else "xsd_facet_changed"
    try:
        old, new = float(before), float(after)
    except (TypeError, ValueError):
        return "xsd_facet_changed"
    if facet in _LOWER_BOUNDS:
        return "xsd_widened" if new < old else "xsd_narrowed"
    if facet in _UPPER_BOUNDS:
        return "xsd_widened" if new > old else "xsd_narrowed"
    return "xsd_facet_changed"


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, list):
        return "{" + ", ".join(value) + "}"
    return str(value)


def _steps(path: str) -> list[str]:
    from ecekit.diff.normalise import steps

    return steps(path)


def _parent(path: str) -> str:
    parts = _steps(path)
    return "/" + "/".join(parts[:-1]) if len(parts) > 1 else ""


def _leaf(path: str) -> str:
    from ecekit.diff.normalise import field_name

    if path.endswith("*"):
        return "(any attribute)" if path.endswith("@*") else "(any element)"
    return field_name(path) if not path.rsplit("/", 1)[-1].startswith("@") else "@" + field_name(path)


def _operation(path: str) -> str:
    """The operation whose document a path belongs to (by its root), else the root's name."""
    steps = _steps(path)
    root = steps[0] if steps else path
    for op in operations.OPERATIONS:
        if root in (op.response_root, op.request_root, f"{{{operations.CHAT_NS}}}{op.request_root}"):
            return op.name
    return root
