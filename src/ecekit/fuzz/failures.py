"""Fuzz failures told apart by kind, one report per distinct fault; and findings, which fail nothing.

Each failure raises an exception *class* named after its kind: the strategy family (or, for a valid
survey, the traits that servers trip on: non-ASCII, long text, many pairs) plus the checks it broke.
Hypothesis keys bugs on the exception type, so with ``report_multiple_bugs`` it shrinks and reports each
kind separately; a failure whose traits are a superset of another's with the same checks is then
dropped as explained by the simpler one.
"""

from __future__ import annotations

import unittest
from dataclasses import dataclass, replace

from ecekit.checks.base import Violation
from ecekit.client import Exchange
from ecekit.fuzz.strategies import SurveyCase


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


@dataclass(frozen=True)
class Finding:
    """A lenient acceptance (``survey_lenient``) when the run is not strict about surveys: the first
    example of its hostile family, as sent (findings are not shrunk: they fail nothing)."""

    case: SurveyCase
    exchange: Exchange
    violation: Violation
    count: int = 1  # examples of the family that got the same answer


class SurveyFailure(AssertionError):
    """Raised inside the property; one subclass per failure kind (see the module docstring)."""

    kind = ""

    def __init__(self, case: SurveyCase, exchange: Exchange, violations: tuple[Violation, ...]) -> None:
        super().__init__(f"{self.kind}: " + "; ".join(v.headline() for v in violations))
        self.case, self.exchange, self.violations = case, exchange, violations


_KINDS: dict[str, type[SurveyFailure]] = {}


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


def collect(raised: list[BaseException]) -> tuple[list[Failure], list[str]]:
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
