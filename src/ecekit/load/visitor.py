"""What one page view does, as a plain function any runner can drive (pytest once, locust under load).

A chat widget on a page calls chatAllowed first, then the calls the profile adds (liveSessionStatus
only when chat is allowed), one after another; a small share of visitors who chatted send a survey.
``call`` performs one request and returns its :class:`~ecekit.load.checking.Verdict`; the runner
decides how (locust's FastHttpSession under load, ecekit's Client in a test).

Timing: the first call is due at the page view's scheduled arrival; each later call is due when the
one before it ended, since the widget sends it then. So a late start (the generator or its pool was
behind) lands in the first call's latency, and nothing is counted twice.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from ecekit import operations
from ecekit.load.checking import Verdict
from ecekit.load.profile import Profile

# call(operation, entry point or None, due time on the runner's clock, body or None) -> Verdict
Caller = Callable[[operations.Operation, "str | None", float, "bytes | None"], Verdict]


@dataclass(slots=True)
class PageView:
    """One visitor's page: its entry point, and whether the widget is still alive (for polling)."""

    entry_point: str
    broken: bool = False  # an answer the widget could not use: it shows an error and stops polling
    allowed: bool | None = None


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


def page_view(page: PageView, profile: Profile, due: float, call: Caller, clock: Callable[[], float],
              rng: random.Random, survey_sid: str | None = None) -> PageView:
    """Make the calls of one page load; ``survey_sid`` None means writes are not allowed."""
    for step in profile.calls:
        if step.share < 1.0 and rng.random() >= step.share:
            continue
        if step.when == "allowed" and page.allowed is not True:
            continue
        verdict = call(step.operation, page.entry_point, due, None)
        if step.operation is operations.CHAT_ALLOWED:
            page.allowed = verdict.allowed
        if verdict.failure or verdict.checks:
            page.broken = True
        due = clock()
    if survey_sid is not None and profile.survey_share and rng.random() < profile.survey_share:
        call(operations.SURVEY, None, due, survey_body(survey_sid, rng))
    return page


def poll_times(profile: Profile, arrival: float, rng: random.Random, until: float | None) -> list[float]:
    """When the page's widget re-asks: every interval while the page stays open (exponential dwell)."""
    poll = profile.poll
    if poll is None or poll.dwell <= 0:
        return []
    dwell = rng.expovariate(1.0 / poll.dwell)
    times = []
    k = 1
    while k * poll.interval < dwell:
        t = arrival + k * poll.interval
        if until is not None and t >= until:
            break
        times.append(t)
        k += 1
    return times
