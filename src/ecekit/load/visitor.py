"""What one page view does, as a plain function any runner can drive (pytest once, locust under load).

A chat widget on a page asks its operation first (``ecekit.widgets``: chatAllowed for the default
``chat-allowed`` widget), then the calls the profile adds (liveSessionStatus only when chat is
allowed), one after another; a small share of visitors who chatted send a survey. The widget's answer
decides the state the visitor sees (:class:`ecekit.load.outcomes.Outcomes` records it), and while
the page stays open the widget re-asks (:func:`poll`), stopping after an error if it is that kind.
``call`` performs one request and returns its :class:`~ecekit.load.checking.Verdict`; the runner
decides how (locust's FastHttpSession under load, ecekit's Client in a test).

Timing: the first call is due at the page view's scheduled arrival; each later call is due when the
one before it ended, since the widget sends it then. So a late start (the generator or its pool was
behind) lands in the first call's latency, and nothing is counted twice.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from ecekit import operations
from ecekit.load.checking import Verdict
from ecekit.load.outcomes import Outcomes
from ecekit.load.profile import Poll, Profile
from ecekit.widgets import State, Widget

# call(operation, entry point or None, due time on the runner's clock, body or None) -> Verdict
Caller = Callable[[operations.Operation, "str | None", float, "bytes | None"], Verdict]


@dataclass(slots=True)
class PageView:
    """One visitor's page: its entry point, and whether the widget is still alive (for polling)."""

    entry_point: str
    broken: bool = False  # the widget showed an error and stopped polling
    allowed: bool | None = None
    arrival: float = 0.0  # scheduled time of the page view, on the runner's clock
    state: str | None = None  # what the widget shows now
    ever_error: bool = False


def survey_body(sid: str, rng: random.Random) -> bytes:
    """A valid survey (eGainSurvey.xsd) with three question/answer pairs, as real widgets send."""
    ns = operations.CHAT_NS
    items = "".join(
        f"\n  <{operations.SURVEY_ITEM}><{operations.SURVEY_QUESTION}>{escape(q)}</{operations.SURVEY_QUESTION}>"
        f"<{operations.SURVEY_ANSWER}>{escape(a)}</{operations.SURVEY_ANSWER}></{operations.SURVEY_ITEM}>"
        for q, a in (("How satisfied were you?", str(rng.randint(1, 5))),
                     ("Was your question answered?", rng.choice(("Yes", "No"))),
                     ("Anything else?", "load test"))
    )
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<{operations.SURVEY.request_root} xmlns="{ns}" '
            f"sid={quoteattr(sid)}>{items}\n</{operations.SURVEY.request_root}>").encode()


def _steps(profile: Profile, widget: Widget | None) -> list[tuple[operations.Operation, float, str]]:
    steps = [(c.operation, c.share, c.when) for c in profile.calls]
    if widget is not None and widget.operation not in {op for op, _, _ in steps}:
        steps.insert(0, (widget.operation, 1.0, "always"))  # the widget asks on every page load
    return steps


def widget_state(verdict: Verdict, widget: Widget, seconds: float) -> str:
    """The state the widget shows for one answer that took ``seconds`` (a late answer is an error)."""
    if seconds > widget.timeout:
        return State.ERROR.value
    return verdict.state or State.ERROR.value


def page_view(page: PageView, profile: Profile, due: float, call: Caller, clock: Callable[[], float],
              rng: random.Random, survey_sid: str | None = None, widget: Widget | None = None,
              outcomes: Outcomes | None = None) -> PageView:
    """Make the calls of one page load; ``survey_sid`` None means writes are not allowed."""
    page.arrival = due
    for op, share, when in _steps(profile, widget):
        if share < 1.0 and rng.random() >= share:
            continue
        if when == "allowed" and page.allowed is not True:
            continue
        verdict = call(op, page.entry_point, due, None)
        if op is operations.CHAT_ALLOWED:
            page.allowed = verdict.allowed
        now = clock()
        if widget is not None and op is widget.operation and page.state is None:
            page.state = widget_state(verdict, widget, now - page.arrival)
            page.ever_error = page.state == State.ERROR
            page.broken = page.ever_error and widget.stop_on_error
            if outcomes is not None:
                outcomes.first(widget.name, page.entry_point, page.state, page.arrival, now - page.arrival)
        elif widget is None and (verdict.failure or verdict.checks):
            page.broken = True
        due = now
    if survey_sid is not None and profile.survey_share and rng.random() < profile.survey_share:
        call(operations.SURVEY, None, due, survey_body(survey_sid, rng))
    return page


def poll(page: PageView, op: operations.Operation, due: float, call: Caller, clock: Callable[[], float],
         widget: Widget | None = None, outcomes: Outcomes | None = None) -> None:
    """One poll of the widget; a changed state is recorded, and an error stops a widget that stops."""
    verdict = call(op, page.entry_point, due, None)
    if widget is None or op is not widget.operation:
        return
    state = widget_state(verdict, widget, clock() - due)
    first_error = state == State.ERROR and not page.ever_error
    if state != page.state and outcomes is not None and page.state is not None:
        outcomes.change(widget.name, page.entry_point, page.state, state, page.arrival, first_error)
    page.ever_error = page.ever_error or state == State.ERROR
    page.state = state
    if state == State.ERROR and widget.stop_on_error:
        page.broken = True


def dwell_time(poll: Poll, rng: random.Random) -> float:
    """How long one page stays open, drawn from the profile's distribution."""
    if poll.distribution == "fixed":
        return poll.dwell
    if poll.distribution == "lognormal":
        return rng.lognormvariate(math.log(poll.dwell), poll.spread)
    return rng.expovariate(1.0 / poll.dwell)


def poll_times(profile: Profile, arrival: float, rng: random.Random, until: float | None,
               interval: float | None = None) -> list[float]:
    """When the page's widget re-asks: every ``interval`` (default: the profile's) while it stays open,
    the last one at the dwell time itself (a page open 60 s with a 15 s interval polls 4 times)."""
    poll = profile.poll
    interval = interval or (poll.interval if poll is not None else None)
    if poll is None or poll.dwell <= 0 or not interval:
        return []
    dwell = dwell_time(poll, rng)
    times = []
    k = 1
    while k * interval <= dwell + 1e-9:
        t = arrival + k * interval
        if until is not None and t >= until:
            break
        times.append(t)
        k += 1
    return times
