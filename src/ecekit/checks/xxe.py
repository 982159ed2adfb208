"""``survey_xxe``: the server fetched an external DTD or entity named in a survey it was sent.

Judged from what reached ecekit's canary (:mod:`ecekit.canary`), not from the answer: a server that
answered 400 after fetching the DTD is as exposed as one that answered 204. A fetch is an XML external
entity (XXE) vulnerability, a server-side request forgery: a visitor can make the server read its
files or reach hosts behind it. The guide says nothing about DTDs, but no survey needs one, so any
fetch is a failure, never a finding.
"""

from __future__ import annotations

from dataclasses import dataclass

from ecekit import operations
from ecekit.canary import Armed, Canary, Fetch
from ecekit.checks.base import Violation
from ecekit.client import Exchange

XXE = "survey_xxe"
DESCRIPTION = "the server fetched an external DTD or entity a survey named (XXE, server-side request forgery)"


@dataclass(frozen=True)
class Fetched:
    """One fetch as a violation, with the exchange of the survey that caused it (if known)."""

    violation: Violation
    exchange: Exchange | None
    description: str
    token: str | None


def violation(fetch: Fetch, armed: Armed | None) -> Violation:
    if armed is None:
        survey = "no survey of this run carries its token"
        lag = ""
    else:
        survey = f"survey {armed.description!r} carried this URL"
        lag = f", {max(0.0, fetch.at - armed.sent_at):.2f}s after that survey was sent"
    return Violation(
        XXE, operations.SURVEY.name, f"the server fetched {fetch.url}",
        expected="no fetch: a server reading a survey never loads the external DTD or entity its DOCTYPE names",
        actual=f"{fetch.method} {fetch.url} from {fetch.peer}{lag} ({survey}"
        + (f"; User-Agent {fetch.user_agent!r})" if fetch.user_agent else ")"),
        remedy="turn off DTDs or external entities in the server's XML parser (JAXB/StAX: "
        "XMLInputFactory.SUPPORT_DTD=false and IS_SUPPORTING_EXTERNAL_ENTITIES=false; SAX/DOM: the "
        "disallow-doctype-decl feature): a fetch lets a visitor make the server read files or reach "
        "internal hosts")


def fetched(canary: Canary) -> list[Fetched]:
    """Every fetch the canary recorded as a violation, one per distinct URL (a retry adds nothing)."""
    found: dict[str, Fetched] = {}
    for fetch, armed in canary.recorded():
        if fetch.url in found:
            continue
        found[fetch.url] = Fetched(violation(fetch, armed), armed.exchange if armed else None,
                                   armed.description if armed else "", fetch.token)
    return list(found.values())
