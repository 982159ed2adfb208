"""The survey oracle, shared by the contract suite's survey phase and by ``ecekit fuzz``.

A valid survey must get 204; anything else must get a 4xx. A 5xx is always a failure, and so is a 2xx
for a body that is not a valid survey. A real server looks the session up, so a 4xx for a valid survey
with a made-up sid is tolerated unless the run is strict (the embedded server, or a real ``--sid``).
"""

from __future__ import annotations

from ecekit.checks.base import Observation, Violation
from ecekit.checks.response import not_a_server_error, response_time, transport


def judge_survey(obs: Observation, *, valid: bool, description: str = "") -> list[Violation]:
    """Every way the server's answer to one survey breaks the contract."""
    found = transport(obs)
    if found:
        return found
    found = not_a_server_error(obs) + response_time(obs)
    status = obs.exchange.status or 0
    what = f" ({description})" if description else ""
    if valid and status != 204 and status < 500:
        tolerated = 400 <= status < 500 and not obs.context.strict_survey
        if not tolerated:
            found.append(obs.violation(
                "survey_accepted", f"a valid survey{what} got HTTP {status}",
                expected="204 No Content", actual=obs.exchange.describe() + " " + obs.exchange.excerpt(200),
                remedy="the body is valid against eGainSurvey.xsd; the server refused or mangled it"))
    if not valid and status < 400:
        found.append(obs.violation(
            "survey_rejected", f"an invalid survey{what} got HTTP {status}",
            expected="a 4xx saying what is wrong with the body", actual=obs.exchange.describe(),
            remedy="the server accepted a body that is not a survey: data is lost or stored corrupt"))
    return found
