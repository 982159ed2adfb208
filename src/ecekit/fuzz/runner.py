"""A fuzz run against a server's survey operation: the search (:mod:`ecekit.fuzz.search`) wired to a
real client, the XXE canary and the pacing, and the run's result.

What the search adds to hypothesis is told there: failures told apart by kind and merged into one
report per fault (:mod:`ecekit.fuzz.failures`), a budget of examples and time, cached failing verdicts.
This module adds the wire: each case is sent paced (``rate_limit``), its DOCTYPE pointed at the canary,
and what reached the canary becomes ``survey_xxe`` failures after the search. The seed is always known,
and failures go to a hypothesis example database (``.ecekit/fuzz-db`` by default) keyed by the target.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ecekit.canary import UNOBSERVED, Canary, for_target
from ecekit.checks.base import Context, Violation
from ecekit.checks.xxe import XXE, fetched
from ecekit.client import Client, Exchange
from ecekit.fuzz.failures import Failure, Finding
from ecekit.fuzz.pacing import Pacer
from ecekit.fuzz.search import Progress, SurveySearch
from ecekit.fuzz.strategies import SurveyCase
from ecekit.operations import SURVEY
from ecekit.target import Target

__all__ = ["DEFAULT_DATABASE", "Failure", "Finding", "FuzzConfig", "FuzzResult", "Progress", "Sender", "fuzz"]

DEFAULT_DATABASE = Path(".ecekit") / "fuzz-db"
"""Where failures are remembered, relative to the working directory (the project folder)."""


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


MAX_ARMED_CASES = 10_000


@dataclass
class Sender:
    """Sends a case as the search's ``send``: paced, with the canary's URL in its DOCTYPE, and the armed
    cases kept (as sent) so a fetch can name the survey that caused it."""

    client: Client
    canary: Canary | None
    pacer: Pacer
    armed_cases: dict[str, SurveyCase] = field(default_factory=dict)

    def __call__(self, case: SurveyCase) -> Exchange:
        self.pacer.wait()
        body, armed = self.canary.arm(case.body, case.description) if self.canary is not None else (case.body, None)
        exchange = self.client.call(SURVEY, body=body, headers=case.headers())
        if armed is not None:
            armed.exchange = exchange
            if len(self.armed_cases) < MAX_ARMED_CASES:
                self.armed_cases[armed.token] = replace(case, body=body)
        return exchange


def fuzz(target: Target, config: FuzzConfig = FuzzConfig(), *, valid_needs_204: bool | None = None,
         lenient_acceptance_fails: bool | None = None,
         on_progress: Callable[[Progress], None] | None = None,
         on_exchange: Callable[[Exchange], None] | None = None) -> FuzzResult:
    """Fuzz ``target``'s survey operation; every failure comes back shrunk, none is raised.

    ``valid_needs_204``: a valid survey must get exactly 204. Default: the target's rule
    (:attr:`Target.valid_needs_204`; a started embedded server has a base URL, so its caller says so).
    ``lenient_acceptance_fails``: a survey only a lenient server accepts is a failure, not a finding
    (default: the target's).
    """
    strict = target.valid_needs_204 if valid_needs_204 is None else valid_needs_204
    lenient_fails = target.lenient_acceptance_fails if lenient_acceptance_fails is None else lenient_acceptance_fails
    run_seed = config.seed if config.seed is not None else secrets.randbelow(1 << 32)
    context = Context(target=target, valid_needs_204=strict)
    pacer = Pacer(config.rate_limit)
    with for_target(target.base_url, target.canary_url) as canary, Client(target, on_exchange=on_exchange) as client:
        sender = Sender(client, canary, pacer)
        search = SurveySearch(sender, context, seed=run_seed, key=config.database_key or target.base_url or "embedded",
                              max_examples=config.max_examples, max_time=config.max_time, database=config.database,
                              lenient_fails=bool(lenient_fails), on_progress=on_progress)
        failures = search.run(replay=config.replay)
        fetches, fetch_notes = _fetches(canary, sender.armed_cases)
    notes = [*search.notes, *fetch_notes]
    if search.remembered_first:
        notes.append("remembered failures replayed first still fail: no new examples generated "
                     "(fix them and run again, or pass --no-database to search afresh)")
    if search.unresponsive:
        notes.append(search.unresponsive)
    return FuzzResult(failures + fetches, search.progress, run_seed, config,
                      search.out_of_time and not search.unresponsive, search.unresponsive, notes,
                      sorted(search.findings.values(), key=lambda f: f.case.family), bool(lenient_fails),
                      remembered_first=search.remembered_first)


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
