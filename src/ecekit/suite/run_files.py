"""What a contract run leaves in its output directory: check.json, exchanges.har, report.html, summary.md.

check.json is the run's record (every test's verdict, each failure's violations and exchanges, the
target with secrets hidden, the seed, the XSD hashes); the page and the Markdown summary are rendered
from it, so ``ecekit report DIR`` can render them again later.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

from ecekit.report import publish, run_info
from ecekit.suite.session import Suite

SCHEMA_VERSION = 1


def check_data(suite: Suite) -> dict[str, Any]:
    options, log = suite.options, suite.exchanges.log
    data: dict[str, Any] = {**run_info.header(suite.target, faults=options.faults,
                                              seed=getattr(options, "seed", None))}
    results = [dataclasses.asdict(r) for r in suite.record.results.values()]
    totals: dict[str, int] = {}
    for r in results:
        totals[r["outcome"]] = totals.get(r["outcome"], 0) + 1
    data.update({
        "kind": "check", "schema_version": SCHEMA_VERSION,
        "duration_s": round(time.time() - suite.record.started_at, 3),
        "totals": totals, "results": results,
        "findings": [f for r in results for f in r.get("findings") or []],
        "warnings": [],
        "exchanges": {"file": "exchanges.har", "count": len(log.kept), "dropped": log.dropped},
    })
    return data


def write(suite: Suite) -> dict[str, Path]:
    """Write every file of the run into ``--out``; returns what was written, by name."""
    assert suite.options.out is not None
    out = Path(suite.options.out)
    data, log = check_data(suite), suite.exchanges.log
    written = {"json": publish.write_json(data, out / "check.json")}
    written["har"] = log.write(out, "ecekit check")
    written.update(publish.write_reports("check", data, out))
    return written
