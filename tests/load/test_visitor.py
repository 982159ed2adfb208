"""One page view and its polls, step by step (pure): the order and timing of the calls, shares, when a
widget breaks, the survey; when the polls fall."""

from __future__ import annotations

import random

import pytest

from ecekit import operations as ops
from ecekit.load.checking import Verdict
from ecekit.load.profile import Call, Poll, Profile
from ecekit.load.visitor import PageView, page_view, poll_times

CA, AA, CAP, LSS = ops.CHAT_ALLOWED, ops.AGENT_AVAILABILITY, ops.CAPACITY, ops.LIVE_SESSION_STATUS


class Script:
    """A caller that answers from a script and a clock that ticks one second per read."""

    def __init__(self, verdicts: dict[str, Verdict] | None = None) -> None:
        self.verdicts = verdicts or {}
        self.calls: list[tuple[str, str | None, float, bytes | None]] = []
        self.now = 100.0

    def __call__(self, op: ops.Operation, ep: str | None, due: float, body: bytes | None) -> Verdict:
        self.calls.append((op.name, ep, due, body))
        return self.verdicts.get(op.name, Verdict(None, (), allowed=True if op is CA else None))

    def clock(self) -> float:
        self.now += 1.0
        return self.now


class Rng(random.Random):
    """random() from a list; expovariate returns its fixed value and records the rate asked for."""

    def __init__(self, randoms: list[float] = (), exp: float = 0.0) -> None:  # type: ignore[assignment]
        super().__init__(0)
        self.randoms, self.exp, self.rates = list(randoms), exp, []

    def random(self) -> float:
        return self.randoms.pop(0) if self.randoms else 0.0

    def expovariate(self, lambd: float) -> float:
        self.rates.append(lambd)
        return self.exp


def test_calls_in_order_each_due_when_the_previous_ended() -> None:
    prof = Profile("p", (Call(CA), Call(AA), Call(CAP)))
    s = Script()
    page = page_view(PageView("1007"), prof, 5.0, s, s.clock, Rng())
    assert s.calls == [("chatAllowed", "1007", 5.0, None), ("agentAvailability", "1007", 101.0, None),
                       ("capacity", "1007", 102.0, None)]
    assert page.allowed is True and page.broken is False


def test_a_skipped_call_does_not_end_the_page_view() -> None:
    prof = Profile("p", (Call(CA), Call(AA, share=0.5), Call(LSS, when="allowed"), Call(CAP, share=1.0)))
    s = Script({CA.name: Verdict(None, (), allowed=False)})
    page_view(PageView("1"), prof, 0.0, s, s.clock, Rng(randoms=[0.5]))  # 0.5 is not below a share of 0.5
    assert [c[0] for c in s.calls] == ["chatAllowed", "capacity"]
    s = Script()
    page_view(PageView("1"), prof, 0.0, s, s.clock, Rng(randoms=[0.49]))
    assert [c[0] for c in s.calls] == ["chatAllowed", "agentAvailability", "liveSessionStatus", "capacity"]


@pytest.mark.parametrize("verdict", [Verdict("timeout", ()), Verdict(None, ("xsd",))])
def test_a_failure_or_a_violation_breaks_the_widget(verdict: Verdict) -> None:
    prof = Profile("p", (Call(CA), Call(AA)))
    s = Script({AA.name: verdict})
    assert page_view(PageView("1"), prof, 0.0, s, s.clock, Rng()).broken is True


def test_the_survey_only_with_a_sid_and_within_its_share() -> None:
    prof = Profile("p", (Call(CA),), survey_share=0.25)
    s = Script()
    page_view(PageView("1"), prof, 0.0, s, s.clock, Rng(randoms=[0.0]))
    assert [c[0] for c in s.calls] == ["chatAllowed"]  # no sid: writes are off
    s = Script()
    page_view(PageView("1"), prof, 0.0, s, s.clock, Rng(randoms=[0.25]), survey_sid="1000_x")
    assert [c[0] for c in s.calls] == ["chatAllowed"]  # 0.25 is not below the share
    s = Script()
    page_view(PageView("1"), prof, 0.0, s, s.clock, Rng(randoms=[0.24]), survey_sid="1000_x")
    name, ep, due, body = s.calls[-1]
    assert (name, ep, due) == ("survey", None, 101.0) and body is not None and b'sid="1000_x"' in body


def test_polls_every_interval_while_the_page_is_open_and_before_the_end() -> None:
    prof = Profile("p", (Call(CA),), poll=Poll(ops.CHECK_ELIGIBILITY, interval=15.0, dwell=30.0))
    rng = Rng(exp=45.0)  # the page stays open 45 s
    assert poll_times(prof, 10.0, rng, until=None) == [25.0, 40.0, 55.0]  # 15, 30 and 45 s in: the last at 45
    assert rng.rates == [1 / 30.0]  # exponential dwell with mean 30 s
    assert poll_times(prof, 10.0, Rng(exp=44.9), until=None) == [25.0, 40.0]
    assert poll_times(prof, 10.0, Rng(exp=45.1), until=40.0) == [25.0]  # the run ends at 40 s
    assert poll_times(prof, 10.0, Rng(exp=45.1), until=40.01) == [25.0, 40.0]
    assert poll_times(prof, 10.0, Rng(exp=14.0), until=None) == []


def test_no_polls_without_a_poll_or_a_dwell() -> None:
    assert poll_times(Profile("p", (Call(CA),)), 0.0, Rng(exp=100.0), None) == []
    no_dwell = Profile("p", (Call(CA),), poll=Poll(ops.CHECK_ELIGIBILITY, interval=1.0, dwell=0.0))
    assert poll_times(no_dwell, 0.0, Rng(exp=100.0), None) == []
