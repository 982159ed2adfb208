"""Fault modes: small objects that wrap the reference server's answers without touching the model.

Each fault names the contract check that must catch it (:attr:`Fault.trips`); the toolkit's own
tests turn each one on and assert that the check fails. The one :attr:`Fault.harmless` fault
(``restyle``) trips nothing: it proves that checks and diffs look at meaning, not at prefixes, order
or layout. A fault hooks one or more stages of an answer:

1. :meth:`Fault.before` — transport: sleep (latency, stall) or drop the connection;
2. :meth:`Fault.values` — the data (a wrong type, an out-of-range code, a lie about a role);
3. :meth:`Fault.reply` — the rendered answer (a namespace, a quote, a status, a content type);
4. :meth:`Fault.survey` — the survey verdict (a 500 on some input, a 204 for garbage);
5. :meth:`Fault.headers` — headers added to every answer of the six operations (a cookie).

The catalogue is :data:`CATALOGUE`; ``ecekit serve --list-faults`` prints it. Parameterised faults
(latency, stall, drop) live in :mod:`ecekit.server.transport_faults`.
"""

from __future__ import annotations

import difflib
import re
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import ClassVar
from urllib.parse import urlsplit

from ecekit import operations as ops
from ecekit.errors import ConfigError
from ecekit.loopback import is_loopback
from ecekit.server import model, render
from ecekit.server.fault_base import Context, Fault
from ecekit.server.render import Reply
from ecekit.server.survey import Outcome

__all__ = ["CATALOGUE", "Context", "Fault", "catalogue", "listing", "parse"]


class _Set(Fault):
    """A data fault that overrides fields of its operation's answer."""

    changes: ClassVar[dict[str, object]] = {}

    def values(self, ctx: Context, values: model.Values) -> model.Values:
        return {**values, **self.changes}


class _Drop(Fault):
    """A data fault that leaves one field out of its operation's answer."""

    field: ClassVar[str] = ""

    def values(self, ctx: Context, values: model.Values) -> model.Values:
        return {k: v for k, v in values.items() if k != self.field}


class _XmlStyle(Fault):
    """A body fault: re-render the XML answer with one style knob changed (JSON answers untouched)."""

    style: ClassVar[dict[str, object]] = {}

    def reply(self, ctx: Context, reply: Reply) -> Reply:
        if ctx.as_json or reply.status != 200:
            return reply
        reply.body = render.xml(ctx.op, ctx.values, **self.style)  # type: ignore[arg-type]
        return reply


class AvailabilityNotBoolean(_Set):
    name, trips, operation = "availability-not-boolean", "xsd", ops.AGENT_AVAILABILITY
    summary = 'agentAvailability answers available="yes"'
    changes: ClassVar[dict[str, object]] = {"available": "yes"}


class CapacityNegative(_Set):
    name, trips, operation = "capacity-negative", "xsd", ops.CAPACITY
    summary = "capacity answers count -1"
    changes: ClassVar[dict[str, object]] = {"count": -1}


class EligibilityOutOfRange(_Set):
    name, trips, operation = "eligibility-out-of-range", "xsd", ops.CHECK_ELIGIBILITY
    summary = 'checkEligibility answers responseType="4"'
    changes: ClassVar[dict[str, object]] = {"responseType": 4}


class StatusMissingElement(_Drop):
    name, trips, operation = "status-missing-element", "xsd", ops.LIVE_SESSION_STATUS
    summary = "liveSessionStatus answers sessionStatus without queueDepth"
    field: ClassVar[str] = "queueDepth"


class ChatAllowedMissingAttribute(_Drop):
    name, trips, operation = "chatallowed-missing-attribute", "xsd", ops.CHAT_ALLOWED
    summary = "chatAllowed answers without the allowed attribute"
    field: ClassVar[str] = "allowed"


class ChatAllowedReasonWhenAllowed(Fault):
    name, trips, operation = "chatallowed-reason-when-allowed", "semantics", ops.CHAT_ALLOWED
    summary = 'chatAllowed answers allowed="true" together with reason="Other"'

    def values(self, ctx: Context, values: model.Values) -> model.Values:
        return {**values, "reason": ops.Reason.OTHER.value} if values.get("allowed") is True else values


class InconsistentCapacity(Fault):
    name, trips, operation = "inconsistent-capacity", "consistency", ops.CAPACITY
    summary = "capacity answers count 3 for every entry point where agentAvailability says false"

    def values(self, ctx: Context, values: model.Values) -> model.Values:
        available = model.answer(ctx.state, ops.AGENT_AVAILABILITY, ctx.ep_id)["available"]
        return values if available else {**values, "count": 3}


class InactiveAllowed(Fault):
    name, trips, operation = "inactive-allowed", "entry_point_role", ops.CHAT_ALLOWED
    summary = 'an inactive entry point answers chatAllowed allowed="true"'

    def values(self, ctx: Context, values: model.Values) -> model.Values:
        return {"allowed": True} if model.role(ctx.state, ctx.ep_id) == "inactive" else values


class InvalidClaimsAvailable(Fault):
    name, trips, operation = "invalid-claims-available", "entry_point_role", ops.AGENT_AVAILABILITY
    summary = 'an unknown entry point id gets agentAvailability available="true"'

    def values(self, ctx: Context, values: model.Values) -> model.Values:
        return {"available": True} if model.role(ctx.state, ctx.ep_id) == "invalid" else values


class CapacityWrongNamespace(_XmlStyle):
    name, trips, operation = "capacity-wrong-namespace", "xsd", ops.CAPACITY
    summary = "capacity answers <count> in no namespace instead of <ns2:count>"
    style: ClassVar[dict[str, object]] = {"prefix": ""}


class EligibilityUnquoted(_XmlStyle):
    name, trips, operation = "eligibility-unquoted", "well_formed", ops.CHECK_ELIGIBILITY
    summary = "checkEligibility answers responseType=0 unquoted, as the guide's sample prints it"
    style: ClassVar[dict[str, object]] = {"quote": False}


class ChatAllowedExtraElement(_XmlStyle):
    name, trips, operation = "chatallowed-extra-element", "xsd", ops.CHAT_ALLOWED
    summary = "chatAllowed answers with an unexpected <ns2:note> child element"
    style: ClassVar[dict[str, object]] = {"extra_children": "\n  <ns2:note>unexpected</ns2:note>"}


class AvailabilityWrongRoot(_XmlStyle):
    name, trips, operation = "availability-wrong-root", "xsd", ops.AGENT_AVAILABILITY
    summary = "agentAvailability answers with root <agentStatus>"
    style: ClassVar[dict[str, object]] = {"root": "agentStatus"}


class Restyle(_XmlStyle):
    """Harmless on purpose: the control case for ``ecekit diff``, whose answer must be "compatible"."""

    name, trips, harmless = "restyle", "", True
    summary = ("harmless: every XML answer with other namespace prefixes (chat:, not ns2:), attributes "
               "and children in reverse order, and other indentation; no check may fail")
    style: ClassVar[dict[str, object]] = {
        "prefix": "chat:", "reverse": True, "indent": "\n\t\t",
        "declarations": {"xmpp": ops.ROOT_NAMESPACES["ns3"], "chat": ops.CHAT_NS,
                         "bind": ops.ROOT_NAMESPACES["ns5"], "stanza": ops.ROOT_NAMESPACES["ns4"]}}


_XXE = '<!DOCTYPE chatAllowed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
_LOL = "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
_BOMB = f'<!DOCTYPE agentAvailability [<!ENTITY lol0 "lol">{_LOL}]>\n'


class DoctypeEntity(_XmlStyle):
    name, trips, operation = "doctype-entity", "well_formed", ops.CHAT_ALLOWED
    summary = "chatAllowed answers with a DOCTYPE declaring an external entity (XXE)"
    style: ClassVar[dict[str, object]] = {"prolog": render.XML_DECLARATION + _XXE}


class EntityBomb(_XmlStyle):
    name, trips, operation = "entity-bomb", "well_formed", ops.AGENT_AVAILABILITY
    summary = "agentAvailability answers with a billion-laughs DOCTYPE"
    style: ClassVar[dict[str, object]] = {"prolog": render.XML_DECLARATION + _BOMB}


class StatusWrongContentType(Fault):
    name, trips, operation = "status-wrong-content-type", "content_type", ops.LIVE_SESSION_STATUS
    summary = "liveSessionStatus answers with Content-Type text/html"

    def reply(self, ctx: Context, reply: Reply) -> Reply:
        reply.content_type = b"text/html;charset=UTF-8"
        return reply


class Capacity500(Fault):
    name, trips, operation = "capacity-500", "not_a_server_error", ops.CAPACITY
    summary = "capacity answers 500 with an error body"

    def reply(self, ctx: Context, reply: Reply) -> Reply:
        return render.error(500, "internal", "Unable to retrieve the information.", ctx.as_json)


class EligibilityUndocumentedStatus(Fault):
    name, trips, operation = "eligibility-undocumented-status", "status_code", ops.CHECK_ELIGIBILITY
    summary = "checkEligibility answers 202 (undocumented) with a valid body"

    def reply(self, ctx: Context, reply: Reply) -> Reply:
        reply.status = 202
        return reply


class JsonDisagrees(Fault):
    name, trips, operation = "json-disagrees", "json_parity", ops.CAPACITY
    summary = "capacity answers one more slot as JSON than as XML (found only with --json)"

    def values(self, ctx: Context, values: model.Values) -> model.Values:
        if ctx.as_json and isinstance(values.get("count"), int):
            return {**values, "count": int(values["count"]) + 1}  # type: ignore[call-overload]
        return values


class JsonIgnored(Fault):
    name, trips = "json-ignored", "json_served"
    summary = "every status operation answers XML to Accept: application/json (found only with --json)"

    def reply(self, ctx: Context, reply: Reply) -> Reply:
        if ctx.as_json and reply.status == 200:
            return render.answer(ctx.op, ctx.values, as_json=False)
        return reply


HUGE_BODY_BYTES = 64 << 20


class HugeBody(Fault):
    name, trips, operation = "huge-body", "transport", ops.CAPACITY
    summary = "capacity answers a 64 MiB body (a valid answer padded with a comment), streamed"

    def reply(self, ctx: Context, reply: Reply) -> Reply:
        valid = render.xml(ctx.op, ctx.values)
        head, tail = valid[: valid.rindex(b"\n</")] + b"\n<!--", b"-->" + valid[valid.rindex(b"\n</"):]
        pad = HUGE_BODY_BYTES - len(head) - len(tail)

        def chunks() -> Iterator[bytes]:
            yield head
            block = b"x" * (64 << 10)
            left = pad
            while left > 0:
                yield block[: min(left, len(block))]
                left -= len(block)
            yield tail

        return Reply(200, render.XML_TYPE, chunks=chunks, length=HUGE_BODY_BYTES)


class _Survey500(Fault):
    """A survey fault: answer 500 (and store nothing) when ``hit`` says the survey is one it hates."""

    operation = ops.SURVEY

    def hit(self, outcome: Outcome, body: bytes) -> bool:
        raise NotImplementedError

    def survey(self, outcome: Outcome, body: bytes) -> Reply | None:
        if self.hit(outcome, body):
            return render.error(500, "internal", f"simulated server error (fault {self.name})")
        return None


class SurveyNonAscii(_Survey500):
    name, trips = "survey-500-non-ascii", "not_a_server_error"
    summary = "survey answers 500 when any answer has a non-ASCII character"

    def hit(self, outcome: Outcome, body: bytes) -> bool:
        return outcome.ok and any(not a.isascii() for _, a in outcome.pairs)


class SurveyLongAnswer(_Survey500):
    name, trips = "survey-500-long-answer", "not_a_server_error"
    summary = "survey answers 500 when any answer is over 300 characters"

    def hit(self, outcome: Outcome, body: bytes) -> bool:
        return outcome.ok and any(len(a) > 300 for _, a in outcome.pairs)


class SurveyManyPairs(_Survey500):
    name, trips = "survey-500-many-pairs", "not_a_server_error"
    summary = "survey answers 500 when it has more than 5 question/answer pairs"

    def hit(self, outcome: Outcome, body: bytes) -> bool:
        return outcome.ok and len(outcome.pairs) > 5


class SurveyMalformed(_Survey500):
    name, trips = "survey-500-malformed", "not_a_server_error"
    summary = "survey answers 500 instead of 400 for malformed XML"

    def hit(self, outcome: Outcome, body: bytes) -> bool:
        return outcome.code == "not_well_formed"


class SurveyNonXml204(Fault):
    name, trips, operation = "survey-204-non-xml", "survey_rejected", ops.SURVEY
    summary = "survey answers 204 (storing nothing) for a body that is not XML at all " \
              "(also trips not_a_server_error's sibling oracle: a 2xx for garbage)"

    def survey(self, outcome: Outcome, body: bytes) -> Reply | None:
        if outcome.code == "not_well_formed" and not body.lstrip().startswith(b"<"):
            return Reply(204)
        return None


class SurveyRefusesValid(Fault):
    name, trips, operation = "survey-400-valid", "survey_accepted", ops.SURVEY
    summary = ("survey refuses every valid survey with 400 'session closed' (as a server that cannot "
               "find the session does; a defect when the sid is real, as it is on the embedded server)")

    def survey(self, outcome: Outcome, body: bytes) -> Reply | None:
        if outcome.ok:
            return render.error(400, "115", "this session is closed (fault survey-400-valid)")
        return None


_QUOTED = rb"""(?:"([^"]*)"|'([^']*)')"""
_SYSTEM_ID = re.compile(rb"\bSYSTEM\s+" + _QUOTED + rb"|\bPUBLIC\s+(?:\"[^\"]*\"|'[^']*')\s+" + _QUOTED)
FETCH_DELAY, FETCH_TIMEOUT, FETCH_READ_CAP, MAX_FETCHES = 0.3, 1.0, 64 << 10, 200


class SurveyFetchesDtd(Fault):
    name, trips, operation = "survey-fetches-dtd", "survey_xxe", ops.SURVEY
    summary = ("survey fetches the external DTD and entities a survey's DOCTYPE names (an XXE), a moment "
               "after answering as usual; loopback http only, 1 s timeout, 64 KiB read")

    def __init__(self, param: str | None = None) -> None:
        super().__init__(param)
        self._fetches = 0
        self._lock = threading.Lock()

    def survey(self, outcome: Outcome, body: bytes) -> Reply | None:
        head = body[: body.find(b"<" + (ops.SURVEY.request_root or "egainSurvey").encode())]
        for match in _SYSTEM_ID.finditer(head[:65536]):
            url = next(g for g in match.groups() if g is not None).decode("utf-8", "replace")
            parts = urlsplit(url)
            if parts.scheme != "http" or not is_loopback(parts.hostname):
                continue  # never a file, never off this machine
            with self._lock:
                if self._fetches >= MAX_FETCHES:
                    return None
                self._fetches += 1
            threading.Thread(target=_fetch, args=(url,), daemon=True, name="fault-fetch").start()
        return None  # the answer is the server's own: a status code shows nothing of the fetch


def _fetch(url: str) -> None:
    """GET ``url`` after a short delay (as a parser working after the answer would), bounded."""
    time.sleep(FETCH_DELAY)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=FETCH_TIMEOUT) as answer:
            answer.read(FETCH_READ_CAP)
    except (OSError, ValueError):
        pass


class CorsMissing(Fault):
    name, trips = "cors-missing", "cors"
    summary = ("the server forgets its cross-origin headers (no Access-Control-Allow-Origin, preflights "
               "refused): a page on another origin cannot read any answer")
    drops_cors: ClassVar[bool] = True


class PreflightRefused(Fault):
    """What a firewall or a servlet filter that knows only GET does in front of ECE: the OPTIONS a
    browser sends before the survey is refused, while every simple request is answered as before."""

    name, trips, operation = "preflight-refused", "preflight", ops.SURVEY
    summary = ("the survey's CORS preflight (OPTIONS) is answered 403 without Access-Control-Allow-* "
               "headers, simple requests as before: a page on another origin can send no survey")
    refuses_preflight: ClassVar[bool] = True


class SetCookie(Fault):
    """What a staging load balancer does: a session cookie on every answer. No check looks at it;
    every report must hide its value (see ecekit.redaction), which the tests of redaction prove."""

    name, trips, harmless = "set-cookie", "", True
    summary = ("harmless: every answer carries a load balancer's session cookie (Set-Cookie: "
               "ECEKITLB=…); no check may fail, and no report may show its value")
    VALUE: ClassVar[str] = "lb-session-5f2c9e81d7a4"

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [(b"set-cookie", f"ECEKITLB={self.VALUE}; Path=/; HttpOnly".encode())]


def _catalogue() -> dict[str, type[Fault]]:
    from ecekit.server import transport_faults

    found: dict[str, type[Fault]] = {}
    pending = list(Fault.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.name and cls.__module__ in (__name__, transport_faults.__name__):
            found[cls.name] = cls
    return dict(sorted(found.items()))


CATALOGUE: dict[str, type[Fault]] = {}


def catalogue() -> dict[str, type[Fault]]:
    """Every fault by name, sorted."""
    if not CATALOGUE:
        CATALOGUE.update(_catalogue())
    return CATALOGUE


def parse(spec: str) -> Fault:
    """``NAME`` or ``NAME=PARAM`` -> a Fault; ConfigError with a close match when unknown."""
    name, sep, param = spec.strip().partition("=")
    faults = catalogue()
    if name not in faults:
        close = difflib.get_close_matches(name, faults, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"unknown fault {name!r}.{hint}",
                          remedy="see `ecekit serve --list-faults` for the catalogue")
    return faults[name](param if sep else None)


def listing() -> list[str]:
    """``ecekit serve --list-faults``: every fault mode, what it trips, what it does."""
    return [f"{(name + '=…' if cls.takes_param else name):<34} trips {cls.trips or 'nothing':<20} {cls.summary}"
            for name, cls in catalogue().items()]
