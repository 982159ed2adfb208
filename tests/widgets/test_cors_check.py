"""The ``cors`` check (``--origin``), in process: which Access-Control-Allow-Origin lets a page on the
site read the answer, and that a violation names the origin and what came back."""

from __future__ import annotations

import dataclasses

import pytest

from ecekit import operations
from ecekit.checks import run_checks
from ecekit.checks.base import Context, Observation
from ecekit.checks.widget import allowed_origin
from ecekit.client import Exchange
from tests.checks.helpers import TARGET, body

SITE = "https://www.example.com"
OP = operations.CHAT_ALLOWED


def _answer(allow: str | None) -> Exchange:
    headers = {"content-type": "application/xml"}
    if allow is not None:
        headers["access-control-allow-origin"] = allow
    return Exchange(OP.name, "GET", "http://ece.test/system/x", "1001", status=200, response_headers=headers,
                    body=body(OP, allowed="true"), elapsed=0.01)


@pytest.mark.parametrize(("allow", "readable"), [
    (SITE, True), (SITE + "/", True), (" " + SITE + " ", True), ("*", True),
    (None, False), ("", False), ("null", False), ("https://evil.example.com", False),
    ("http://www.example.com", False),  # another scheme is another origin
    ("https://www.example.com:8443", False),  # another port too
    ("https://www.example.com.evil.example", False),
])
def test_which_allow_origin_lets_the_site_read_the_answer(allow: str | None, readable: bool) -> None:
    assert allowed_origin(_answer(allow), SITE) is readable


@pytest.mark.parametrize("allow", [None, "https://other.example"])
def test_the_cors_check_reports_a_blocked_answer(allow: str | None) -> None:
    target = dataclasses.replace(TARGET, origin=SITE)
    (violation,) = run_checks(Observation(_answer(allow), OP, Context(target)), ("cors",))
    assert violation.check == "cors" and SITE in violation.message
    assert violation.expected == f"Access-Control-Allow-Origin: {SITE} (or *)"
    assert violation.actual == (f"Access-Control-Allow-Origin: {allow}" if allow else "no Access-Control-Allow-Origin")


def test_the_cors_check_passes_an_allowed_answer_and_is_silent_without_an_origin() -> None:
    target = dataclasses.replace(TARGET, origin=SITE)
    assert run_checks(Observation(_answer(SITE), OP, Context(target)), ("cors",)) == []
    assert run_checks(Observation(_answer(None), OP, Context(TARGET)), ("cors",)) == []
