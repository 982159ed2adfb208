"""The survey suite's bounded hypothesis phase: ``survey_cases()`` judged by ``judge_survey``.

Bounded on purpose: a contract run must finish in seconds, so it generates at most ``examples``
surveys, does not shrink (a failing example is reported as sent, with its curl line), keeps no example
database (a run from any directory leaves no ``.hypothesis/`` behind) and stops at the first
violation. ``ecekit fuzz`` is the place for long runs and shrinking.

Seeded with the run's seed (``--seed``, printed in the header), so a run is replayed request for
request. A lenient acceptance (``survey_lenient``) is a finding unless the run is strict about
surveys: the phase goes on, and the first example of each hostile family is kept to be listed.
"""

from __future__ import annotations

from ecekit import operations
from ecekit.checks.base import Observation, Violation
from ecekit.checks.survey import judge_survey, split_findings
from ecekit.client import Exchange
from ecekit.suite.session import Suite


class _Found(Exception):
    """Raised inside the hypothesis test to stop at the first violation."""

    def __init__(self, violations: list[Violation], exchange: Exchange, description: str) -> None:
        super().__init__(violations[0].headline())
        self.violations = violations
        self.exchange = exchange
        self.description = description


Hit = tuple[list[Violation], Exchange, str]


def fuzz_surveys(suite: Suite, examples: int) -> tuple[Hit | None, list[tuple[Violation, Exchange, str]]]:
    """Send up to ``examples`` generated surveys: (the first violations found, their exchange and the
    generated case's description, or None; the findings, one per hostile family)."""
    from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings

    from ecekit.fuzz.strategies import SurveyCase, survey_cases

    context = suite.context()
    findings: dict[str, tuple[Violation, Exchange, str]] = {}

    @settings(max_examples=examples, deadline=None, database=None, phases=(Phase.generate,),
              suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
              report_multiple_bugs=False, print_blob=False)
    @seed(suite.options.seed)
    @given(survey_cases())
    def probe(case: SurveyCase) -> None:
        ex = suite.call(operations.SURVEY, body=case.body, headers=case.headers())
        found, noted = split_findings(judge_survey(Observation(ex, operations.SURVEY, context),
                                                   valid=case.valid, description=case.description),
                                      strict_surveys=suite.strict_surveys)
        for violation in noted:
            findings.setdefault(case.family, (violation, ex, case.description))
        if found:
            raise _Found(found, ex, case.description)

    try:
        probe()
    except _Found as hit:
        return (hit.violations, hit.exchange, hit.description), list(findings.values())
    return None, list(findings.values())
