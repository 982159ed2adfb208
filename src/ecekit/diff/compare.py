"""Comparing two snapshots answer by answer; each difference becomes a classified Change.

The comparison walks A's answers in the order of :data:`ecekit.operations.STATUS_OPERATIONS` and the
entry points as A lists them; what only one side has is reported as ``not_compared``, never skipped in
silence. A body is compared field by field only when both answers are successes (a 500's error
document against a valid answer would only repeat the status change). The JSON answers are compared
as the XML ones (:mod:`ecekit.diff.compare_json`) when both snapshots hold them; a snapshot taken
before ecekit recorded JSON is one compatible ``not_compared`` finding, not a failure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ecekit import operations
from ecekit.diff import snapshot
from ecekit.diff.classify import SEVERITY_ORDER, Change, Severity, Tolerance, optional_field, value_kind
from ecekit.diff.compare_json import json_changes
from ecekit.diff.normalise import field_name
from ecekit.diff.snapshot import PERCENTILES, verdict
from ecekit.errors import UsageError

_ORDER = {op.name: i for i, op in enumerate(operations.OPERATIONS)}


def compare(a: dict[str, Any], b: dict[str, Any], tolerance: Tolerance | None = None) -> list[Change]:
    """Every difference between snapshots ``a`` and ``b``, most severe first."""
    tolerance = tolerance or Tolerance()
    changes: list[Change] = []
    a_xsd, b_xsd = (dict((s.get("xsd") or {}).get("hashes") or {}) for s in (a, b))
    if a_xsd != b_xsd:
        names = sorted(n for n in set(a_xsd) | set(b_xsd) if a_xsd.get(n) != b_xsd.get(n))
        changes.append(Change("schemas_differ", "-", "xsd", None, None,
                              detail=f"verdicts were judged against different schemas: {', '.join(names)}"))
    a_answers, b_answers = a["answers"], b["answers"]
    with_json = holds_json(a) and holds_json(b)
    if holds_json(a) != holds_json(b):
        side = "A (before)" if holds_json(b) else "B (after)"
        changes.append(Change("not_compared", "-", "JSON answers", detail=(
            f"JSON answers not recorded in {side}: a snapshot taken before ecekit recorded them; the XML "
            "answers were compared alone")))
    for op_name in sorted(set(a_answers) | set(b_answers), key=lambda n: (_ORDER.get(n, 99), n)):
        a_eps, b_eps = a_answers.get(op_name, {}), b_answers.get(op_name, {})
        for ep in list(a_eps) + [e for e in b_eps if e not in a_eps]:
            if ep not in b_eps or ep not in a_eps:
                side = "A" if ep in a_eps else "B"
                changes.append(Change("not_compared", op_name, "answer", entry_point=ep,
                                      detail=f"only snapshot {side} read it"))
                continue
            changes.extend(answer_changes(op_name, ep, a_eps[ep], b_eps[ep], with_json=with_json))
    changes.extend(_consistency(a.get("consistency") or {}, b.get("consistency") or {}))
    a_latency, b_latency = a.get("latency_ms") or {}, b.get("latency_ms") or {}
    for op_name in a_latency:
        if op_name in b_latency:
            changes.extend(_latency_changes(op_name, a_latency[op_name], b_latency[op_name], tolerance))
    return sorted(changes, key=lambda c: (SEVERITY_ORDER[c.severity], _ORDER.get(c.operation.split("+")[0], 99),
                                          c.entry_point or "", c.field, c.kind))


def holds_json(snap: dict[str, Any]) -> bool:
    """Whether a snapshot recorded JSON answers (those written before ecekit did hold none)."""
    return any("json" in answer for eps in snap["answers"].values() for answer in eps.values())


def answer_changes(op: str, ep: str, a: dict[str, Any], b: dict[str, Any], *, with_json: bool = True) -> list[Change]:
    """The differences of one (operation, entry point) answer; its JSON answers too when ``with_json``."""
    ra, rb = a["response"], b["response"]
    found: list[Change] = []

    def add(kind: str, field: str, before: Any = None, after: Any = None, detail: str = "") -> None:
        found.append(Change(kind, op, field, before, after, ep, detail))

    if ra["transport"] != rb["transport"]:
        if rb["transport"] is not None:
            add("transport_failed", "transport", ra["transport"], rb["transport"])
        else:
            add("repaired", "transport", ra["transport"], None, "answers arrive again")
    if ra["transport"] is None and rb["transport"] is None:
        found.extend(_response_changes(op, ep, ra, rb))
    found.extend(_check_changes(op, ep, a["checks"], b["checks"]))
    if with_json and "json" in a and "json" in b:
        found.extend(json_changes(op, ep, a, b))
    elif with_json and ("json" in a or "json" in b):
        add("not_compared", "JSON answer", detail=f"only snapshot {'A' if 'json' in a else 'B'} read it")
    return found


def _response_changes(op: str, ep: str, ra: dict[str, Any], rb: dict[str, Any]) -> list[Change]:
    found: list[Change] = []

    def add(kind: str, field: str, before: Any = None, after: Any = None, detail: str = "") -> None:
        found.append(Change(kind, op, field, before, after, ep, detail))

    if ra["status"] != rb["status"]:
        add("status_changed", "status", ra["status"], rb["status"])
    if ra["content_type"] != rb["content_type"]:
        add("content_type_changed", "content_type", ra["content_type"], rb["content_type"])
    elif ra["charset"] != rb["charset"]:
        add("charset_changed", "charset", ra["charset"], rb["charset"])
    both_success = all(isinstance(r["status"], int) and 200 <= r["status"] < 300 for r in (ra, rb))
    if not both_success:
        return found
    if ra["xml"] != rb["xml"]:
        if ra["xml"] == "ok":
            add("xml_broken", "body", "well-formed XML", rb["xml"])
        elif rb["xml"] == "ok":
            add("repaired", "body", ra["xml"], "well-formed XML")
    if ra["root"] is not None and rb["root"] is not None and ra["root"] != rb["root"]:
        add("root_changed", "root", ra["root"], rb["root"])
    for kind, key in (("element", "elements"), ("attribute", "attributes")):
        before, after = ra[key], rb[key]
        for path in before:
            if path not in after:
                if rb["xml"] == "ok" or ra["xml"] == "ok":
                    gone = "optional_field_gone" if optional_field(op, before[path]) else f"{kind}_gone"
                    add(gone, field_name(path), before[path].get("value"), None, path)
                continue
            change = value_kind(before[path], after[path])
            if change is not None:
                add(change, field_name(path), before[path].get("value"), after[path].get("value"), path)
        for path in after:
            if path not in before:
                add(f"{kind}_added", field_name(path), None, after[path].get("value"), path)
    moved = {uri: (prefix, rb["prefixes"][uri]) for uri, prefix in ra["prefixes"].items()
             if uri in rb["prefixes"] and rb["prefixes"][uri] != prefix}
    if moved:
        add("prefix_changed", "namespace prefixes", {u: p[0] for u, p in moved.items()},
            {u: p[1] for u, p in moved.items()},
            ", ".join(f"{a or '(default)'} → {b or '(default)'}" for a, b in sorted(moved.values())))
    return found


def _check_changes(op: str, ep: str, a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    found = []
    for name in sorted({*a["pass"], *a["skip"], *a["fail"], *b["pass"], *b["skip"], *b["fail"]}):
        before, after = verdict(a, name), verdict(b, name)
        violations = b["fail"].get(name, [])
        if after == "fail" and before != "fail":
            found.append(Change("contract_broken", op, _violation_field(violations, name), before, "fail", ep,
                                _violation_text(violations), {"check": name}))
        elif before == "fail" and after == "pass":
            found.append(Change("repaired", op, f"check {name}", "fail", "pass", ep, f"check {name} passes now",
                                {"check": name}))
        elif before == after == "fail":
            old = {(v["xpath"], v["message"]) for v in a["fail"][name]}
            new = [v for v in violations if (v["xpath"], v["message"]) not in old]
            if new:
                found.append(Change("contract_new_violation", op, _violation_field(new, name), "fail", "fail",
                                    ep, _violation_text(new), {"check": name}))
    return found


def _violation_field(violations: list[dict[str, Any]], check: str) -> str:
    """The field a failing check points at (the last step of its XPath), else the check's name."""
    xpaths = [v["xpath"] for v in violations if v.get("xpath")]
    if not xpaths:
        return f"check {check}"
    steps = dict.fromkeys(x.rstrip("/").rsplit("/", 1)[-1].lstrip("@").split(":")[-1] for x in xpaths)
    return f"check {check}: " + ", ".join(steps)


def _violation_text(violations: list[dict[str, Any]]) -> str:
    messages = [v["message"] for v in violations]
    return "; ".join(messages[:3]) + (f" (+{len(messages) - 3} more)" if len(messages) > 3 else "")


def _latency_changes(op: str, a: dict[str, Any], b: dict[str, Any], tolerance: Tolerance) -> list[Change]:
    """Per operation, over every read of every entry point: a larger sample than one answer's reads,
    so that one slow read on a busy machine does not make a server "slower"."""
    found = []
    for p in PERCENTILES:
        key = f"p{p}"
        if key not in a or key not in b:
            continue
        before, after = float(a[key]), float(b[key])
        allowed = tolerance.allowed(before)
        if after - before > allowed:
            kind = "latency_slower"
        elif before - after > tolerance.allowed(after):
            kind = "latency_faster"
        else:
            continue
        found.append(Change(kind, op, f"latency {key}", before, after, None,
                            f"{before:.1f} ms → {after:.1f} ms over {b.get('reads', '?')} reads "
                            f"(tolerance {allowed:.1f} ms)"))
    return found


def _consistency(a: dict[str, dict[str, str]], b: dict[str, dict[str, str]]) -> list[Change]:
    from ecekit.checks.consistency import BY_NAME

    found = []
    for ep in a:
        for rule, before in a[ep].items():
            after = b.get(ep, {}).get(rule)
            if after is None or after == before:
                continue
            ops = "+".join(o.name for o in BY_NAME[rule].operations) if rule in BY_NAME else "consistency"
            if after == "fail":
                found.append(Change("consistency_broken", ops, f"consistency {rule}", before, after, ep,
                                    BY_NAME[rule].text if rule in BY_NAME else ""))
            elif before == "fail":
                found.append(Change("repaired", ops, f"consistency {rule}", before, after, ep))
    return found


@dataclass(frozen=True)
class Diff:
    """What changed from snapshot A to snapshot B, each change classified (docs/diff.md)."""

    changes: list[Change]
    labels: tuple[str, str] = ("A", "B")

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.severity is Severity.BREAKING]

    @property
    def slower(self) -> list[Change]:
        return [c for c in self.changes if c.severity is Severity.SLOWER]

    @property
    def passed(self) -> bool:
        """Nothing breaking."""
        return not self.breaking

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    def text(self) -> str:
        from ecekit.diff import report

        return report.text(self.changes, *self.labels)

    def to_dict(self) -> dict[str, Any]:
        from ecekit.diff import report

        return report.document(self.changes, *self.labels)


def diff_snapshots(a: Any, b: Any, *, tolerance: Tolerance | None = None) -> Diff:
    """Compare snapshot A (before) with B (after): each a :class:`~ecekit.diff.snapshot.Snapshot`, its
    JSON document, or the path of a file ``ecekit snapshot`` wrote."""
    def document(side: Any) -> tuple[dict[str, Any], str]:
        if isinstance(side, snapshot.Snapshot):
            return side.data, f"snapshot taken {side.data.get('taken_at', '?')}"
        if isinstance(side, dict):
            return side, f"snapshot taken {side.get('taken_at', '?')}"
        return snapshot.load(side), str(side)

    (first, a_label), (second, b_label) = document(a), document(b)
    return Diff(compare(first, second, tolerance), (a_label, b_label))


def diff_sides(a: str, b: str, options: dict[str, Any], *, reads: int, tolerance: Tolerance, xsd: bool = False,
               say: Callable[[str], None] | None = None) -> Diff:
    """``ecekit diff A B``: two XSD directories (``xsd``), or two sides that are each a snapshot file, a
    URL or ``embedded`` (snapshotted now with the target ``options``; see :func:`snapshot.side`)."""
    if xsd:
        from ecekit.diff import xsdiff

        return Diff(xsdiff.compare_dirs(a, b), (f"XSDs in {a}", f"XSDs in {b}"))
    if options.get("base_url"):
        raise UsageError("--base-url does not apply to ecekit diff",
                         remedy="give the URLs as A and B: ecekit diff before.json https://ece…/system")
    first, a_label = snapshot.side(a, options, reads, say=say)
    second, b_label = snapshot.side(b, options, reads, say=say)
    return Diff(compare(first, second, tolerance), (a_label, b_label))
