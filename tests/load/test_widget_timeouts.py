"""The two ways an answer is too slow for the visitor, each decided alone.

A page view has two clocks: the profile's ``timeout`` (when the generator's transport gives up: a
failure ``timeout``) and the widget's ``timeout`` (when the widget on the page shows an error even if
an answer comes later). When both are equal, a late answer is always also a transport timeout, so
either rule alone gives the visitor an error and a break of one is hidden by the other. Here they
differ on purpose:

* widget timeout shorter than the profile's: a clean answer arrives after the widget gave up; only
  the visitor's lateness rule (:func:`ecekit.load.visitor.widget_state`) makes it an error;
* widget timeout longer than the profile's: the transport gives up first and the answer is a
  failure that arrived in time for the widget; only the checker's state for failures
  (:class:`ecekit.load.checking.FastChecker`) makes it an error.
"""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from ecekit import operations as ops
from ecekit.client import TransportError
from ecekit.load.checking import FastChecker, Verdict
from ecekit.load.outcomes import Outcomes
from ecekit.load.profile import Call, Profile
from ecekit.load.visitor import PageView, page_view, poll, widget_state
from ecekit.widgets import BUNDLED, State
from tests.checks.helpers import TARGET, body

CA = ops.CHAT_ALLOWED
XML = "application/xml;charset=UTF-8"
WIDGET = BUNDLED["chat-allowed"]
CLEAN = Verdict(None, (), allowed=True, state=State.AVAILABLE.value)


class Clock:
    """Each read of the clock is ``step`` seconds after the one before: every answer takes ``step``."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 100.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def _view(verdict: Verdict, *, widget_timeout: float, profile_timeout: float, answer_s: float) -> PageView:
    widget = replace(WIDGET, timeout=widget_timeout)
    profile = Profile("p", (Call(CA),), timeout=profile_timeout)
    return page_view(PageView("1001"), profile, 100.0, lambda *_: verdict, Clock(answer_s),
                     random.Random(0), widget=widget, outcomes=Outcomes())


def test_the_boundary_of_the_widget_timeout() -> None:
    assert widget_state(CLEAN, WIDGET, WIDGET.timeout) == "available"  # in time, just
    assert widget_state(CLEAN, WIDGET, WIDGET.timeout + 0.001) == "error"
    assert widget_state(Verdict(None, ()), WIDGET, 0.1) == "error"  # an answer that gave no state


def test_a_clean_answer_later_than_the_widget_timeout_is_an_error() -> None:
    """Widget 1 s, transport 10 s, the answer after 2 s: no failure, yet the visitor saw an error."""
    page = _view(CLEAN, widget_timeout=1.0, profile_timeout=10.0, answer_s=2.0)
    assert page.state == "error" and page.ever_error
    in_time = _view(CLEAN, widget_timeout=3.0, profile_timeout=10.0, answer_s=2.0)
    assert in_time.state == "available" and not in_time.ever_error


def test_a_poll_answered_later_than_the_widget_timeout_is_an_error() -> None:
    widget = replace(WIDGET, timeout=1.0)
    page = PageView("1001", state="available", arrival=0.0)
    clock = Clock(2.0)
    poll(page, CA, clock.now, lambda *_: CLEAN, clock, widget=widget, outcomes=Outcomes())
    assert page.state == "error" and page.ever_error


@pytest.fixture(scope="module")
def checker() -> FastChecker:
    return FastChecker(TARGET, widget=WIDGET)


@pytest.mark.parametrize("error", list(TransportError))
def test_a_transport_failure_shows_the_widget_an_error(checker: FastChecker, error: TransportError) -> None:
    verdict = checker.judge(CA, "/x", "1001", status=None, content_type="", body=b"", elapsed=1.0,
                            error=error, error_detail="gave up")
    assert verdict.failure == error.value and verdict.state == "error"


def test_a_transport_timeout_before_the_widget_timeout_is_an_error(checker: FastChecker) -> None:
    """Transport 1 s, widget 5 s: the generator gave up after 1 s, in time for the widget. The error
    comes from the failure itself, not from lateness."""
    verdict = checker.judge(CA, "/x", "1001", status=None, content_type="", body=b"", elapsed=1.0,
                            error=TransportError.TIMEOUT, error_detail="read timed out")
    page = _view(verdict, widget_timeout=5.0, profile_timeout=1.0, answer_s=1.0)
    assert page.state == "error"


def test_an_error_status_shows_the_widget_an_error_and_other_operations_no_state(checker: FastChecker) -> None:
    assert checker.judge(CA, "/x", "1001", status=503, content_type="", body=b"", elapsed=0.1).state == "error"
    clean = checker.judge(CA, "/x", "1001", status=200, content_type=XML, body=body(CA, allowed="true"),
                          elapsed=0.1)
    assert clean.state == "available"
    other = checker.judge(ops.CAPACITY, "/x", "1001", status=None, content_type="", body=b"", elapsed=1.0,
                          error=TransportError.TIMEOUT)
    assert other.state is None  # not the widget's operation: the page shows nothing for it
