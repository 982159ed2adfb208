"""The terminal text of a comparison: the verdict first, then a line per metric that says why."""

from __future__ import annotations

from typing import Any


def _latency(name: str, key: str, cell: dict[str, Any]) -> str:
    if cell.get("change_ms") is None:
        return f"  {name:<22}{key:<11} {cell['verdict']:<13}{cell.get('decide') or ''}"
    ci = cell.get("ci95_ms")
    interval = f"[{ci[0]:+.3f}, {ci[1]:+.3f}]" if ci else "[?]"
    line = (f"  {name:<22}{key:<11} {cell['verdict']:<13}{cell['before_ms']:>9.3f} -> {cell['after_ms']:<9.3f} ms "
            f"{cell['change_ms']:+.3f} ms {interval}")
    return line + (f"  ({cell['decide']})" if cell.get("decide") else "")


def _rate(name: str, key: str, cell: dict[str, Any]) -> str:
    ci = cell.get("ci95_pp")
    interval = f"[{ci[0]:+.3f}, {ci[1]:+.3f}]" if ci else "[?]"
    after = f"{100 * cell['after']:.3f}%"
    line = (f"  {name:<22}{key:<11} {cell['verdict']:<13}{100 * cell['before']:>8.3f}% -> "
            f"{after:<9}    {cell['change_pp']:+.3f} pp {interval}")
    return line + (f"  ({cell['decide']})" if cell.get("decide") else "")


def render(data: dict[str, Any]) -> str:
    if data["kind"] == "compare-capacity":
        b, a = data["before"], data["after"]
        lines = [f"verdict: the capacity limit {data['verdict'].upper()}",
                 f"  before: {b['max_sustainable_rate']} page views/s held, bracket {b['bracket']}, "
                 f"limited by {b['limited_by']}",
                 f"  after:  {a['max_sustainable_rate']} page views/s held, bracket {a['bracket']}, "
                 f"limited by {a['limited_by']}"]
        return "\n".join(lines + [f"note: {n}" for n in data.get("notes", [])])
    b, a, m = data["before"], data["after"], data["margin"]
    lines = [f"verdict: {data['verdict'].upper()}",
             f"before: {b['path']} ({b['runs']} run(s)); after: {a['path']} ({a['runs']} run(s)); "
             f"{b.get('profile')} profile at {b.get('offered_rate')} page views/s",
             f"95 % intervals of after - before; margin {100 * m['relative']:g} % (at least {m['absolute_ms']:g} ms), "
             f"errors {m['error_pp']:g} pp"]
    for section, label in (("operations", ""), ("outcomes", "visitors ")):
        for name, row in data.get(section, {}).items():
            for key, cell in row.items():
                if not isinstance(cell, dict) or "verdict" not in cell:
                    continue
                shown = label + name
                lines.append(_latency(shown, key, cell) if key.startswith("p") else _rate(shown, key, cell))
    return "\n".join(lines + [f"note: {n}" for n in data.get("notes", [])])
