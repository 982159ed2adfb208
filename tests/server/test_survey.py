"""The survey endpoint: 204 only after the row is committed, a precise 4xx for anything else."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from ecekit import operations as ops
from ecekit.server.embedded import ServerHandle, running_server
from ecekit.server.store import count_rows
from tests.server.helpers import SURVEY_TYPE, survey_xml

NS = ops.CHAT_NS


def post(http: requests.Session, srv: ServerHandle, body: object,
         content_type: str | None = "application/xml") -> requests.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    return http.post(srv.base_url + ops.SURVEY.path, data=body, headers=headers, timeout=10)


@pytest.mark.parametrize("content_type", [
    "application/xml", "text/xml", "text/xml;charset=utf-8", "application/xml; charset=UTF-8",
    "TEXT/XML; charset=ISO-8859-1",
])
def test_valid_survey_is_stored_then_204(srv: ServerHandle, http: requests.Session,
                                         content_type: str) -> None:
    before = count_rows(srv.surveys_db)
    response = post(http, srv, survey_xml(), content_type)
    assert (response.status_code, response.content) == (204, b"")
    assert count_rows(srv.surveys_db) == before + 1


def test_the_guides_sample_is_accepted(srv: ServerHandle, http: requests.Session) -> None:
    sample = f'''<egainSurvey sid="1000_d15c6659-3c4b-41df-b2b5-7bacb60df41d"
xmlns="{NS}">
<survey> <question>Question 1</question> <answer>Answer 1</answer></survey>
<survey><question>Question 2</question> <answer>Answer 2</answer></survey>
</egainSurvey>'''.encode()
    assert post(http, srv, sample).status_code == 204
    assert srv.app is not None
    assert srv.app.store.recent(1)[0]["pairs"] == [["Question 1", "Answer 1"], ["Question 2", "Answer 2"]]


@pytest.mark.parametrize("content_type", [None, "application/json", "text/plain", "application/xmlx"])
def test_other_content_types_are_415(srv: ServerHandle, http: requests.Session,
                                     content_type: str | None) -> None:
    response = post(http, srv, survey_xml(), content_type)
    assert response.status_code == 415
    assert b"unsupported_media_type" in response.content


def test_body_over_the_limit_is_413_declared_or_streamed(srv: ServerHandle,
                                                         http: requests.Session) -> None:
    big = b"<a>" + b"x" * (1 << 20) + b"</a>"
    assert post(http, srv, big).status_code == 413
    chunked = post(http, srv, iter([big[:1000], big[1000:]]))  # no Content-Length: read with a cap
    assert chunked.status_code == 413


BAD = {
    "not_well_formed": b"<egainSurvey",
    "forbidden_markup": b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    "wrong_root": f'<survey xmlns="{NS}" sid="1"/>'.encode(),
    "wrong_namespace": b'<egainSurvey sid="1"><survey><question>q</question><answer>a</answer>'
                       b"</survey></egainSurvey>",
    "missing_sid": f'<egainSurvey xmlns="{NS}"><survey><question>q</question><answer>a</answer>'
                   f"</survey></egainSurvey>".encode(),
    "empty_sid": survey_xml(sid=""),
    "missing_question": f'<egainSurvey sid="1" xmlns="{NS}"><survey><answer>a</answer></survey>'
                        f"</egainSurvey>".encode(),
    "missing_answer": f'<egainSurvey sid="1" xmlns="{NS}"><survey><question>q</question></survey>'
                      f"</egainSurvey>".encode(),
    "no_pairs": f'<egainSurvey sid="1" xmlns="{NS}"/>'.encode(),
    "unexpected_element": f'<egainSurvey sid="1" xmlns="{NS}"><other/></egainSurvey>'.encode(),
    "schema": f'<egainSurvey sid="1" xmlns="{NS}"><survey><answer>a</answer><question>q</question>'
              f"</survey></egainSurvey>".encode(),
    "billion_laughs": b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
                      b'"&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>',
    "empty": b"",
}
CODES = {"wrong_namespace": "wrong_root", "billion_laughs": "forbidden_markup", "empty": "not_well_formed"}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_surveys_get_400_saying_what_was_wrong(srv: ServerHandle, http: requests.Session,
                                                   case: str) -> None:
    before = count_rows(srv.surveys_db)
    response = post(http, srv, BAD[case])
    assert response.status_code == 400
    assert f'code="{CODES.get(case, case)}"'.encode() in response.content
    assert b"Traceback" not in response.content
    assert count_rows(srv.surveys_db) == before


def test_error_body_is_json_when_asked(srv: ServerHandle, http: requests.Session) -> None:
    response = http.post(srv.base_url + ops.SURVEY.path, data=BAD["no_pairs"],
                         headers={**SURVEY_TYPE, "Accept": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "400-no_pairs"


# ------------------------------------------------------------------ lenient parsing (JAXB-like)
@pytest.fixture(scope="module")
def lenient() -> Iterator[ServerHandle]:
    with running_server(survey_parsing="lenient") as handle:
        yield handle


def _rows(handle: ServerHandle) -> list[tuple[str, list[list[str]]]]:
    assert handle.app is not None
    return [(r["sid"], r["pairs"]) for r in handle.app.store.recent(1)]  # type: ignore[misc]


@pytest.mark.parametrize(("body", "content_type", "pairs"), [
    (f'<egainSurvey xmlns="{NS}" sid="s1"><survey><question>Q</question><answer>A</answer></survey>'
     "</egainSurvey>", "text/plain", [["Q", "A"]]),
    (f'<egainSurvey xmlns="{NS}" sid="s1"><survey><question>Q</question><answer>A</answer></survey>'
     "</egainSurvey>", None, [["Q", "A"]]),
    (f'<egainSurvey xmlns="{NS}" sid="s1" x="y"><note/><survey><answer>A<a></a>B</answer>'
     "<question>Q</question><extra>z</extra></survey></egainSurvey>", "application/xml", [["Q", "AB"]]),
    (f'<!DOCTYPE egainSurvey [<!ENTITY e "entity text">]><egainSurvey xmlns="{NS}" sid="s1"><survey>'
     "<question>Q</question><answer>&e;</answer></survey></egainSurvey>", "application/xml",
     [["Q", "entity text"]]),
    # a hardened JAXB ignores an external DTD and parameter entities: never loaded, the survey stored
    (f'<!DOCTYPE egainSurvey SYSTEM "http://127.0.0.1:9/survey.dtd"><egainSurvey xmlns="{NS}" sid="s1">'
     "<survey><question>Q</question><answer>A</answer></survey></egainSurvey>", "application/xml", [["Q", "A"]]),
    (f'<!DOCTYPE egainSurvey [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]><egainSurvey xmlns="{NS}" '
     'sid="s1"><survey><question>Q</question><answer>A</answer></survey></egainSurvey>', "application/xml",
     [["Q", "A"]]),
])
def test_lenient_parsing_stores_what_a_jaxb_server_reads(lenient: ServerHandle, http: requests.Session,
                                                         body: str, content_type: str | None,
                                                         pairs: list[list[str]]) -> None:
    response = post(http, lenient, body.encode(), content_type)
    assert response.status_code == 204, response.text
    assert _rows(lenient) == [("s1", pairs)]


@pytest.mark.parametrize(("body", "status"), [
    (b"question=a&answer=b", 400),
    (b"", 400),
    (f'<egainSurvey xmlns="{NS}" sid="s1"><survey><question>a < b</question><answer>A</answer></survey>'
     "</egainSurvey>".encode(), 400),
    (b'<egainSurvey sid="s1"><survey><question>Q</question><answer>A</answer></survey></egainSurvey>'
, 400),
    (f'<egainSurvey xmlns="{NS}"><survey><question>Q</question><answer>A</answer></survey></egainSurvey>'
     .encode(), 400),
    (f'<egainSurvey xmlns="{NS}" sid="s1"><survey><question>Q</question></survey></egainSurvey>'.encode(), 400),
    (f'<!DOCTYPE egainSurvey [<!ENTITY e SYSTEM "file:///etc/passwd">]><egainSurvey xmlns="{NS}" sid="s1">'
     "<survey><question>Q</question><answer>&e;</answer></survey></egainSurvey>".encode(), 400),
    (f'<!DOCTYPE egainSurvey SYSTEM "http://127.0.0.1:9/survey.dtd"><egainSurvey xmlns="{NS}" sid="s1">'
     "<survey><question>Q</question><answer>&u;</answer></survey></egainSurvey>".encode(), 400),
    (f'<!DOCTYPE egainSurvey [<!ENTITY a "x"><!ENTITY b "&a;&a;">]><egainSurvey xmlns="{NS}" sid="s1">'
     "<survey><question>Q</question><answer>&b;</answer></survey></egainSurvey>".encode(), 400),
    (b"<a>" + b"x" * (1 << 20) + b"</a>", 413),
])
def test_lenient_parsing_still_refuses_what_cannot_be_read(lenient: ServerHandle, http: requests.Session,
                                                           body: bytes, status: int) -> None:
    before = count_rows(lenient.surveys_db)
    response = post(http, lenient, body, "text/plain")
    assert response.status_code == status, response.text
    assert count_rows(lenient.surveys_db) == before


def test_a_compressed_survey_is_read_as_it_came_never_inflated(srv: ServerHandle, http: requests.Session) -> None:
    """The reference server undoes no Content-Encoding: a gzip bomb costs it at most the 1 MiB cap."""
    from tests.hostile import MIB, bomb

    before = count_rows(srv.surveys_db)
    response = http.post(srv.base_url + ops.SURVEY.path, data=bomb("gzip-bomb", 64 * MIB),
                         headers={"Content-Type": "application/xml", "Content-Encoding": "gzip"}, timeout=10)
    assert response.status_code == 400 and b"not_well_formed" in response.content
    assert count_rows(srv.surveys_db) == before
