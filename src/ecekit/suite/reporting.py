"""From pytest reports to :class:`~ecekit.report.results.CaseResult` records, and back to the terminal.

A contract failure's report gets a clean ``longrepr``: the explanation, no traceback, and a one-line
``reprcrash.message`` (what pytest's ``-ra`` line and its own ``--junitxml`` message attribute show).
Every contract test becomes one CaseResult, labelled by the check that failed (or that it exists for)
and the operation, which the grouped summary and ecekit's JUnit file read.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import pytest

from ecekit import redaction
from ecekit.checks.base import REGISTRY
from ecekit.client import Exchange
from ecekit.report.failure import BODY_EXCERPT, curl_line, printable
from ecekit.report.results import CaseResult
from ecekit.report.summary import finding_lines, summary_lines
from ecekit.suite.description import widget_states
from ecekit.suite.session import Suite
from ecekit.suite.verdict import NOT_APPLICABLE, Outcome

EXIT_SERVER, EXIT_USAGE = 1, 2  # pytest's TESTS_FAILED and INTERRUPTED, which `ecekit check` maps to 1 and 2

_EXTRA_DESCRIPTIONS = {
    "consistency": "answers of different operations for one entry point contradict each other",
    "survey_accepted": "a valid survey was not accepted with 204",
    "survey_rejected": "an invalid survey was not refused with a 4xx",
    "survey_lenient": "a survey only a lenient (JAXB-like) reader accepts got a 2xx (strict surveys)",
    "survey_xxe": "the server fetched an external DTD or entity a survey named (XXE)",
    "preflight": "a page on the site's origin (--origin) cannot send a request its browser preflights",
    "error": "the test itself could not run (see its traceback)",
}


@dataclass(frozen=True, slots=True)
class _Crash:
    """Where pytest looks for a failure's one-line message (like ReprFileLocation)."""

    path: str
    lineno: int
    message: str

    def toterminal(self, tw: Any) -> None:
        tw.line(f"{self.path}:{self.lineno}: {self.message}")


class ContractRepr:
    """A failure's long representation: the explanation text, with a one-line headline."""

    def __init__(self, text: str, headline: str, path: str, lineno: int) -> None:
        self.text = text
        self.reprcrash = _Crash(path, lineno, headline)

    def toterminal(self, tw: Any) -> None:
        for line in self.text.splitlines():
            tw.line(line)

    def __str__(self) -> str:
        return self.text


def record(suite: Suite, item: pytest.Item, report: pytest.TestReport, outcome: Outcome | None,
           label: tuple[str, str, str | None]) -> None:
    """Turn one phase's report into the test's CaseResult (setup skips/errors and the call count)."""
    check, operation, entry_point = label
    if report.when == "teardown" and not report.failed:
        return
    if report.when == "setup" and report.passed:
        return
    result = CaseResult(report.nodeid, _name(item, label), check, operation, report.outcome,
                        seconds=report.duration, entry_point=entry_point, test_check=check)
    if outcome is not None and report.when == "call":
        result.findings = list(outcome.findings)
    if report.skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        result.headline = str(reason).removeprefix("Skipped: ")
    elif report.failed:
        if outcome is not None and outcome.violations and report.when == "call":
            checks = tuple(dict.fromkeys(v.check for v in outcome.violations))
            result.check, result.checks = checks[0], checks
            first = outcome.violations[0]
            if first.operation and "+" not in first.operation:
                result.operation = first.operation
            result.headline, result.text = outcome.headline, outcome.text
            result.violations = [dataclasses.asdict(v) for v in outcome.violations]
            result.exchanges = [exchange_summary(ex) for ex in outcome.exchanges]
            path, lineno = item.location[0], (item.location[1] or 0) + 1
            report.longrepr = ContractRepr(outcome.text, outcome.headline, path, lineno)  # type: ignore[assignment]
        else:
            result.outcome = "error"
            result.check = "error"
            result.text = redaction.text(report.longreprtext, suite.target.secrets())
            if result.text != report.longreprtext:  # a traceback that echoed a URL or a header
                report.longrepr = result.text
            result.headline = (result.text.strip().splitlines() or ["error"])[-1][:300]
    previous = suite.record.results.get(report.nodeid)
    if previous is not None and previous.failed and not result.failed:
        return
    suite.record.results[report.nodeid] = result


def exchange_summary(ex: Exchange) -> dict[str, str]:
    """What the report shows of one exchange: the request, what came back, the curl line."""
    return {"method": ex.method, "url": ex.url, "response": printable(ex.describe()),
            "excerpt": printable(ex.excerpt(BODY_EXCERPT)) if ex.body else "", "curl": printable(curl_line(ex))}


def _name(item: pytest.Item, label: tuple[str, str, str | None]) -> str:
    check, operation, entry_point = label
    param = getattr(getattr(item, "callspec", None), "id", None)
    if entry_point is not None:
        if check == "consistency" and param:
            return f"{operation}[{entry_point}] {param.split('-', 1)[-1]}"
        return f"{operation}[{entry_point}] {check}"
    return f"{getattr(item, 'originalname', item.name)}[{param}]" if param else item.name


def summary(suite: Suite) -> list[str]:
    """The grouped summary, then where the JUnit file went."""
    descriptions = {name: spec.description for name, spec in REGISTRY.items()} | _EXTRA_DESCRIPTIONS
    lines = summary_lines(list(suite.record.results.values()), descriptions)
    states = widget_states(suite.target, suite.exchanges, suite.contexts)
    if states:
        widget = suite.target.chosen_widget()
        lines.append(f"what the {widget.name} widget shows, per entry point:")
        lines += [f"  {ep:<12} {state:<12} {why}" for ep, state, why in states]
    lines += finding_lines(list(suite.record.results.values()),
                           "findings fail the run with --strict-surveys (pytest: --ece-strict-surveys, "
                           "target key strict_surveys = true)")
    skipped_writes = [r for r in suite.record.results.values() if r.outcome == "skipped" and r.check == "survey"]
    if skipped_writes and not suite.options.allow_writes:
        lines.append(f"survey: {len(skipped_writes)} test(s) skipped: writes are off (--allow-writes)")
    from ecekit.seeds import describe

    lines.append(describe(suite.options.seed, suite.options.seed_how))
    written = suite.record.reports_written
    if suite.record.junit_written:
        lines.append(f"JUnit (one testsuite per check): {suite.record.junit_written}")
    if written.get("html"):
        lines.append(f"report: {written['html']} (exchanges: {written['har']})")
    return lines


def undecided_exit(suite: Suite) -> int | None:
    """The exit status of a run in which nothing could be checked (no test passed or failed), else None.

    Not a pass: 1 when the server's answers left nothing to judge (no answer, an error status, a body
    that cannot be parsed: skips that say "not applicable"), 2 when the options did (every selected
    test needs --allow-writes, or fuzzing is off).
    """
    results = list(suite.record.results.values())
    if not results or any(r.outcome != "skipped" for r in results):
        return None
    return EXIT_SERVER if any(NOT_APPLICABLE in r.headline for r in results) else EXIT_USAGE
