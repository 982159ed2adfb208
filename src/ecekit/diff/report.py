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


_DETAIL_KINDS = ("latency", "not_compared", "contract", "consistency", "schemas_differ", "xsd_")


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
    groups: dict[tuple[str, str, str, str, str], list[str]] = {}
    for c in changes:
        key = (c.severity.value, c.operation, c.field, c.kind,
               _what(c) if not c.kind.startswith("latency") else "")
        groups.setdefault(key, []).append(c.entry_point or "")
    for (severity, operation, field, kind, what), eps in groups.items():
        where = f" [{', '.join(e for e in eps if e)}]" if any(eps) else ""
        if kind.startswith("latency"):
            worst = [c for c in changes if (c.operation, c.field, c.kind) == (operation, field, kind)]
            what = "; ".join(f"{c.entry_point}: {c.detail}" for c in worst[:3]) + (
                f"; +{len(worst) - 3} more" if len(worst) > 3 else "")
            where = f" [{len(eps)} entry points]" if len(eps) > 1 else where
        lines.append(f"{severity.upper():<10} {operation}{where} {field}: {kind.replace('_', ' ')}: {what}")
    n = counts(changes)
    lines.append(", ".join(f"{n[s.value]} {s.value}" for s in Severity))
    return "\n".join(lines) + "\n"


def as_json(changes: list[Change], a_label: str, b_label: str) -> str:
    document = {"schema_version": DIFF_SCHEMA_VERSION, "a": a_label, "b": b_label,
                "counts": counts(changes), "changes": [c.as_dict() for c in changes]}
    return json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False, default=str) + "\n"
