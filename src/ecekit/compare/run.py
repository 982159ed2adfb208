"""``ecekit compare BEFORE AFTER`` as a library call: :func:`compare_runs`.

Exit codes: 0 not slower (faster, same or inconclusive; the limit did not move down), 1 slower beyond
the margin (or the capacity limit moved down), 2 the sides cannot be compared (other profile, other
rate, a generator that faltered: one line says why).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecekit.compare import capacity, loads
from ecekit.compare import verdict as v
from ecekit.compare.sides import CAPACITY, check_comparable, read_side


@dataclass(frozen=True)
class CompareResult:
    """compare.json as written (``data``) and where."""

    data: dict[str, Any]
    out: Path | None = None
    reports: dict[str, str] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        return str(self.data["verdict"])

    @property
    def exit_code(self) -> int:
        return 1 if self.verdict in (v.SLOWER, capacity.MOVED_DOWN) else 0


def compare_data(before: str | Path, after: str | Path, *, margin: float = v.DEFAULT_MARGIN,
                 margin_ms: float = v.MIN_MARGIN_MS, error_margin: float = v.ERROR_MARGIN) -> dict[str, Any]:
    """compare.json's content for two sides (each a load run's directory, a directory of runs, or a
    capacity run). Raises UsageError when the sides cannot be compared."""
    side_b, side_a = read_side(before), read_side(after)
    notes = check_comparable(side_b, side_a)
    if side_b.kind == CAPACITY:
        return capacity.compare(side_b, side_a)
    bounds = v.Margin(margin, margin_ms, error_margin)
    data: dict[str, Any] = {
        "kind": "compare", "before": side_b.describe(), "after": side_a.describe(), "margin": bounds.to_json(),
        "between_runs": len(side_b.runs) >= 2 or len(side_a.runs) >= 2,
        "operations": {name: loads.operation(side_b, side_a, name, bounds) for name in loads.names(side_b, side_a)},
        "outcomes": {w: loads.outcome(side_b, side_a, w, bounds) for w in loads.widgets(side_b, side_a)},
    }
    if not data["between_runs"]:
        notes.append("one run a side: run-to-run noise is not measured, so no change is called slower or "
                     "faster (ecekit load --repeat 5 on each side measures it)")
    data["verdict"] = v.overall(loads.verdicts_of(data))
    data["notes"] = notes
    return {"kind": data.pop("kind"), "verdict": data.pop("verdict"), **data}


def compare_runs(before: str | Path, after: str | Path, *, out: str | Path | None = None,
                 margin: float = v.DEFAULT_MARGIN, margin_ms: float = v.MIN_MARGIN_MS,
                 error_margin: float = v.ERROR_MARGIN) -> CompareResult:
    """Is ``after`` slower than ``before``? Each a load run's directory, a directory of runs (``ecekit
    load --repeat``) or a capacity run. Writes compare.json, report.html and summary.md to ``out``
    (default ``reports/compare-<timestamp>/``); raises UsageError for sides that are not the same load."""
    from ecekit.report.publish import default_out

    folder = Path(out) if out else default_out("compare")
    data = compare_data(before, after, margin=margin, margin_ms=margin_ms, error_margin=error_margin)
    return write(data, folder)


def write(data: dict[str, Any], folder: Path) -> CompareResult:
    """compare.json, report.html and summary.md in ``folder``."""
    from ecekit.report import publish
    from ecekit.writable import writable_dir

    writable_dir(folder, "--out")
    publish.write_json(data, folder / "compare.json")
    written = publish.write_reports("compare", data, folder)
    return CompareResult(data, folder, {k: str(p) for k, p in written.items()})
