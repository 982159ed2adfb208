"""The whole violation the survey oracle and JSON parity write (JUnit messages, reports): every line
exact, and the status edges of JSON parity."""

from __future__ import annotations

import pytest

from ecekit import operations as ops
from ecekit.checks import json_parity
from ecekit.checks.base import Context, Observation
from ecekit.checks.survey import LENIENT, judge_survey

from .helpers import TARGET, exchange

SURVEY, CAP, CA = ops.SURVEY, ops.CAPACITY, ops.CHAT_ALLOWED
VALID = (f'<egainSurvey xmlns="{ops.CHAT_NS}" sid="s1"><survey><question>q</question><answer>a</answer>'
         '</survey></egainSurvey>').encode()
SWAPPED = (f'<egainSurvey xmlns="{ops.CHAT_NS}" sid="s1"><survey><answer>a</answer><question>q</question>'
           '</survey></egainSurvey>').encode()


def surveyed(status: int, sent: bytes | None, *, answer: bytes = b"", target=TARGET, strict: bool = True):  # type: ignore[no-untyped-def]
    ex = exchange(SURVEY, answer, status=status, content_type="application/xml" if answer else "")
    ex.request_body = sent
    return Observation(ex, SURVEY, Context(target, valid_needs_204=strict))


def test_a_refused_valid_survey() -> None:
    refusal = b"<error>" + b"closed " * 40 + b"</error>"  # 295 bytes: the excerpt stops at 200
    [found] = judge_survey(surveyed(400, VALID, answer=refusal), valid=True, description="d1")
    assert (found.check, found.operation, found.message) == ("survey_accepted", "survey",
                                                             "a valid survey (d1) got HTTP 400")
    assert found.expected == "204 No Content"
    assert found.actual == ("HTTP 400, Content-Type application/xml, 295 bytes in 10.0 ms "
                            + refusal[:200].decode() + "… (295 bytes)")
    assert found.remedy == "the body is valid against eGainSurvey.xsd; the server refused or mangled it"


def test_a_4xx_for_a_valid_survey_is_tolerated_only_when_not_strict() -> None:
    assert judge_survey(surveyed(404, VALID, strict=False), valid=True) == []
    assert judge_survey(surveyed(499, VALID, strict=False), valid=True) == []
    [found] = judge_survey(surveyed(302, VALID, strict=False), valid=True)
    assert found.message == "a valid survey got HTTP 302"  # a redirect is not a refusal


def test_an_accepted_readable_survey_is_a_finding() -> None:
    [found] = judge_survey(surveyed(204, SWAPPED), valid=False, description="pairs: swapped")
    assert (found.check, found.message) == (
        LENIENT, "a survey that is not valid but still readable (pairs: swapped) got HTTP 204")
    assert found.expected == "a 4xx from a server that validates (eGainSurvey.xsd, an XML Content-Type)"
    assert found.actual == ("HTTP 204, Content-Type (none), 0 bytes in 10.0 ms; a lenient reading recovers sid "
                            "'s1' and 1 pair(s), so nothing the client meant is lost")
    assert found.remedy == ("not a breach of the guide, a finding: the server parses leniently (as JAXB without "
                            "schema validation does); --strict-surveys makes it fail the run")


def test_an_accepted_unreadable_survey_is_a_failure() -> None:
    [found] = judge_survey(surveyed(200, b"sid=1&q=a"), valid=False)
    assert (found.check, found.message) == ("survey_rejected", "an invalid survey got HTTP 200")
    assert found.expected == "a 4xx saying what is wrong with the body"
    assert found.actual == ("HTTP 200, Content-Type (none), 0 bytes in 10.0 ms; a lenient reading cannot "
                            "recover it: not well-formed XML: not well-formed (invalid token): line 1, column 3")
    assert found.remedy == "the server accepted a body that is not a survey: data is lost or stored corrupt"


def test_a_survey_with_no_body_sent_reads_as_empty() -> None:
    [found] = judge_survey(surveyed(204, None), valid=False)
    assert found.actual.endswith("a lenient reading cannot recover it: not well-formed XML: no element found: "
                                 "line 1, column 0")


def test_the_lenient_reading_keeps_the_targets_size_cap() -> None:
    small = TARGET.replace(max_body_bytes=len(SWAPPED) - 1)
    [found] = judge_survey(surveyed(204, SWAPPED, target=small), valid=False)
    assert found.check == "survey_rejected"
    assert found.actual.endswith(f"cannot recover it: {len(SWAPPED)} bytes, over the {len(SWAPPED) - 1}-byte cap")


def test_a_refused_invalid_survey_is_fine() -> None:
    assert judge_survey(surveyed(400, b"garbage"), valid=False) == []


def _pair(json_body: bytes, *, xml_status: int = 200, status: int = 200, **xml_values: object) -> list:
    xml = exchange(CAP, status=xml_status, **xml_values)
    js = exchange(CAP, json_body, status=status, content_type="application/json")
    return json_parity.compare(CAP, xml, js)


@pytest.mark.parametrize("status", [300, 404, 500])
def test_both_representations_failing_alike_is_parity(status: int) -> None:
    assert _pair(b"{}", xml_status=status, status=status) == []


def test_a_status_mismatch_in_full() -> None:
    [found] = _pair(b'{"count":4}', xml_status=300, count=4)
    assert found.message == "XML answer HTTP 300, JSON answer HTTP 200"
    assert found.expected == "the same status for both representations"
    assert found.actual == "HTTP 200, Content-Type application/json, 11 bytes in 10.0 ms"
    assert found.remedy == "the JSON and XML answers must come from the same data"
    assert found.entry_point == "1001"


def test_a_transport_failure_on_either_side_is_left_to_transport() -> None:
    from ecekit.client import TransportError

    good_json = exchange(CAP, b'{"count":4}', content_type="application/json")
    assert json_parity.compare(CAP, exchange(CAP, error=TransportError.TIMEOUT), good_json) == []
    assert json_parity.compare(CAP, exchange(CAP), exchange(CAP, error=TransportError.TIMEOUT)) == []


def test_a_disagreement_in_full() -> None:
    [found] = _pair(b'{"count":5}', count=4)
    assert found.message == "JSON and XML disagree: count XML 4, JSON 5"
    assert found.expected == "the same values in both representations (read back to back, on every repeated read)"
    assert found.actual == '{"count":5}'
    assert found.remedy == "the JSON and XML answers must come from the same data"


@pytest.mark.parametrize(("body", "message"), [
    (b"[4]", "the JSON answer is a JSON list, not an object"),
    (b'{"count":{"n":4}}', 'the JSON answer count: {"n": 4} is not a scalar'),
    (b'{"count":["' + b"x" * 80 + b'"]}', 'the JSON answer count: ["' + "x" * 58 + " is not a scalar"),
])
def test_json_that_is_no_answer_says_what_it_is(body: bytes, message: str) -> None:
    [found] = _pair(body, count=4)
    assert found.message == message


def test_what_is_wrong_with_each_field_is_listed() -> None:
    xml = exchange(CA, allowed="true")
    js = exchange(CA, b'{"reason":"bogus"}', content_type="application/json")
    [found] = json_parity.compare(CA, xml, js)
    assert found.message == ("the JSON answer no 'allowed'; reason: 'bogus' is not one of queue_depth_reached, "
                             "agent_not_available, service_not_running, invalid_entry_point, "
                             "entry_point_inactive, Other")
    assert found.expected == "fields allowed, reason typed as the XSD types them"


@pytest.mark.parametrize("body", [
    b'{"count":5,"availableSlots":{"count":4}}',  # flat fields win over a nested object
    b'{"@count":5,"availableSlots":{"count":4}}',
])
def test_an_object_with_the_fields_at_the_top_is_read_flat(body: bytes) -> None:
    assert _pair(body, count=5) == []
    assert [v.message for v in _pair(body, count=4)] == ["JSON and XML disagree: count XML 4, JSON 5"]


def test_a_json_failure_against_a_good_xml_answer_is_a_mismatch() -> None:
    [found] = _pair(b'{"count":4}', status=300, count=4)
    assert found.message == "XML answer HTTP 200, JSON answer HTTP 300"


def test_an_xml_answer_over_the_cap_leaves_parity_to_the_other_checks() -> None:
    xml = exchange(CAP, count=4)
    js = exchange(CAP, b'{"count":5}', content_type="application/json")
    assert json_parity.compare(CAP, xml, js, max_bytes=len(xml.body) - 1) == []
    assert len(json_parity.compare(CAP, xml, js, max_bytes=len(xml.body))) == 1


def test_long_json_answers_are_cut_at_200_bytes() -> None:
    garbage = b"x" * 300
    [found] = _pair(garbage, count=4)
    assert found.actual == "x" * 200 + "… (300 bytes)"
    assert found.expected == "a JSON object with the answer's fields"
    missing = b'{"slots":"' + b"y" * 300 + b'"}'
    [found] = _pair(missing, count=4)
    assert found.message == "the JSON answer no 'count'"
    assert found.actual == missing[:200].decode() + f"… ({len(missing)} bytes)"
    padded = b'{"count":5,"pad":"' + b"z" * 300 + b'"}'
    [found] = _pair(padded, count=4)
    assert found.actual == padded[:200].decode() + f"… ({len(padded)} bytes)"


def test_not_served_is_decided_on_complete_answers_only() -> None:
    from ecekit.client import TransportError

    cut = exchange(CAP, content_type="application/xml")
    cut.error = TransportError.TOO_LARGE
    assert json_parity.not_served(cut) is False
    assert json_parity.not_served(exchange(CAP, error=TransportError.TIMEOUT)) is False
    assert json_parity.not_served(exchange(CAP, status=300, content_type="application/xml")) is False
    assert json_parity.not_served(exchange(CAP, status=299, content_type="application/xml")) is True
    assert json_parity.not_served(exchange(CAP, status=406, content_type="application/json")) is True


def test_an_allowed_origin_is_compared_without_a_trailing_slash() -> None:
    from ecekit.checks.widget import allowed_origin

    def ex(value: str):  # type: ignore[no-untyped-def]
        answer = exchange(CAP)
        answer.response_headers["access-control-allow-origin"] = value
        return answer

    assert allowed_origin(ex(" https://shop.example/ "), "https://shop.example")
    assert allowed_origin(ex("*"), "https://shop.example")
    assert not allowed_origin(ex("https://shop.exampleX"), "https://shop.example")
    assert not allowed_origin(exchange(CAP), "https://shop.example")


def test_an_xxe_fetch_nobody_armed_is_still_a_violation() -> None:
    from ecekit.canary import Armed, Fetch
    from ecekit.checks.xxe import violation

    fetch = Fetch("GET", "http://127.0.0.1:9/c/t1", "t1", "127.0.0.1", "", 10.0)
    found = violation(fetch, None)
    assert (found.check, found.operation, found.message) == ("survey_xxe", "survey",
                                                             "the server fetched http://127.0.0.1:9/c/t1")
    assert found.actual == "GET http://127.0.0.1:9/c/t1 from 127.0.0.1 (no survey of this run carries its token)"
    armed = Armed("t1", "doctype: external DTD", sent_at=12.0)
    late = Fetch("GET", "http://127.0.0.1:9/c/t1", "t1", "127.0.0.1", "Java/17", 12.5)
    assert violation(late, armed).actual == ("GET http://127.0.0.1:9/c/t1 from 127.0.0.1, 0.50s after that survey "
                                             "was sent (survey 'doctype: external DTD' carried this URL; User-Agent "
                                             "'Java/17')")
    assert ", 0.00s after" in violation(fetch, armed).actual  # a clock step back shows no negative lag


def test_xxe_fetches_one_violation_per_url_with_the_survey_that_carried_it() -> None:
    from ecekit.canary import Armed, Fetch
    from ecekit.checks.xxe import fetched

    armed = Armed("t1", "doctype: external DTD", sent_at=1.0, exchange=exchange(SURVEY, b"", status=204))
    first = Fetch("GET", "http://127.0.0.1:9/c/t1", "t1", "127.0.0.1", "", 1.5)
    retry = Fetch("GET", "http://127.0.0.1:9/c/t1", "t1", "127.0.0.1", "", 2.5)
    stray = Fetch("GET", "http://127.0.0.1:9/c/zz", None, "127.0.0.1", "", 3.0)

    class Canary:
        def recorded(self) -> list:  # type: ignore[type-arg]
            return [(first, armed), (retry, armed), (stray, None)]

    got = fetched(Canary())  # type: ignore[arg-type]
    assert [(f.exchange, f.description, f.token) for f in got] == [
        (armed.exchange, "doctype: external DTD", "t1"), (None, "", None)]
    assert ", 0.50s after" in got[0].violation.actual
    v = got[1].violation
    assert v.expected == ("no fetch: a server reading a survey never loads the external DTD or entity its "
                          "DOCTYPE names")
    assert v.remedy == ("turn off DTDs or external entities in the server's XML parser (JAXB/StAX: "
                        "XMLInputFactory.SUPPORT_DTD=false and IS_SUPPORTING_EXTERNAL_ENTITIES=false; SAX/DOM: "
                        "the disallow-doctype-decl feature): a fetch lets a visitor make the server read files "
                        "or reach internal hosts")


def test_every_field_that_differs_is_listed() -> None:
    xml = exchange(CA, allowed="false", reason="Other")
    js = exchange(CA, b'{"allowed":true}', content_type="application/json")
    assert [v.message for v in json_parity.compare(CA, xml, js)] == [
        "JSON and XML disagree: allowed XML false, JSON true, reason XML Other, JSON absent"]
