"""Running hypothesis against a server's survey operation, with the survey oracle as the property.

One ``@given`` run over :func:`ecekit.fuzz.diet.survey_cases`; hypothesis does the searching,
the shrinking and the example database. What this module adds:

* **Distinct failures are told apart.** Each failure raises an exception *class* named after its
  kind: the strategy family (or, for a valid survey, the traits that servers trip on: non-ASCII, long
  text, many pairs) plus the checks it broke. Hypothesis keys bugs on the exception type, so with
  ``report_multiple_bugs`` it shrinks and reports each kind separately; a failure whose traits are a
  superset of another's with the same checks is then dropped as explained by the simpler one.
* **Bounded.** ``max_examples`` is hypothesis' own; ``max_time`` stops the run when it is up, or, if
  failures were found, stops *sending* (hypothesis then finishes shrinking on cached verdicts);
  ``rate_limit`` spaces requests.
* **Repeatable.** Every failing verdict is cached by payload, so the final replay of a shrunk
  example gives the same answer even from a flaky server (passes are not cached: each example is a
  request, which is what ``rate_limit`` counts). The seed is always
  known, and failures go to a hypothesis example database (``.ecekit/fuzz-db`` by default) keyed by
  the target, replayed first on the next run and alone with ``replay=True``.
"""

from __future__ import annotations

import contextlib
import secrets
import time
import unittest
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, Phase, Verbosity, example, given, settings
from hypothesis.database import DirectoryBasedExampleDatabase

from ecekit.canary import UNOBSERVED, Canary, for_target
from ecekit.checks.base import Context, Observation, Violation
from ecekit.checks.survey import judge_survey, split_findings
from ecekit.checks.xxe import XXE, fetched
from ecekit.client import Client, Exchange
from ecekit.fuzz.diet import survey_cases
from ecekit.fuzz.hostile import canary_cases
from ecekit.fuzz.pacing import Pacer
from ecekit.fuzz.strategies import SurveyCase
from ecekit.operations import SURVEY
from ecekit.target import Target

DEFAULT_DATABASE = Path(".ecekit") / "fuzz-db"
"""Where failures are remembered, relative to the working directory (the project folder)."""


UNRESPONSIVE_AFTER = 3
"""Consecutive answers that never came whole (timeout, too_large, connection) after which no more are sent."""

@dataclass(frozen=True)
class FuzzConfig:
    """How much to fuzz and how gently. ``database=None`` remembers nothing."""

    max_examples: int = 500
    max_time: float | None = None  # seconds; None: no limit beyond max_examples
    rate_limit: float | None = None  # requests per second; None: as fast as the server answers
    seed: int | None = None  # None: a fresh random seed, reported so the run can be repeated
    replay: bool = False  # send only the failures remembered in the database
    database: Path | None = DEFAULT_DATABASE
    database_key: str = ""  # which remembered failures belong to this run (default: the base URL)


@dataclass(frozen=True)
class Failure:
    """One kind of failure, shrunk by hypothesis to its minimal payload."""

    kind: str
    case: SurveyCase
    exchange: Exchange
    violations: tuple[Violation, ...]
    also: tuple[str, ...] = ()  # other hostile families that broke the same checks (shrunk sizes)

    @property
    def checks(self) -> frozenset[str]:
        return frozenset(v.check for v in self.violations)


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


@dataclass(frozen=True)
class Finding:
    """A lenient acceptance (``survey_lenient``) when the run is not strict about surveys: the first
    example of its hostile family, as sent (findings are not shrunk: they fail nothing)."""

    case: SurveyCase
    exchange: Exchange
    violation: Violation
    count: int = 1  # examples of the family that got the same answer


@dataclass
class FuzzResult:
    failures: list[Failure]
    progress: Progress
    seed: int
    config: FuzzConfig
    out_of_time: bool = False
    unresponsive: str = ""  # why sending stopped early: the last answers never came whole
    notes: list[str] = field(default_factory=list)  # e.g. hypothesis' own complaints
    findings: list[Finding] = field(default_factory=list)
    lenient_acceptance_fails: bool = True
    remembered_first: bool = False  # stopped after replaying remembered failures that still fail

    @property
    def ok(self) -> bool:
        return not self.failures


class _OutOfTime(BaseException):
    """Stops hypothesis at once (it lets BaseExceptions through unshrunk) when max_time is up."""


class SurveyFailure(AssertionError):
    """Raised inside the property; one subclass per failure kind (see the module docstring)."""

    kind = ""

    def __init__(self, case: SurveyCase, exchange: Exchange, violations: tuple[Violation, ...]) -> None:
        super().__init__(f"{self.kind}: " + "; ".join(v.headline() for v in violations))
        self.case, self.exchange, self.violations = case, exchange, violations


_KINDS: dict[str, type[SurveyFailure]] = {}
MAX_SEARCHES = 16  # one per distinct failure kind found, plus the last one that finds nothing new


def failure_type(kind: str) -> type[SurveyFailure]:
    """The exception class of one failure kind, created once, so hypothesis keys bugs by kind."""
    if kind not in _KINDS:
        _KINDS[kind] = type(f"SurveyFailure[{kind}]", (SurveyFailure,), {"kind": kind})
    return _KINDS[kind]


def failure_kind(case: SurveyCase, violations: tuple[Violation, ...]) -> str:
    checks = "+".join(sorted({v.check for v in violations}))
    if case.valid:
        return f"valid[{','.join(sorted(case.traits)) or 'plain'}]:{checks}"
    return f"{case.family}:{checks}"


def _explained(failure: Failure, others: list[Failure]) -> bool:
    """A valid-survey failure whose traits include another's, with the same checks, adds nothing."""
    return any(o is not failure and o.checks == failure.checks and o.case.traits < failure.case.traits
               for o in others)


def merge(failures: list[Failure]) -> list[Failure]:
    """One report per distinct fault: valid ones by traits, hostile ones by the checks they broke.

    Hostile families that break the same checks are one fault seen through several doors (a server
    that answers 500 to malformed XML does so for truncated, unescaped and deeply nested bodies
    alike): the smallest payload is reported, the other families are listed with it.
    """
    valid = [f for f in failures if f.case.valid]
    merged = [f for f in valid if not _explained(f, valid)]
    groups: dict[frozenset[str], list[Failure]] = {}
    for f in failures:
        if not f.case.valid:
            groups.setdefault(f.checks, []).append(f)
    for group in groups.values():
        group.sort(key=lambda f: len(f.case.body))
        head, rest = group[0], group[1:]
        merged.append(replace(head, also=tuple(f"{f.case.family} ({len(f.case.body)} bytes)" for f in rest)))
    merged.sort(key=lambda f: (not f.case.valid, len(f.case.body)))
    return merged


def is_known(case: SurveyCase, found: tuple[Violation, ...], known: list[Failure]) -> bool:
    """Whether an earlier search already found this failure: same checks, and for a valid survey a
    subset of its traits, for a hostile one the same family."""
    checks = frozenset(v.check for v in found)
    for failure in known:
        if failure.checks != checks or failure.case.valid != case.valid:
            continue
        if case.valid and failure.case.traits <= case.traits:
            return True
        if not case.valid and failure.case.family == case.family:
            return True
    return False


def fuzz(target: Target, config: FuzzConfig = FuzzConfig(), *, valid_needs_204: bool | None = None,
         lenient_acceptance_fails: bool | None = None,
         on_progress: Callable[[Progress], None] | None = None,
         on_exchange: Callable[[Exchange], None] | None = None) -> FuzzResult:
    """Fuzz ``target``'s survey operation; every failure comes back shrunk, none is raised.

    ``valid_needs_204``: a valid survey must get exactly 204. Default: yes for the embedded server or
    when the target names a real ``sid``; otherwise a 4xx for a made-up sid is tolerated (ECE_NOTES).
    ``lenient_acceptance_fails``: a survey only a lenient server accepts is a failure, not a finding
    (default: the target's).
    """
    strict = target.is_embedded or target.sid is not None if valid_needs_204 is None else valid_needs_204
    lenient_fails = target.lenient_acceptance_fails if lenient_acceptance_fails is None else lenient_acceptance_fails
    findings: dict[str, Finding] = {}
    run_seed = config.seed if config.seed is not None else secrets.randbelow(1 << 32)
    context = Context(target=target, valid_needs_204=strict)
    progress = Progress()
    pacer = Pacer(config.rate_limit)
    deadline = None if config.max_time is None else progress.started + config.max_time
    verdicts: dict[tuple[bytes, str], tuple[Exchange, tuple[Violation, ...]]] = {}
    state: dict[str, Any] = {"out_of_time": False, "search_failing": 0, "no_answer": [], "unresponsive": ""}
    stack = contextlib.ExitStack()
    canary = stack.enter_context(for_target(target.base_url, target.canary_url))
    client = Client(target, on_exchange=on_exchange)
    armed_cases: dict[str, SurveyCase] = {}

    def send(case: SurveyCase) -> tuple[Exchange, tuple[Violation, ...]] | None:
        key = (case.body, case.content_type)
        if key in verdicts:
            return verdicts[key]
        if (deadline is not None and time.monotonic() > deadline) or state["unresponsive"]:
            state["out_of_time"] = True
            if not state["search_failing"]:
                raise _OutOfTime
            return None  # failures to shrink: finish on cached verdicts, sending nothing more
        pacer.wait()
        body, armed = canary.arm(case.body, case.description) if canary is not None else (case.body, None)
        exchange = client.call(SURVEY, body=body, headers=case.headers())
        if armed is not None:
            armed.exchange = exchange
            if len(armed_cases) < MAX_ARMED_CASES:
                armed_cases[armed.token] = replace(case, body=body)
        progress.requests += 1
        # a server that answers nothing whole (timeouts, bodies over the cap) costs a few requests,
        # not one per example: each may take the whole read timeout
        lost = state["no_answer"] = [*state["no_answer"], exchange.error.value][-UNRESPONSIVE_AFTER:] \
            if exchange.error is not None else []
        if len(lost) >= UNRESPONSIVE_AFTER:
            state["unresponsive"] = (f"stopped sending: the last {len(lost)} answers never came whole "
                                     f"({', '.join(sorted(set(lost)))})")
        failed, noted = split_findings(judge_survey(Observation(exchange, SURVEY, context), valid=case.valid,
                                                    description=case.description), lenient_fails=bool(lenient_fails))
        for violation in noted:
            seen = findings.get(case.family)
            findings[case.family] = Finding(case, exchange, violation) if seen is None else \
                replace(seen, count=seen.count + 1)
        found = tuple(failed)
        if not found:
            return None
        verdicts[key] = (exchange, found)
        return exchange, found

    def search(index: int, known: list[Failure], replay: bool) -> list[BaseException]:
        """One hypothesis run in which the failures of earlier runs count as passes."""

        @settings(
            max_examples=config.max_examples,
            deadline=None,
            database=DirectoryBasedExampleDatabase(config.database) if config.database else None,
            phases=(Phase.explicit, Phase.reuse) if replay else
            (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
            report_multiple_bugs=True,
            suppress_health_check=list(HealthCheck),
            verbosity=Verbosity.quiet,
            print_blob=False,
        )
        @_canary_examples(index == 0 and not replay, target.sid)
        @given(case=survey_cases(target.sid))
        def survey_property(case: SurveyCase) -> None:
            progress.examples += 1
            progress.by_family[case.family] += 1
            verdict = send(case)
            if on_progress is not None:
                on_progress(progress)
            if verdict is None:
                return
            exchange, found = verdict
            if is_known(case, found, known):
                return
            progress.failing += 1
            progress.failing_by_family[case.family] += 1
            state["search_failing"] += 1
            if progress.first_failure_at is None:
                progress.first_failure_at = progress.examples
            raise failure_type(failure_kind(case, found))(case, exchange, found)

        digest = (config.database_key or target.base_url or "embedded") + (f"#{index}" if index else "")
        inner = survey_property.hypothesis.inner_test  # type: ignore[attr-defined]
        inner._hypothesis_internal_add_digest = digest.encode("utf-8")
        # hypothesis.seed() would also switch the database off; ecekit wants both a known seed and
        # remembered failures, so it sets the seed the way seed() does, and keeps the settings.
        survey_property._hypothesis_internal_use_seed = run_seed + index  # type: ignore[attr-defined]
        state["search_failing"] = 0
        try:
            survey_property()
        except _OutOfTime:
            state["out_of_time"] = True
            return [_OutOfTime()]
        except BaseException as exc:
            return [exc]
        return []

    def searches(replay: bool) -> tuple[list[Failure], list[str]]:
        """Searches until one finds nothing new (or, replaying, until nothing more is remembered)."""
        failures: list[Failure] = []
        notes: list[str] = []
        for index in range(MAX_SEARCHES):
            raised = search(index, failures, replay)
            skipped = any(isinstance(e, unittest.SkipTest) for e in raised)
            found, more_notes = _collect([e for e in raised if not isinstance(e, _OutOfTime)])
            failures += found
            notes += more_notes
            if state["out_of_time"] or skipped or not (found or replay):
                break
        return failures, notes

    remembered_first = False
    try:
        failures: list[Failure] = []
        notes: list[str] = []
        if config.database is not None and not config.replay:
            # the failures remembered last time are re-sent first; while they still fail, they are
            # what to fix, and generating new examples would only find them again
            failures, notes = searches(replay=True)
            remembered_first = bool(failures)
        if not failures and not config.replay and not state["out_of_time"]:
            failures, notes = searches(replay=False)
        elif config.replay:
            failures, notes = searches(replay=True)
        fetches, fetch_notes = _fetches(canary, armed_cases)
    finally:
        client.close()
        stack.close()
    notes = [n for n in notes if not n.startswith("nothing to replay")] if failures else notes[:1]
    notes += fetch_notes
    if remembered_first:
        notes.append("remembered failures replayed first still fail: no new examples generated "
                     "(fix them and run again, or pass --no-database to search afresh)")
    if state["unresponsive"]:
        notes.append(state["unresponsive"])
    return FuzzResult(merge(failures) + fetches, progress, run_seed, config,
                      state["out_of_time"] and not state["unresponsive"], state["unresponsive"], notes,
                      sorted(findings.values(), key=lambda f: f.case.family), bool(lenient_fails),
                      remembered_first=remembered_first)


_T = TypeVar("_T")


def _canary_examples(wanted: bool, sid: str | None) -> Callable[[_T], _T]:
    """On the first search, the DOCTYPEs that name the canary as explicit examples: whether the server
    fetches them (``survey_xxe``) must not depend on what hypothesis happens to draw."""

    def decorate(test: _T) -> _T:
        for case in canary_cases(sid) if wanted else ():
            test = example(case=case)(test)  # type: ignore[type-var]
        return test

    return decorate


MAX_ARMED_CASES = 10_000
FETCHES_SHOWN = 3  # per family: the first fetched URLs, each with its survey


def _fetches(canary: Canary | None, armed_cases: dict[str, SurveyCase]) -> tuple[list[Failure], list[str]]:
    """``survey_xxe`` failures from what reached the canary (after a grace for late fetches), one per
    hostile family, each naming the URLs fetched and the survey that named them; and notes."""
    if canary is None:
        return [], [UNOBSERVED]
    canary.settle()
    by_family: dict[str, list[tuple[SurveyCase, Exchange, Violation]]] = {}
    notes: list[str] = []
    for found in fetched(canary):
        case = armed_cases.get(found.token or "")
        if case is None or found.exchange is None:
            notes.append(f"{XXE}: {found.violation.message} ({found.violation.actual})")
            continue
        by_family.setdefault(case.family, []).append((case, found.exchange, found.violation))
    failures = []
    for family, hits in sorted(by_family.items()):
        case, exchange, _ = hits[0]
        violations = tuple(v for _, _, v in hits[:FETCHES_SHOWN])
        more = len(hits) - len(violations)
        failures.append(Failure(f"{family}:{XXE}", case, exchange, violations,
                                also=(f"{more} more fetched URL(s) of this family",) if more else ()))
    return failures, notes


def _collect(raised: list[BaseException]) -> tuple[list[Failure], list[str]]:
    """Our failures out of whatever hypothesis raised (one, a group, a Flaky wrapper)."""
    failures: dict[str, Failure] = {}
    notes: list[str] = []
    pending = list(raised)
    while pending:
        exc = pending.pop(0)
        if isinstance(exc, SurveyFailure):
            failures.setdefault(exc.kind, Failure(exc.kind, exc.case, exc.exchange, exc.violations))
        elif isinstance(exc, BaseExceptionGroup):
            if type(exc).__name__.startswith("Flaky"):
                notes.append(f"hypothesis: {str(exc).splitlines()[0]}")
            pending.extend(exc.exceptions)
        elif isinstance(exc, unittest.SkipTest):  # --replay with nothing remembered
            notes.append("nothing to replay: no failure is remembered for this target")
        else:
            raise exc
    return list(failures.values()), notes
