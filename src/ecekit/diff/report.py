"""A diff for people (text, one line per difference, identical differences across entry points
folded into one) and for machines (JSON, every difference on its own). The folding is the reports'
own (:func:`ecekit.report.views.diff_lines`), so the terminal, report.html and summary.md agree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ecekit.__about__ import __version__
from ecekit.diff.classify import Change, Severity, counts
from ecekit.report.views import diff_lines

DIFF_SCHEMA_VERSION = 1


def document(changes: list[Change], a_label: str, b_label: str, **settings: Any) -> dict[str, Any]:
    """The diff as data: what diff.json holds and report.html is rendered from."""
    return {"schema_version": DIFF_SCHEMA_VERSION, "ecekit_version": __version__, "a": a_label,
            "b": b_label, "counts": counts(changes), "changes": [c.as_dict() for c in changes], **settings}


def publish(changes: list[Change], a_label: str, b_label: str, out: str | Path | None = None,
            **settings: Any) -> dict[str, str]:
    """Write diff.json, report.html and summary.md to ``out`` (default ``reports/diff-<timestamp>/``)."""
    from ecekit.report import publish as files

    folder = Path(out) if out else files.default_out("diff")
    data = document(changes, a_label, b_label, **settings)
    written = {"json": str(files.write_json(data, folder / "diff.json"))}
    written.update({k: str(v) for k, v in files.write_reports("diff", data, folder).items()})
    return written


def text(changes: list[Change], a_label: str, b_label: str) -> str:
    """The report a person reads: a heading, the differences by severity, a count line."""
    lines = [f"ecekit diff: A = {a_label}", f"             B = {b_label}"]
    if not changes:
        lines.append("no differences")
        return "\n".join(lines) + "\n"
    for ln in diff_lines([c.as_dict() for c in changes]):
        where = f" [{', '.join(ln['entry_points'])}]" if ln["entry_points"] else ""
        lines.append(f"{ln['severity'].upper():<10} {ln['operation']}{where} {ln['field']}: "
                     f"{ln['kind'].replace('_', ' ')}: {ln['what']}")
    n = counts(changes)
    lines.append(", ".join(f"{n[s.value]} {s.value}" for s in Severity))
    return "\n".join(lines) + "\n"


def as_json(changes: list[Change], a_label: str, b_label: str, **settings: Any) -> str:
    return json.dumps(document(changes, a_label, b_label, **settings), sort_keys=True, indent=2,
                      ensure_ascii=False, default=str) + "\n"
