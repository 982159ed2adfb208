"""The survey oracle, shared by the contract suite's survey phase and by ``ecekit fuzz``.

Every body sent is in one of three tiers (the rule lives here, once):

* **valid** (per eGainSurvey.xsd, with an XML Content-Type): must get 204. A real server looks the
  session up, so a 4xx for a made-up sid is tolerated unless the run is strict (the embedded server,
  or a real ``--sid``): ``survey_accepted``.
* **must refuse**: a lenient reading (:mod:`ecekit.checks.lenient`, what JAXB without a schema reads)
  cannot recover the survey the client meant, or the body is dangerous. A 2xx or 3xx is a failure:
  ``survey_rejected`` (the data is lost or stored corrupt).
* **strict only**: not valid, but the lenient reading still recovers the sid and every pair (a wrong
  Content-Type, nested or unknown elements, pairs out of order, a plain DOCTYPE). The guide does not
  say a server must refuse these, so a 2xx is a *finding*, ``survey_lenient``: listed, failing the run
  only with ``--strict-surveys`` (the default against the embedded reference server).

A 5xx is a failure in every tier. The lenient reading is done only when an invalid body was accepted,
so a server that refuses everything pays nothing for it.
"""

from __future__ import annotations

from enum import StrEnum

from ecekit.checks.base import Observation, Violation
from ecekit.checks.lenient import read
from ecekit.checks.response import not_a_server_error, response_time, transport

LENIENT = "survey_lenient"
"""The check name of a finding: a strict-only body was accepted."""


class Tier(StrEnum):
    VALID = "valid"
    STRICT_ONLY = "strict only"
    MUST_REFUSE = "must refuse"


def tier_of(body: bytes, *, valid: bool) -> Tier:
    """The tier of a body sent to the survey operation (``valid``: proven valid with an XML type)."""
    if valid:
        return Tier.VALID
    return Tier.STRICT_ONLY if read(body).recovered else Tier.MUST_REFUSE


def judge_survey(obs: Observation, *, valid: bool, description: str = "") -> list[Violation]:
    """Every way the server's answer to one survey breaks the contract, findings included (see
    :func:`split_findings`)."""
    found = transport(obs)
    if found:
        return found
    found = not_a_server_error(obs) + response_time(obs)
    status = obs.exchange.status or 0
    what = f" ({description})" if description else ""
    if valid and status != 204 and status < 500:
        tolerated = 400 <= status < 500 and not obs.context.valid_needs_204
        if not tolerated:
            found.append(obs.violation(
                "survey_accepted", f"a valid survey{what} got HTTP {status}",
                expected="204 No Content", actual=obs.exchange.describe() + " " + obs.exchange.excerpt(200),
                remedy="the body is valid against eGainSurvey.xsd; the server refused or mangled it"))
    if not valid and status < 400:
        reading = read(obs.exchange.request_body or b"", obs.context.target.max_body_bytes)
        if reading.recovered:
            found.append(obs.violation(
                LENIENT, f"a survey that is not valid but still readable{what} got HTTP {status}",
                expected="a 4xx from a server that validates (eGainSurvey.xsd, an XML Content-Type)",
                actual=f"{obs.exchange.describe()}; a lenient reading recovers sid {reading.sid!r} and "
                f"{len(reading.pairs)} pair(s), so nothing the client meant is lost",
                remedy="not a breach of the guide, a finding: the server parses leniently (as JAXB without "
                "schema validation does); --strict-surveys makes it fail the run"))
        else:
            found.append(obs.violation(
                "survey_rejected", f"an invalid survey{what} got HTTP {status}",
                expected="a 4xx saying what is wrong with the body",
                actual=f"{obs.exchange.describe()}; a lenient reading cannot recover it: {reading.problem}",
                remedy="the server accepted a body that is not a survey: data is lost or stored corrupt"))
    return found


def split_findings(found: list[Violation], *, lenient_fails: bool) -> tuple[list[Violation], list[Violation]]:
    """(failures, findings): a lenient acceptance is a finding, unless the run is strict about it."""
    if lenient_fails:
        return list(found), []
    return [v for v in found if v.check != LENIENT], [v for v in found if v.check == LENIENT]
