"""One record per contract test, the common input of the terminal summary and the JUnit file."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Finding:
    """Something a user may want to know that does not break the guide (e.g. ``survey_lenient``):
    listed in the summary and the JUnit file, failing the run only when the user makes it strict."""

    check: str
    operation: str
    headline: str
    text: str


@dataclass(slots=True)
class CaseResult:
    """The outcome of one contract test, labelled by the check and operation it is about.

    ``check`` is the check that failed (the first violation's) for a failure, otherwise the check the
    test exists for; ``checks`` lists every check that failed in it.
    """

    nodeid: str
    name: str
    check: str
    operation: str
    outcome: str  # passed | failed | skipped | error
    seconds: float = 0.0
    entry_point: str | None = None
    headline: str = ""
    text: str = ""
    checks: tuple[str, ...] = field(default_factory=tuple)
    test_check: str = ""  # the check the test exists for (``check`` becomes the failing one)
    violations: list[dict[str, str | None]] = field(default_factory=list)  # for the HTML report
    exchanges: list[dict[str, str]] = field(default_factory=list)  # what came back, and the curl line
    findings: list[Finding] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.outcome in ("failed", "error")
