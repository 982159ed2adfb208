"""What a difference means for a web page that calls the API: the rules, as data, in one place.

Every difference found between two snapshots (or two XSD sets) is a :class:`Change` of one *kind*;
:data:`RULES` gives each kind its severity and the reason, and docs/diff.md prints the same table (a
test keeps them in step). The severities:

* **breaking** — a page that worked against A can fail against B: a field gone, a type changed, a
  value outside the documented enumeration, a status or content type changed, a contract that passed
  and now fails;
* **slower** — a latency percentile worse than A's by more than the tolerance (default 20%, and at
  least 5 ms, so that a 1 ms answer becoming 1.4 ms is not news);
* **compatible** — a difference a page does not notice: a new optional element, another namespace
  prefix, a value changed within its type (a queue depth is not a regression), a contract that now
  passes.

Latency within the tolerance and identical answers are not differences at all: two snapshots of the
same server diff as empty.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ecekit import operations


class Severity(StrEnum):
    BREAKING = "breaking"
    SLOWER = "slower"
    COMPATIBLE = "compatible"


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of difference and what it means for a page that calls the API."""

    kind: str
    severity: Severity
    when: str


_B, _S, _C = Severity.BREAKING, Severity.SLOWER, Severity.COMPATIBLE

RULES: tuple[Rule, ...] = (
    # --- answers (snapshots)
    Rule("transport_failed", _B, "an answer that arrived in A times out, is dropped or is over the size cap in B"),
    Rule("status_changed", _B, "the HTTP status code differs"),
    Rule("content_type_changed", _B, "the media type of the answer differs (application/xml → text/html)"),
    Rule("xml_broken", _B, "a well-formed body in A is not XML, or has a DOCTYPE, in B"),
    Rule("root_changed", _B, "the root element differs (by namespace URI and local name)"),
    Rule("element_gone", _B, "an element of A's answer is missing from B's"),
    Rule("attribute_gone", _B, "an attribute of A's answer is missing from B's"),
    Rule("type_changed", _B, "a value of its documented type in A is not of that type in B (available=\"yes\", count "
         "-1)"),
    Rule("value_outside_enumeration", _B, "an enumerated value (responseType, reason) is outside the documented "
         "enumeration in B"),
    Rule("contract_broken", _B, "a contract check that passed (or did not apply) in A fails in B"),
    Rule("contract_new_violation", _B, "a check failing in both has a violation in B that A did not have"),
    Rule("consistency_broken", _B, "a consistency rule that held in A is contradicted on every read in B"),
    Rule("json_broken", _B, "a JSON answer in A is not JSON in B: another media type (JSON no longer served), "
         "a body that does not parse, or not an object"),
    Rule("json_nesting_changed", _B, "the JSON fields moved: flat in A, nested under the root's name in B, or back"),
    Rule("json_field_gone", _B, "a field of A's JSON answer is missing from B's"),
    Rule("json_disagrees", _B, "a JSON field that carried the XML answer's value in A differs from it on every "
         "read in B"),
    Rule("latency_slower", _S, "a latency percentile (p50, p90) is worse by more than the tolerance"),
    Rule("element_added", _C, "B's answer has an element A's did not (a new optional element)"),
    Rule("attribute_added", _C, "B's answer has an attribute A's did not (a new optional attribute)"),
    Rule("json_field_added", _C, "B's JSON answer has a field A's did not"),
    Rule("prefix_changed", _C, "a namespace is bound to another prefix (elements compare by URI, never prefix)"),
    Rule("optional_field_gone", _C, "a documented optional field (chatAllowed's reason) is absent in B: the guide "
         "sends it only in some states"),
    Rule("value_changed", _C, "a value changed within its type (a queue depth, a wait time)"),
    Rule("charset_changed", _C, "the charset parameter of the content type differs"),
    Rule("latency_faster", _C, "a latency percentile is better by more than the tolerance"),
    Rule("repaired", _C, "something broken in A works in B (a transport failure, a type, a failing check)"),
    Rule("not_compared", _C, "an operation, an entry point or the JSON answers are only in one snapshot (one taken "
         "before ecekit recorded JSON), so they were not compared"),
    Rule("schemas_differ", _C, "the snapshots were judged against different XSD files (see the hashes)"),
    # --- schemas (ecekit diff --xsd)
    Rule("xsd_component_gone", _B, "an element or attribute declared in A is not declared in B"),
    Rule("xsd_required_added", _B, "B requires an element or attribute A did not declare: A's documents are invalid "
         "under B"),
    Rule("xsd_type_changed", _B, "the declared type or content model differs"),
    Rule("xsd_widened", _B, "B allows values or occurrences A did not (a new enumeration value, a lower minimum, a "
         "higher maxOccurs, minOccurs 0)"),
    Rule("xsd_facet_changed", _B, "a facet changed in a way that is neither a plain widening nor narrowing (a "
         "pattern, a length)"),
    Rule("xsd_optional_added", _C, "B declares a new optional element or attribute"),
    Rule("xsd_narrowed", _C, "B allows a subset of what A allowed (an enumeration value dropped, a higher minimum): "
         "every B answer is valid for A"),
)
BY_KIND: dict[str, Rule] = {rule.kind: rule for rule in RULES}


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between A and B, located by operation, entry point and field."""

    kind: str
    operation: str
    field: str
    before: Any = None
    after: Any = None
    entry_point: str | None = None
    detail: str = ""
    extra: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in BY_KIND:
            raise KeyError(f"no rule for kind {self.kind!r}")

    @property
    def severity(self) -> Severity:
        return BY_KIND[self.kind].severity

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "severity": self.severity.value, "operation": self.operation,
                "entry_point": self.entry_point, "field": self.field, "before": self.before,
                "after": self.after, "detail": self.detail, **self.extra}


@dataclass(frozen=True, slots=True)
class Tolerance:
    """How much worse a latency percentile may be before it is *slower*: a ratio and a floor."""

    ratio: float = 0.20
    floor_ms: float = 5.0

    def allowed(self, before_ms: float) -> float:
        return max(before_ms * self.ratio, self.floor_ms)


ENUMERATED = frozenset({operations.FieldType.RESPONSE_TYPE.value, operations.FieldType.REASON.value})


def value_kind(va: dict[str, Any], vb: dict[str, Any]) -> str | None:
    """The kind of change from one recorded value to another (XML or JSON alike), None when equal.

    A JSON value that came as another JSON type (``3`` → ``"3"``) changed its type even when it reads
    as the same count: a script adding to it would now concatenate."""
    if va == vb:
        return None
    valid_a, valid_b = va.get("valid", True), vb.get("valid", True)
    same_json_type = va.get("json_type") == vb.get("json_type")
    if va["type"] != vb["type"] or (valid_a and not valid_b):
        if vb["type"] in ENUMERATED and va["type"] == vb["type"] and same_json_type:
            return "value_outside_enumeration"
        return "type_changed"
    if valid_b and not valid_a:
        return "repaired"
    return "value_changed" if same_json_type else "type_changed"


def optional_field(op: str, value: dict[str, Any]) -> bool:
    """A documented field the guide sends only in some states (chatAllowed's reason)."""
    name = value.get("field")
    operation = operations.BY_NAME.get(op)
    if name is None or operation is None:
        return False
    return not operation.field(name).required


SEVERITY_ORDER = {Severity.BREAKING: 0, Severity.SLOWER: 1, Severity.COMPATIBLE: 2}


def counts(changes: list[Change]) -> dict[str, int]:
    return {s.value: sum(1 for c in changes if c.severity is s) for s in Severity}


def ratio(value: str) -> float:
    """``20%`` or ``0.2`` -> 0.2; ValueError saying what is expected otherwise."""
    text = value.strip()
    try:
        found = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        found = -1.0
    if not found >= 0:
        raise ValueError(f"{value!r} is not a percentage; write e.g. 20% or 0.2")
    return found
