"""The verdict of one contract test: run the check, and fail with a message a person can act on.

Tests in ``contracts/`` are one line each (``ece.status(case)``); this is where the line goes. A
failure is ``pytest.fail(text, pytrace=False)``: the text is the explanation (expected, actual, XPath,
body excerpt, curl line), never a Python traceback, because the server is wrong, not the test.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pytest

from ecekit import operations
from ecekit.checks import consistency, guards
from ecekit.checks.base import REGISTRY, Observation, Violation
from ecekit.checks.survey import judge_survey, split_findings
from ecekit.client import Exchange
from ecekit.errors import ToolkitError
from ecekit.report.failure import failure_text, headline, printable
from ecekit.report.results import Finding
from ecekit.suite.cases import ConsistencyCase, JsonCase, JsonServedCase, PreflightCase, StatusCase, json_cases
from ecekit.suite.session import Suite
from ecekit.suite.surveys import SurveyProbe

NOT_APPLICABLE = "not applicable"
"""In a skip reason: the server's answers left nothing to judge (as opposed to an option turned off).
A run whose every selected test was skipped this way is a failure of the server (exit 1), never a pass."""

# Why a check did not apply, most basic first: the first that fails is the reason given.
_PRECONDITIONS = (
    (guards.answered, "no complete response arrived (see the transport check)"),
    (guards.success, "the answer is not a 2xx (see status_code / not_a_server_error)"),
    (guards.well_formed, "the body is not a well-formed XML answer (see well_formed)"),
)


@dataclass
class Outcome:
    """What a contract test found, kept on the pytest item for the report hooks."""

    violations: list[Violation] = field(default_factory=list)
    exchanges: list[Exchange] = field(default_factory=list)
    headline: str = ""
    text: str = ""
    findings: list[Finding] = field(default_factory=list)


@dataclass
class Verdict:
    """Bound to one test item: judges its case and records the outcome on the item."""

    suite: Suite
    outcome: Outcome

    def status(self, case: StatusCase) -> None:
        """One registered check on one operation's answer for one entry point."""
        ex = self.suite.exchanges.exchange(case.operation, case.entry_point)
        spec = REGISTRY[case.check]
        obs = Observation(ex, case.operation, self.suite.contexts.context(case.role))
        if not spec.applies(obs):
            reason = next((why for guard, why in _PRECONDITIONS if not guard(obs)), "preconditions not met")
            pytest.skip(f"{case.check} {NOT_APPLICABLE}: {reason}")
        try:
            found = spec.func(obs)
        except ToolkitError as exc:  # a check of the user's own that failed: the tool's set-up, exit 2
            pytest.exit(f"ecekit: {exc}", returncode=2)
        self.conclude(found, [ex])

    def json(self, case: JsonCase | JsonServedCase) -> None:
        """JSON parity of one answer, or (the served case) whether the server answers JSON at all."""
        from ecekit.checks import json_parity

        if isinstance(case, JsonServedCase):
            pairs = [self.suite.reads.json_parity(c.operation, c.entry_point)
                     for c in json_cases(self.suite.started()) if isinstance(c, JsonCase)]
            found = json_parity.served_violation(json_ex for _, _, json_ex in pairs)
            example = [next(ex for _, _, ex in pairs if json_parity.not_served(ex))] if found else []
            self.conclude([found] if found else [], example)
            return
        violations, xml_ex, json_ex = self.suite.reads.json_parity(case.operation, case.entry_point)
        if json_parity.not_served(json_ex):
            pytest.skip("the server answered no JSON here: reported once, by json_served")
        self.conclude(violations, [xml_ex, json_ex])

    def preflight(self, case: PreflightCase) -> None:
        """The OPTIONS a browser sends before one kind of the site's requests, judged as the browser
        judges it (ecekit.checks.preflight)."""
        from ecekit.checks.preflight import preflight

        ex = self.suite.exchanges.preflight(case.preflight, case.entry_point)
        obs = Observation(ex, case.operation, self.suite.contexts.context())
        self.conclude(preflight(obs, what=case.preflight.what), [ex])

    def consistency(self, case: ConsistencyCase) -> None:
        """One rule for one entry point, contradicted only if it held on every repeated read."""
        snaps = self.suite.reads.contradictions(case.entry_point).get(case.rule.name)
        if not snaps:
            reads = self.suite.reads.reads(case.entry_point)
            if not any(snap.complete(case.rule.operations) for snap in reads):
                names = ", ".join(op.name for op in case.rule.operations)
                pytest.skip(f"consistency {NOT_APPLICABLE}: no read had a usable answer of each of {names} "
                            f"({len(reads)} read(s); see their transport, status_code, well_formed and xsd "
                            "checks)")
            return
        last = snaps[-1]
        exchanges = [last.exchanges[op.name] for op in case.rule.operations if op.name in last.exchanges]
        self.conclude([consistency.violation(case.rule, snaps)], exchanges)

    def survey(self, probe: SurveyProbe) -> None:
        """One fixed survey: 204 if valid, a 4xx if not; never a 5xx (tiers: ecekit.checks.survey)."""
        ex = self.suite.exchanges.survey_call(probe.body, probe.headers, f"probe {probe.name}: {probe.description}")
        ctx = self.suite.contexts.context(valid_needs_204=self.suite.contexts.valid_needs_204 or probe.real_sid)
        obs = Observation(ex, operations.SURVEY, ctx)
        note = f"survey probe {probe.name}: {probe.description}"
        failures, findings = split_findings(judge_survey(obs, valid=probe.valid, description=probe.description),
                                            lenient_fails=self.suite.target.lenient_acceptance_fails)
        for found in findings:
            self.note_finding(found, ex, note)
        self.conclude(failures, [ex], note=note)

    def survey_fuzz(self) -> None:
        """The bounded hypothesis phase, shared with ``ecekit fuzz``; stops at the first violation,
        notes the first finding of each hostile family on the way."""
        from ecekit.suite.fuzzing import fuzz_surveys

        examples = self.suite.options.fuzz_examples
        if examples <= 0:
            pytest.skip("survey fuzzing disabled (--fuzz-examples 0)")
        found, findings = fuzz_surveys(self.suite, examples)
        for violation, ex, description in findings:
            self.note_finding(violation, ex, f"generated by hypothesis: {description}")
        if found is not None:
            violations, ex, description = found
            self.conclude(violations, [ex], note=f"generated by hypothesis: {description}")

    def survey_xxe(self) -> None:
        """Whether the server fetched any external DTD or entity the run's surveys named (judged from
        ecekit's canary after a short grace for late fetches, whatever the server answered)."""
        from ecekit.canary import UNOBSERVED
        from ecekit.checks.xxe import fetched

        canary = self.suite.exchanges.canary()
        if canary is None:
            pytest.skip(UNOBSERVED)
        if canary.last_armed is None:
            pytest.skip("no survey naming the canary was sent in this run (select the survey probes too, "
                        "e.g. -k survey)")
        canary.settle()
        found = fetched(canary)
        if found:
            notes = "; ".join(f.description or "(unknown survey)" for f in found)
            self.conclude([f.violation for f in found], [f.exchange for f in found if f.exchange is not None],
                          note=f"surveys whose DOCTYPE was fetched: {notes}")

    def note_finding(self, violation: Violation, exchange: Exchange, note: str) -> None:
        """Keep a finding (not a failure) for the summary and the JUnit file."""
        text = failure_text([violation], [exchange]) + f"\ncase:      {printable(note)}"
        self.outcome.findings.append(Finding(violation.check, violation.operation, violation.headline(), text))

    def conclude(self, violations: list[Violation], exchanges: Iterable[Exchange], note: str = "") -> None:
        """Record the outcome; fail the test with the explanation when anything was violated."""
        self.outcome.violations = list(violations)
        if not violations:
            return
        self.outcome.exchanges = list(exchanges)
        self.outcome.headline = headline(violations)
        self.outcome.text = failure_text(violations, exchanges)
        if note:
            self.outcome.text += f"\ncase:      {printable(note)}"
        pytest.fail(self.outcome.text, pytrace=False)
