"""Hypothesis throws arbitrary bytes and well-formed-but-wrong XML at the survey: never a 5xx or hang."""

from __future__ import annotations

import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from ecekit import operations as ops
from ecekit.server.embedded import ServerHandle

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=40)
NAMES = st.sampled_from(["egainSurvey", "survey", "question", "answer", "sid", "x", "é"])
NAMESPACES = st.sampled_from([ops.CHAT_NS, None, "urn:other", ops.CHAT_NS + "/"])


@st.composite
def elements(draw: st.DrawFn, depth: int = 0) -> etree._Element:
    ns, name = draw(NAMESPACES), draw(NAMES)
    element = etree.Element(f"{{{ns}}}{name}" if ns else name)
    for attr in draw(st.lists(st.sampled_from(["sid", "SID", "x"]), max_size=2, unique=True)):
        element.set(attr, draw(TEXT))
    element.text = draw(st.none() | TEXT)
    if depth < 3:
        for child in draw(st.lists(elements(depth + 1), max_size=4)):  # type: ignore[call-arg]
            element.append(child)
    return element


def _post(srv: ServerHandle, http: requests.Session, body: bytes, content_type: str) -> None:
    response = http.post(srv.base_url + ops.SURVEY.path, data=body,
                         headers={"Content-Type": content_type}, timeout=5)
    assert response.status_code < 500, response.text
    assert response.status_code in (204, 400, 413, 415)
    assert b"Traceback" not in response.content


@SETTINGS
@given(body=st.binary(max_size=3000), content_type=st.sampled_from(["application/xml", "text/xml"]))
def test_arbitrary_bytes(srv: ServerHandle, http: requests.Session, body: bytes,
                         content_type: str) -> None:
    _post(srv, http, body, content_type)


@SETTINGS
@given(root=elements(), encoding=st.sampled_from(["utf-8", "utf-16", "iso-8859-1"]))
def test_well_formed_but_wrong_xml(srv: ServerHandle, http: requests.Session, root: etree._Element,
                                   encoding: str) -> None:
    try:
        body = etree.tostring(root, encoding=encoding, xml_declaration=True)
    except (UnicodeEncodeError, ValueError):
        body = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    _post(srv, http, body, "text/xml;charset=" + encoding)
