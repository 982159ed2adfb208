"""A diff for people (text, one line per difference, identical differences across entry points
folded into one) and for machines (JSON, every difference on its own)."""

from __future__ import annotations

import json
from typing import Any

from ecekit.diff.classify import Change, Severity, counts

DIFF_SCHEMA_VERSION = 1


def _shown(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


_DETAIL_KINDS = ("latency", "not_compared", "contract", "consistency", "schemas_differ", "xsd_",
                 "prefix_changed")


def _what(change: Change) -> str:
    """What changed, in a few words: before → after, or the change's own description."""
    if change.kind.startswith(_DETAIL_KINDS) and change.detail:
        return change.detail
    return f"{_shown(change.before)} → {_shown(change.after)}"


def text(changes: list[Change], a_label: str, b_label: str) -> str:
    """The report a person reads: a heading, the differences by severity, a count line."""
    lines = [f"ecekit diff: A = {a_label}", f"             B = {b_label}"]
    if not changes:
        lines.append("no differences")
        return "\n".join(lines) + "\n"
    groups: dict[tuple[str, str, str, str], list[Change]] = {}
    for c in changes:  # the same difference on several entry points is one line
        groups.setdefault((c.severity.value, c.operation, c.field, c.kind), []).append(c)
    for (severity, operation, field, kind), same in groups.items():
        eps = [c.entry_point for c in same if c.entry_point]
        where = f" [{', '.join(eps)}]" if eps else ""
        whats = list(dict.fromkeys(_what(c) for c in same))
        if len(whats) == 1:
            what = whats[0]
        else:
            per = [f"{c.entry_point}: {_what(c)}" for c in same]
            what = "; ".join(per[:3]) + (f"; +{len(per) - 3} more" if len(per) > 3 else "")
        lines.append(f"{severity.upper():<10} {operation}{where} {field}: {kind.replace('_', ' ')}: {what}")
    n = counts(changes)
    lines.append(", ".join(f"{n[s.value]} {s.value}" for s in Severity))
    return "\n".join(lines) + "\n"


def as_json(changes: list[Change], a_label: str, b_label: str) -> str:
    document = {"schema_version": DIFF_SCHEMA_VERSION, "a": a_label, "b": b_label,
                "counts": counts(changes), "changes": [c.as_dict() for c in changes]}
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"
