"""The fuzz search (``ecekit.fuzz.search``) driven by fake servers, no socket: what it finds, how it
shrinks and merges, what it re-sends, where its budgets stop it, what it remembers.

The search draws from a tiny diet here (a valid case is ``n`` bytes of ``v``; a hostile one is its
family's name and ``n`` bytes of ``x``), so every shrunk payload is known exactly and a test takes
well under a second; time is a fake clock that the fake server advances.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

from hypothesis import strategies as st

from ecekit.checks.base import Context, Violation
from ecekit.client import Exchange, TransportError
from ecekit.fuzz.failures import Failure, is_known, merge
from ecekit.fuzz.hostile import canary_cases
from ecekit.fuzz.search import Progress, SurveySearch, Unanswered
from ecekit.fuzz.strategies import Style, SurveyCase, pair_items, render
from ecekit.operations import SURVEY
from ecekit.target import Target

TARGET = Target(base_url="http://ece.test/system")
FAMILIES = ("not_xml", "truncated", "wrong_root")
CANARY_CASES = len(canary_cases())  # explicit examples of every first search


def valid(n: int) -> SurveyCase:
    traits = frozenset({"long_text"}) if n > 50 else frozenset()
    return SurveyCase(b"v" * n, "application/xml", True, f"valid, {n} bytes", traits=traits)


def hostile(family: str, n: int) -> SurveyCase:
    return SurveyCase(family.encode() + b"x" * n, "application/xml", False, f"{family}: {n} bytes", family)


TINY = st.one_of(st.builds(valid, st.integers(0, 100)),
                 st.builds(hostile, st.sampled_from(FAMILIES), st.integers(0, 100)))

Answer = Callable[[SurveyCase], "int | TransportError"]


class Fake:
    """A server whose answer is a function of the case; it keeps every case it was sent, and may move
    a clock forward by ``tick`` seconds per request."""

    def __init__(self, answer: Answer, clock: list[float] | None = None, tick: float = 0.0) -> None:
        self.answer, self.clock, self.tick = answer, clock, tick
        self.sent: list[SurveyCase] = []

    def __call__(self, case: SurveyCase) -> Exchange:
        self.sent.append(case)
        if self.clock is not None:
            self.clock[0] += self.tick
        ex = Exchange(SURVEY.name, SURVEY.method, TARGET.url(SURVEY), request_headers=case.headers(),
                      request_body=case.body)
        got = self.answer(case)
        if isinstance(got, TransportError):
            ex.error, ex.error_detail = got, f"simulated {got.value}"
        else:
            ex.status, ex.elapsed = got, 0.001
        return ex


def careful(case: SurveyCase) -> int | TransportError:
    return 204 if case.valid else 400


def fails_valid_from_10_bytes(case: SurveyCase) -> int | TransportError:
    return 500 if case.valid and len(case.body) >= 10 else careful(case)


def fails_tiny_hostile(case: SurveyCase) -> int | TransportError:
    return 500 if case.family in FAMILIES else careful(case)


def fails_both(case: SurveyCase) -> int | TransportError:
    return 500 if 500 in (fails_valid_from_10_bytes(case), fails_tiny_hostile(case)) else careful(case)


def search(send: Fake, **settings: object) -> SurveySearch:
    chosen: dict[str, object] = {"seed": 1, "key": "fake", "max_examples": 30, "cases": TINY, **settings}
    lenient_fails = bool(chosen.pop("lenient_fails", True))
    return SurveySearch(send, Context(target=TARGET, valid_needs_204=True), lenient_fails=lenient_fails,
                        **chosen)  # type: ignore[arg-type]


def test_a_careful_server_passes_and_every_example_is_one_request() -> None:
    fake = Fake(careful)
    s = search(fake, max_examples=30)
    assert s.run() == []
    assert len(fake.sent) == s.progress.requests == s.progress.examples
    assert 30 <= s.progress.examples <= 30 + CANARY_CASES
    assert {c.body for c in fake.sent[:CANARY_CASES]} == {c.body for c in canary_cases()}  # sent first
    assert not s.out_of_time and not s.unresponsive and s.notes == []


def test_a_500_is_found_and_shrunk_to_the_smallest_failing_case() -> None:
    fake = Fake(fails_valid_from_10_bytes)
    s = search(fake)
    failures = s.run()
    assert [f.kind for f in failures] == ["valid[plain]:not_a_server_error"]  # valid[long_text] is explained
    head = failures[0]
    assert head.case.body == b"v" * 10
    assert head.exchange.status == 500 and head.checks == {"not_a_server_error"}
    assert s.progress.failing >= 1 and s.progress.failing_by_family["valid"] == s.progress.failing
    assert s.progress.first_failure_at is not None and s.progress.first_failure_at <= s.progress.examples


def test_a_failing_payload_is_sent_once_however_often_hypothesis_tries_it() -> None:
    fake = Fake(fails_valid_from_10_bytes)
    s = search(fake)
    assert s.run()
    failing = Counter(c.body for c in fake.sent if fails_valid_from_10_bytes(c) == 500)
    assert failing and set(failing.values()) == {1}
    assert s.progress.examples > s.progress.requests  # the rest came from the cache


def test_a_flaky_failure_is_reported_from_its_cached_verdict() -> None:
    """The server fails the first valid survey only; the replay of that example must fail again."""
    first: list[bytes] = []

    def once(case: SurveyCase) -> int | TransportError:
        if case.valid and not first:
            first.append(case.body)
            return 500
        return careful(case)

    s = search(Fake(once))
    failures = s.run()
    assert [f.case.body for f in failures] == first
    assert s.notes == []  # hypothesis saw no flakiness


def test_hostile_families_that_break_the_same_check_are_one_report() -> None:
    s = search(Fake(fails_tiny_hostile), max_examples=50)
    failures = s.run()
    assert [(f.kind, f.case.body) for f in failures] == [("not_xml:not_a_server_error", b"not_xml")]
    assert failures[0].also == ("truncated (9 bytes)", "wrong_root (10 bytes)")


def test_failures_found_by_earlier_searches_are_reported_once() -> None:
    """Each search counts the earlier ones' failures as passes, and the run ends with one that finds
    nothing new: each fault once, however many searches it took."""
    failures = search(Fake(fails_both), max_examples=50).run()
    assert [f.kind for f in failures] == ["valid[plain]:not_a_server_error", "not_xml:not_a_server_error"]


def violation(check: str) -> Violation:
    return Violation(check, SURVEY.name, f"{check} broken")


def failure(case: SurveyCase, *checks: str) -> Failure:
    return Failure("k", case, Exchange(SURVEY.name, SURVEY.method, "http://x"), tuple(map(violation, checks)))


def test_merge_drops_a_valid_failure_explained_by_one_with_fewer_traits() -> None:
    plain, long = failure(valid(10), "a"), failure(valid(60), "a")
    long_other = failure(valid(70), "b")
    assert merge([long, plain, long_other]) == [plain, long_other]
    assert merge([long]) == [long]


def test_is_known_by_checks_and_by_traits_or_family() -> None:
    known = [failure(valid(10), "a"), failure(hostile("truncated", 1), "a")]
    a = (violation("a"),)
    assert is_known(valid(60), a, known)  # more traits, same checks
    assert not is_known(valid(60), (*a, violation("b")), known)  # other checks
    assert is_known(hostile("truncated", 5), a, known)
    assert not is_known(hostile("not_xml", 5), a, known)  # another family
    assert not is_known(valid(60), a, known[1:])  # a hostile failure explains no valid one


def test_the_time_budget_ends_a_search_with_nothing_to_shrink() -> None:
    clock = [0.0]
    fake = Fake(careful, clock, tick=1.0)
    s = search(fake, max_examples=1000, max_time=5, clock=lambda: clock[0])
    assert s.run() == []
    assert s.out_of_time
    assert len(fake.sent) == 6  # at t = 0, 1, ... 5; at 6 the budget is spent


def test_the_time_budget_stops_sending_but_what_failed_is_still_reported() -> None:
    clock = [0.0]
    fake = Fake(fails_valid_from_10_bytes, clock, tick=1.0)
    s = search(fake, max_examples=1000, max_time=20, clock=lambda: clock[0])
    failures = s.run()
    assert s.out_of_time and len(fake.sent) == 21
    assert failures and all(f.kind.startswith("valid[") for f in failures)
    assert {f.case.body for f in failures} <= {c.body for c in fake.sent}  # shrunk on cached verdicts only


def test_three_answers_in_a_row_that_never_came_whole_stop_sending() -> None:
    fake = Fake(lambda _: TransportError.TIMEOUT)
    s = search(fake)
    failures = s.run()
    assert len(fake.sent) == s.progress.requests == 3
    assert s.unresponsive == "stopped sending: the last 3 answers never came whole (timeout)"
    assert failures and s.out_of_time


def lost(error: TransportError | None) -> Exchange:
    ex = Exchange(SURVEY.name, SURVEY.method, "http://x", status=None if error else 204)
    ex.error = error
    return ex


def test_a_whole_answer_between_lost_ones_starts_the_count_again() -> None:
    rationed = Unanswered()
    for error in (TransportError.TIMEOUT, TransportError.TOO_LARGE, None, TransportError.TIMEOUT,
                  TransportError.CONNECTION):
        rationed.note(lost(error))
    assert rationed.reason == ""
    rationed.note(lost(TransportError.TIMEOUT))
    assert rationed.reason == "stopped sending: the last 3 answers never came whole (connection, timeout)"


def test_remembered_failures_are_replayed_first_and_alone_while_they_fail(tmp_path: Path) -> None:
    db = tmp_path / "db"
    first = search(Fake(fails_valid_from_10_bytes), database=db)
    found = first.run()
    assert found and not first.remembered_first

    still = Fake(fails_valid_from_10_bytes)
    again = search(still, database=db, seed=2)
    assert [f.case.body for f in again.run()] == [f.case.body for f in found]
    assert again.remembered_first and again.progress.examples <= 5  # no new examples generated

    fixed = Fake(careful)
    after_fix = search(fixed, database=db, seed=3)
    assert after_fix.run() == [] and not after_fix.remembered_first
    assert after_fix.progress.examples >= 30  # the replay passed, so the search went on to generate


def test_replay_alone_sends_only_what_is_remembered(tmp_path: Path) -> None:
    db = tmp_path / "db"
    search(Fake(fails_valid_from_10_bytes), database=db, key="mine").run()
    replayed = Fake(fails_valid_from_10_bytes)
    mine = search(replayed, database=db, key="mine")
    assert [f.case.body for f in mine.run(replay=True)] == [b"v" * 10]
    assert len(replayed.sent) <= 5
    assert mine.notes == []  # the next search's "nothing more to replay" is no news
    other = Fake(careful)
    s = search(other, database=db, key="another target")
    assert s.run(replay=True) == [] and other.sent == []
    assert s.notes == ["nothing to replay: no failure is remembered for this target"]


def lenient_case(answer: str) -> SurveyCase:
    """A valid survey labelled text/plain: a server that reads it anyway is lenient, not wrong."""
    body = render(Style(), sid="9999_ecec", items=pair_items([("q", answer)]))
    return SurveyCase(body, "text/plain", False, "wrong_content_type: text/plain", "wrong_content_type")


LENIENT = (lenient_case("a"), lenient_case("b"))


def accepts_the_lenient_cases(case: SurveyCase) -> int | TransportError:
    return 204 if case in LENIENT else careful(case)


def test_a_lenient_acceptance_is_a_finding_unless_the_run_is_strict() -> None:
    fake = Fake(accepts_the_lenient_cases)
    lenient = search(fake, cases=st.sampled_from(LENIENT), lenient_fails=False)
    assert lenient.run() == []
    finding = lenient.findings["wrong_content_type"]
    assert finding.violation.check == "survey_lenient"
    assert finding.case == next(c for c in fake.sent if c in LENIENT)  # the first, as sent
    assert finding.count == 2  # both cases of the family, each once

    strict = search(Fake(accepts_the_lenient_cases), cases=st.sampled_from(LENIENT))
    assert [f.kind for f in strict.run()] == ["wrong_content_type:survey_lenient"]
    assert strict.findings == {}


def test_progress_is_reported_after_every_example() -> None:
    seen: list[tuple[Progress, int]] = []
    s = search(Fake(careful), on_progress=lambda p: seen.append((p, p.examples)))
    s.run()
    assert [n for _, n in seen] == list(range(1, s.progress.examples + 1))
    assert all(p is s.progress for p, _ in seen)


def test_a_seed_repeats_the_search_and_another_seed_does_not() -> None:
    runs = {}
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        fake = Fake(careful)
        search(fake, seed=seed).run()
        runs[name] = [c.body for c in fake.sent]
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]
