"""The terminal summary of a contract run: failures grouped by check, then by operation.

pytest lists failures in collection order (by module); a person fixing a server wants to see "xsd is
broken on capacity for every entry point" at a glance, so the summary folds the failures into one
line per (check, operation) with the entry points affected, and a legend of what each check means.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from ecekit.report.results import CaseResult


def grouped(results: Iterable[CaseResult]) -> dict[str, dict[str, list[CaseResult]]]:
    """Failed results as {check: {operation: [results]}}, checks and operations sorted."""
    groups: dict[str, dict[str, list[CaseResult]]] = defaultdict(lambda: defaultdict(list))
    for result in results:
        if result.failed:
            groups[result.check][result.operation].append(result)
    return {check: dict(sorted(ops.items())) for check, ops in sorted(groups.items())}


def summary_lines(results: list[CaseResult], descriptions: dict[str, str] | None = None) -> list[str]:
    """The lines of the summary section (empty when nothing ran)."""
    if not results:
        return []
    counts: dict[str, int] = defaultdict(int)
    for result in results:
        counts[result.outcome] += 1
    totals = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
    groups = grouped(results)
    if not groups and not counts.get("passed"):
        reasons = Counter(r.headline for r in results if r.outcome == "skipped")
        lines = [f"nothing could be checked ({totals}): not one selected test passed or failed; why they "
                 "were skipped:"]
        lines += [f"  {n:>3}x {reason[:200]}" for reason, n in reasons.most_common(5)]
        return lines
    if not groups:
        return [f"all contract checks passed ({totals})"]
    lines = [f"contract failures by check and operation ({totals}):"]
    for check, ops in groups.items():
        about = (descriptions or {}).get(check, "")
        lines.append(f"  {check}" + (f"  — {about}" if about else ""))
        for op, failed in ops.items():
            eps = sorted({r.entry_point for r in failed if r.entry_point})
            where = f"  entry points: {', '.join(eps)}" if eps else ""
            lines.append(f"    {op:<34} {len(failed):>3} failed{where}")
            lines.append(f"      e.g. {failed[0].headline[:200]}")
    lines.append("details (expected, actual, XPath, body, curl line): the FAILURES section above")
    return lines


def finding_lines(results: list[CaseResult], how_to_fail: str = "") -> list[str]:
    """Findings (not failures), one line each, grouped by check; empty when there are none."""
    findings = [f for r in results for f in r.findings]
    if not findings:
        return []
    by_check: dict[str, list[str]] = defaultdict(list)
    for finding in findings:
        by_check[finding.check].append(finding.headline)
    lines = [f"findings, not failures ({len(findings)})" + (f"; {how_to_fail}" if how_to_fail else "") + ":"]
    for check, headlines in sorted(by_check.items()):
        lines.append(f"  {check}: {len(headlines)}")
        lines += [f"    {h[:200]}" for h in headlines]
    return lines
