"""What a contract run found and where its files went: read by the summary, the files and run_checks."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ecekit.report.results import CaseResult


@dataclass
class RunRecord:
    """One CaseResult per test (by node id), the files written, and when the run began (its duration)."""

    results: dict[str, CaseResult] = field(default_factory=dict)
    junit_written: str | None = None
    reports_written: dict[str, str] = field(default_factory=dict)
    started_at: float = field(default_factory=time.time)
