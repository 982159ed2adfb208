"""summary.md: the few lines a CI job summary shows, from the same view as report.html.

GitHub renders ``$GITHUB_STEP_SUMMARY`` as Markdown on the run's page; GitLab and Jenkins keep the
file as an artifact. It says the verdict, what broke (or the SLOs), and where the full report is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ecekit.report import views
from ecekit.report.views import NONE

_ICON = {"passed": "✅", "failed": "❌", "nothing checked": "⚠️"}
_TONE_ICON = {"good": "✅", "bad": "❌", "same": "\u2796", "unsure": "⚠️"}  # a comparison's verdicts
MAX_LINES = 20  # a job summary is a glance, the report has the rest


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")[:200]


def render(kind: str, data: Mapping[str, Any], *, report: str = "report.html") -> str:
    view = getattr(views, kind)(data)
    icon = _TONE_ICON.get(view["tone"], "") if "tone" in view else _ICON.get(view["verdict"], "")
    lines = [f"### {icon} {_cell(view['title'])}", ""]
    if kind == "check":
        if view["broken"]:
            lines += ["| check | operation | entry points | example |", "|---|---|---|---|"]
            lines += [f"| {_cell(b['check'])} | {_cell(b['operation'])} | {_cell(', '.join(b['entry_points']))} "
                      f"| {_cell(b['headline'])} |" for b in view["broken"][:MAX_LINES]]
        for f in view["findings"][:MAX_LINES]:
            lines.append(f"- finding **{_cell(f.get('check'))}**: {_cell(f.get('message') or f.get('headline'))}")
    elif kind == "load":
        if view["slos"]:
            lines += ["| SLO | limit | actual | verdict |", "|---|---|---|---|"]
            lines += [f"| {_cell(c['name'])} | {c['limit']:g} {c.get('unit', '')} | "
                      f"{NONE if c.get('actual') is None else c['actual']} {c.get('unit', '')} | "
                      f"{'held' if c['passed'] else '**BREACHED**'} |" for c in view["slos"]]
        total = view["total"]
        if total:
            lat = total.get("latency_ms", {})
            lines += ["", f"{total.get('requests', 0)} requests, {total.get('failures', 0)} failures, "
                      f"{total.get('contract_violations', 0)} contract violations; p50 {lat.get('p50')} ms, "
                      f"p95 {lat.get('p95')} ms, p99 {lat.get('p99')} ms"]
    elif kind == "fuzz":
        for f in view["failures"][:MAX_LINES]:
            lines.append(f"- **{_cell(f.get('kind'))}**: {_cell(f.get('headline') or f.get('description'))}")
    elif kind == "capacity":
        lines += ["| rate | achieved | p95 (ms) | error rate | SLO |", "|---|---|---|---|---|"]
        for s in view["steps"][:MAX_LINES]:
            err = s.get("error_rate")
            shown = NONE if err is None else f"{100 * err:.2f} %"
            lines.append(f"| {s.get('rate')} | {s.get('achieved_rps')} | {s.get('p95')} | {shown} | "
                         f"{s.get('verdict') or ('held' if s.get('passed') else 'breached')} |")
    elif kind == "diff":
        differences = [ln for s in ("breaking", "slower") for ln in view["lines"][s]][:MAX_LINES]
        if differences:
            lines += ["| severity | operation | entry points | field | what |", "|---|---|---|---|---|"]
            lines += [f"| {ln['severity']} | {_cell(ln['operation'])} | {_cell(', '.join(ln['entry_points']))} "
                      f"| {_cell(ln['field'])} | {_cell(ln['kind'].replace('_', ' '))}: {_cell(ln['what'])} |"
                      for ln in differences]
        lines += ["", view["summary"]]
    elif kind == "compare":
        lines += _compare_lines(view)
    lines += ["", f"Full report: `{report}`", ""]
    return "\n".join(lines)


def _compare_lines(view: dict[str, Any]) -> list[str]:
    """One line per operation (each row's before → after and change), or per side of a capacity
    comparison, then the notes that qualify the verdict."""
    lines: list[str] = []
    if view["capacity"]:
        lines += [f"- **{_cell(label)}**: {_cell(before)} → {_cell(after)}" for label, before, after in view["sides"]]
    for op in view["operations"][:MAX_LINES]:
        rows = "; ".join(f"{r['metric']} {r['before']} → {r['after']} ({r['change']})" for r in op["rows"])
        lines.append(f"- **{_cell(op['name'])}** {op['verdict']}: {_cell(rows)}")
    lines += [f"- note: {_cell(n)}" for n in view["notes"]]
    return lines
