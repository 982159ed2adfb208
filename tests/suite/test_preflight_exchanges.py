"""The preflights of a contract run (``--origin``): one per kind of request a page's browser preflights,
sent once, as a browser sends it (none of the user's header values), and not at all without an origin."""

from __future__ import annotations

from ecekit import operations
from ecekit.client import Exchange, TransportError
from ecekit.report.har import ExchangeLog
from ecekit.suite.cases import preflight_cases
from ecekit.suite.connection import Connection
from ecekit.suite.exchanges import Exchanges
from ecekit.target import Target

SITE = "https://www.example.com"


def test_one_preflight_per_kind_sent_once_as_a_browser_sends_it() -> None:
    sent: list[Exchange] = []
    target = Target(origin=SITE, headers={"X-Site": "secret-value"})
    connection = Connection(target, on_exchange=sent.append)
    try:
        exchanges = Exchanges(connection, ExchangeLog())
        cases = preflight_cases(connection.started())
        assert [c.id for c in cases] == ["chatAllowed-1001-preflight", "survey-preflight"]
        for case in cases + cases:
            ex = exchanges.preflight(case.preflight, case.entry_point)
            assert ex.method == "OPTIONS" and ex.status == 204, ex.describe()
        assert [(ex.operation, ex.entry_point) for ex in sent] == [("chatAllowed", "1001"), ("survey", None)]
        status, survey = sent
        assert status.request_headers["Access-Control-Request-Headers"] == "x-site"
        assert survey.request_headers["Access-Control-Request-Headers"] == "content-type,x-site"
        for ex in sent:
            assert ex.request_headers["Origin"] == SITE
            assert "X-Site" not in ex.request_headers and "secret-value" not in ex.curl()
            assert ex.response_headers["access-control-allow-origin"] == SITE
    finally:
        connection.close()


def test_no_preflight_without_an_origin() -> None:
    assert preflight_cases(Target(headers={"X-Site": "a"}, entry_points=("1001",))) == []


def test_a_server_that_stopped_answering_gets_no_preflight() -> None:
    connection = Connection(Target(origin=SITE))
    try:
        connection.started()
        connection._opened()[1].timeouts = 3  # as after three timeouts in a row
        ex = connection.preflight(operations.SURVEY, None, {"Origin": SITE})
        assert ex.error is TransportError.TIMEOUT and ex.error_detail.startswith("not sent")
        assert ex.method == "OPTIONS"
    finally:
        connection.close()
