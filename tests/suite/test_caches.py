"""What a contract run asks the server once and keeps: each answer, each context, each repeated read,
and the exchanges for the HAR file. A fake connection stands for the server: it counts what is sent."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pytest

from ecekit import operations
from ecekit.checks import json_parity
from ecekit.checks.base import Role
from ecekit.client import Exchange
from ecekit.report.har import ExchangeLog
from ecekit.suite.contexts import Contexts
from ecekit.suite.exchanges import Exchanges
from ecekit.suite.repeated_reads import RepeatedReads
from ecekit.target import Target
from tests.checks.helpers import exchange

LIVE = Target(base_url="http://127.0.0.1:9/system", entry_points=("1001",))


def answer(op: operations.Operation, ep: str | None = None, kw: Any = None) -> Exchange:
    """A good XML answer, as a correct server gives it."""
    return exchange(op, entry_point=ep or "1001")


class FakeConnection:
    """The part of :class:`ecekit.suite.connection.Connection` the caches use; answers from ``answers``."""

    def __init__(self, answers: Any = None) -> None:
        self.target = LIVE.replace(base_url=None)
        self.sent: list[tuple[str, str | None, dict[str, Any]]] = []
        self.answers = answers or answer
        self.is_open = False
        self.entered: list[Any] = []

    def started(self) -> Target:
        self.is_open = True
        return LIVE

    def call(self, op: operations.Operation, entry_point: str | None = None, **kw: Any) -> Exchange:
        self.started()
        self.sent.append((op.name, entry_point, kw))
        return self.answers(op, entry_point, kw)

    def enter(self, context: contextlib.AbstractContextManager[Any]) -> Any:
        self.entered.append(context)
        return context.__enter__()


def exchanges_on(connection: FakeConnection) -> Exchanges:
    return Exchanges(connection, ExchangeLog())  # type: ignore[arg-type]


def test_each_status_answer_is_fetched_once() -> None:
    connection = FakeConnection()
    exchanges = exchanges_on(connection)
    first = exchanges.exchange(operations.CAPACITY, "1001")
    assert exchanges.exchange(operations.CAPACITY, "1001") is first
    exchanges.exchange(operations.CAPACITY, "1002")
    exchanges.exchange(operations.CHAT_ALLOWED, "1001")
    exchanges.call(operations.CAPACITY, "1001")  # a fresh call is always sent
    assert [(op, ep) for op, ep, _ in connection.sent] == [
        ("capacity", "1001"), ("capacity", "1002"), ("chatAllowed", "1001"), ("capacity", "1001")]


def test_a_survey_without_the_placeholder_starts_no_canary() -> None:
    connection = FakeConnection()
    exchanges = exchanges_on(connection)
    exchanges.survey_call(b"<egainSurvey/>", {"Content-Type": "application/xml"}, "plain")
    assert connection.entered == []
    assert connection.sent == [("survey", None, {"body": b"<egainSurvey/>",
                                                 "headers": {"Content-Type": "application/xml"}})]


def test_the_canary_is_started_once_and_arms_the_surveys_that_name_it() -> None:
    from ecekit.canary import PLACEHOLDER

    connection = FakeConnection()
    exchanges = exchanges_on(connection)
    body = f'<!DOCTYPE egainSurvey SYSTEM "{PLACEHOLDER}x.dtd"><egainSurvey/>'.encode()
    try:
        sent = exchanges.survey_call(body, {}, "names the canary")
        exchanges.survey_call(body, {}, "again")
        canary = exchanges.canary()
        assert canary is not None and len(connection.entered) == 1
        assert PLACEHOLDER.encode() not in connection.sent[0][2]["body"]
        armed = sorted(canary.armed.values(), key=lambda a: a.sent_at)
        assert [a.description for a in armed] == ["names the canary", "again"]
        assert armed[0].exchange is sent
    finally:
        for context in connection.entered:
            context.__exit__(None, None, None)


def test_contexts_are_made_once_per_role_and_strictness() -> None:
    contexts = Contexts(FakeConnection(), valid_needs_204=True)  # type: ignore[arg-type]
    assert contexts.context() is contexts.context(Role.ANY, valid_needs_204=True)
    assert contexts.context().valid_needs_204
    lax = contexts.context(valid_needs_204=False)
    assert lax is not contexts.context() and not lax.valid_needs_204
    assert contexts.context(Role.INACTIVE).role is Role.INACTIVE
    assert contexts.context().target == LIVE  # the started target: the one with a base URL


def json_answers(disagreeing: int) -> Any:
    """A server whose first ``disagreeing`` JSON answers carry another count than its XML."""
    asked = {"json": 0}

    def answers(op: operations.Operation, ep: str | None, kw: dict[str, Any]) -> Exchange:
        if kw.get("headers") == json_parity.ACCEPT_JSON:
            asked["json"] += 1
            count = 5 if asked["json"] <= disagreeing else 4
            return exchange(op, f'{{"count":{count}}}'.encode(), content_type="application/json")
        return exchange(op, count=4)

    return answers


@pytest.mark.parametrize(("disagreeing", "pairs", "violated"), [(0, 1, False), (1, 2, False), (5, 3, True)])
def test_json_parity_counts_only_a_disagreement_on_every_pair(disagreeing: int, pairs: int, violated: bool) -> None:
    connection = FakeConnection(json_answers(disagreeing))
    reads = RepeatedReads(exchanges_on(connection), times=3)
    found, xml_ex, json_ex = reads.json_parity(operations.CAPACITY, "1001")
    assert len(connection.sent) == 2 * pairs
    assert bool(found) is violated
    assert json_ex.content_type == "application/json" and xml_ex.content_type == "application/xml"
    assert reads.json_parity(operations.CAPACITY, "1001")[0] is found  # judged once per run
    assert len(connection.sent) == 2 * pairs


def test_consistency_is_judged_once_per_entry_point_and_remembers_its_reads() -> None:
    connection = FakeConnection()
    reads = RepeatedReads(exchanges_on(connection), times=3)
    judged = reads.contradictions("1001")
    sent = len(connection.sent)
    assert sent % len(operations.STATUS_OPERATIONS) == 0 and sent > 0
    assert reads.contradictions("1001") is judged and len(connection.sent) == sent
    assert len(reads.reads("1001")) == sent // len(operations.STATUS_OPERATIONS)
    assert reads.reads("1002") and len(connection.sent) > sent  # reads() judges an entry point not yet read


def test_the_har_log_keeps_a_bounded_number_and_counts_the_rest() -> None:
    log = ExchangeLog(limit=2)
    made = [answer(operations.CAPACITY) for _ in range(5)]
    for ex in made:
        log.keep(ex)
    assert log.kept == made[:2] and log.dropped == 3


def test_the_har_file_says_how_many_exchanges_were_not_kept(tmp_path: Path) -> None:
    log = ExchangeLog(limit=1)
    for _ in range(3):
        log.keep(answer(operations.CAPACITY))
    har = json.loads(log.write(tmp_path, "ecekit fuzz").read_text())
    assert har["log"]["comment"] == "ecekit fuzz: 1 exchanges (2 more not kept)"
    assert len(har["log"]["entries"]) == 1
