"""The survey fuzz search: hypothesis over :func:`ecekit.fuzz.diet.survey_cases`, the survey oracle as
the property, and whatever sends a case injected, so the search runs against a fake as well as a server.

* **Bounded.** ``max_examples`` is hypothesis' own; ``max_time`` stops the run when it is up, or, if
  failures were found, stops *sending* (hypothesis then finishes shrinking on cached verdicts); so do
  a few answers in a row that never came whole.
* **Repeatable.** Every failing verdict is cached by payload, so the final replay of a shrunk
  example gives the same answer even from a flaky server (passes are not cached: each example is a
  request, which is what a rate limit counts). The seed is given, and failures go to a hypothesis
  example database keyed by ``key``, replayed first on the next run, and alone with ``replay=True``.
* **One report per fault.** A search runs until one finds nothing new; in each, the failures of the
  earlier ones count as passes (:func:`ecekit.fuzz.failures.is_known`).
"""

from __future__ import annotations

import time
import unittest
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, example, given, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

from ecekit.checks.base import Context, Observation, Violation
from ecekit.checks.survey import judge_survey, split_findings
from ecekit.client import Exchange
from ecekit.fuzz.diet import survey_cases
from ecekit.fuzz.failures import Failure, Finding, collect, failure_kind, failure_type, is_known, merge
from ecekit.fuzz.hostile import canary_cases
from ecekit.fuzz.strategies import SurveyCase
from ecekit.operations import SURVEY

UNRESPONSIVE_AFTER = 3
"""Consecutive answers that never came whole (timeout, too_large, connection) after which no more are sent."""

MAX_SEARCHES = 16  # one per distinct failure kind found, plus the last one that finds nothing new

Send = Callable[[SurveyCase], Exchange]
"""Sends one case and returns what came back; a transport failure is an Exchange with its ``error``."""

Verdict = tuple[Exchange, tuple[Violation, ...]]


@dataclass
class Progress:
    """Counters for progress output; updated after every example."""

    examples: int = 0  # calls of the property, generation and shrinking alike
    requests: int = 0  # requests actually sent (cached verdicts are not re-sent)
    failing: int = 0  # examples that failed, before shrinking and deduplication
    first_failure_at: int | None = None  # the example that first failed: how fast a fault is found
    by_family: Counter[str] = field(default_factory=Counter)  # examples per family, for the report
    failing_by_family: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def line(self) -> str:
        rate = self.examples / self.elapsed if self.elapsed else 0.0
        return (f"… {self.examples} examples, {self.requests} requests, {self.failing} failing so far, "
                f"{rate:.0f}/s, {self.elapsed:.0f}s")


class _OutOfTime(BaseException):
    """Stops hypothesis at once (it lets BaseExceptions through unshrunk) when the budget is spent."""


@dataclass
class Unanswered:
    """Rations answers that never come whole: each may cost a whole read timeout, so a server that
    answers nothing whole costs a few requests, not one per example."""

    after: int = UNRESPONSIVE_AFTER
    lost: list[str] = field(default_factory=list)  # the errors of the latest answers, none whole
    reason: str = ""  # set once ``after`` answers in a row were lost: sending stops for good

    def note(self, exchange: Exchange) -> None:
        self.lost = [*self.lost, exchange.error.value][-self.after:] if exchange.error is not None else []
        if len(self.lost) >= self.after:
            self.reason = (f"stopped sending: the last {len(self.lost)} answers never came whole "
                           f"({', '.join(sorted(set(self.lost)))})")


class SurveySearch:
    """The searches of one fuzz run. Read ``failures`` from :meth:`run`, then the attributes: ``progress``,
    ``findings``, ``notes``, ``out_of_time``, ``unresponsive``, ``remembered_first``.

    ``key`` names the run's failures in ``database``; ``clock`` is what ``max_time`` is measured on;
    ``cases`` is what hypothesis draws from (the fuzzer's diet unless told).
    """

    def __init__(self, send: Send, context: Context, *, seed: int, key: str, max_examples: int = 500,
                 max_time: float | None = None, database: Path | None = None, lenient_fails: bool = True,
                 on_progress: Callable[[Progress], None] | None = None, clock: Callable[[], float] = time.monotonic,
                 cases: st.SearchStrategy[SurveyCase] | None = None) -> None:
        self.send, self.context, self.lenient_fails = send, context, lenient_fails
        self.cases = survey_cases(context.target.sid) if cases is None else cases
        self.seed, self.key, self.max_examples, self.database = seed, key, max_examples, database
        self.on_progress, self.clock = on_progress, clock
        self.deadline = None if max_time is None else clock() + max_time
        self.progress = Progress()
        self.verdicts: dict[tuple[bytes, str], Verdict] = {}  # failing ones only
        self.findings: dict[str, Finding] = {}  # by hostile family
        self.unanswered = Unanswered()
        self.known: list[Failure] = []  # found by the earlier searches of this pass: passes now
        self.failing = 0  # new failures in the current search: with some, a spent budget only stops sending
        self.out_of_time = False
        self.remembered_first = False
        self.notes: list[str] = []

    @property
    def unresponsive(self) -> str:
        """Why sending stopped early, if the last answers never came whole."""
        return self.unanswered.reason

    def run(self, *, replay: bool = False) -> list[Failure]:
        """The run's distinct failures: the remembered ones if they still fail (they are what to fix, and
        generating would only find them again), else those new examples find; with ``replay``, the
        remembered ones alone."""
        failures: list[Failure] = []
        if self.database is not None and not replay:
            failures, self.notes = self._searches(replay=True)
            self.remembered_first = bool(failures)
        if not failures and not replay and not self.out_of_time:
            failures, self.notes = self._searches(replay=False)
        elif replay:
            failures, self.notes = self._searches(replay=True)
        self.notes = [n for n in self.notes if not n.startswith("nothing to replay")] if failures else self.notes[:1]
        return merge(failures)

    def _searches(self, replay: bool) -> tuple[list[Failure], list[str]]:
        """Searches until one finds nothing new (or, replaying, until nothing more is remembered)."""
        self.known = []
        notes: list[str] = []
        for index in range(MAX_SEARCHES):
            raised = self._search(index, replay)
            skipped = any(isinstance(e, unittest.SkipTest) for e in raised)
            found, more_notes = collect([e for e in raised if not isinstance(e, _OutOfTime)])
            self.known += found
            notes += more_notes
            if self.out_of_time or skipped or not (found or replay):
                break
        return self.known, notes

    def _search(self, index: int, replay: bool) -> list[BaseException]:
        """One hypothesis run; what it raised."""
        test = self._property(index, replay)
        self.failing = 0
        try:
            test()
        except _OutOfTime:
            self.out_of_time = True
            return [_OutOfTime()]
        except BaseException as exc:
            return [exc]
        return []

    def _property(self, index: int, replay: bool) -> Callable[[], None]:
        """The hypothesis test of search ``index``, under its own database key and seed."""
        sid = self.context.target.sid

        @settings(
            max_examples=self.max_examples,
            deadline=None,
            database=DirectoryBasedExampleDatabase(self.database) if self.database else None,
            phases=(Phase.explicit, Phase.reuse) if replay else
            (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
            report_multiple_bugs=True,
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
            print_blob=False,
        )
        @_canary_examples(index == 0 and not replay, sid)
        @given(case=self.cases)
        def survey_property(case: SurveyCase) -> None:
            self._example(case)

        digest = self.key + (f"#{index}" if index else "")
        inner = survey_property.hypothesis.inner_test  # type: ignore[attr-defined]
        inner._hypothesis_internal_add_digest = digest.encode("utf-8")
        # hypothesis.seed() would also switch the database off; ecekit wants both a known seed and
        # remembered failures, so it sets the seed the way seed() does, and keeps the settings.
        survey_property._hypothesis_internal_use_seed = self.seed + index  # type: ignore[attr-defined]
        return survey_property

    def _example(self, case: SurveyCase) -> None:
        """The property: a failure no earlier search found is raised as its kind, for hypothesis to shrink."""
        self.progress.examples += 1
        self.progress.by_family[case.family] += 1
        verdict = self.verdict(case)
        if self.on_progress is not None:
            self.on_progress(self.progress)
        if verdict is None:
            return
        exchange, found = verdict
        if is_known(case, found, self.known):
            return
        self._count_failing(case)
        raise failure_type(failure_kind(case, found))(case, exchange, found)

    def verdict(self, case: SurveyCase) -> Verdict | None:
        """What the server's answer to ``case`` breaks (None: nothing, or not sent for want of budget);
        a failing verdict is given again without sending."""
        key = (case.body, case.content_type)
        if key in self.verdicts:
            return self.verdicts[key]
        if not self._may_send():
            return None
        exchange = self.send(case)
        self.progress.requests += 1
        self.unanswered.note(exchange)
        found = self._judge(case, exchange)
        if not found:
            return None
        self.verdicts[key] = (exchange, found)
        return exchange, found

    def _may_send(self) -> bool:
        """Whether the budget allows another request. Once spent, a search with nothing to shrink ends
        at once; one with failures goes on shrinking on cached verdicts, sending nothing."""
        spent = (self.deadline is not None and self.clock() > self.deadline) or bool(self.unresponsive)
        if not spent:
            return True
        self.out_of_time = True
        if not self.failing:
            raise _OutOfTime
        return False

    def _judge(self, case: SurveyCase, exchange: Exchange) -> tuple[Violation, ...]:
        """The failures of one answer; a lenient acceptance, when the run is not strict, is a finding."""
        judged = judge_survey(Observation(exchange, SURVEY, self.context), valid=case.valid,
                              description=case.description)
        failed, noted = split_findings(judged, lenient_fails=self.lenient_fails)
        for violation in noted:
            seen = self.findings.get(case.family)
            self.findings[case.family] = Finding(case, exchange, violation) if seen is None else \
                replace(seen, count=seen.count + 1)
        return tuple(failed)

    def _count_failing(self, case: SurveyCase) -> None:
        self.progress.failing += 1
        self.progress.failing_by_family[case.family] += 1
        self.failing += 1
        if self.progress.first_failure_at is None:
            self.progress.first_failure_at = self.progress.examples


_T = TypeVar("_T")


def _canary_examples(wanted: bool, sid: str | None) -> Callable[[_T], _T]:
    """On the first search, the DOCTYPEs that name the canary as explicit examples: whether the server
    fetches them (``survey_xxe``) must not depend on what hypothesis happens to draw."""

    def decorate(test: _T) -> _T:
        for case in canary_cases(sid) if wanted else ():
            test = example(case=case)(test)  # type: ignore[type-var]
        return test

    return decorate
