"""The survey tiers: the lenient reading decides each hostile family's tier, and the oracle grades a
2xx by it (``survey_rejected`` a failure, ``survey_lenient`` a finding unless strict), a 5xx in every
tier. The reference server's own lenient reading (lxml) is written apart from the oracle's (expat):
wherever the server accepts, the oracle must be able to read the same survey out of the body."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecekit import operations as ops
from ecekit.checks.lenient import read
from ecekit.checks.survey import LENIENT, Tier, judge_survey, split_findings, tier_of
from ecekit.fuzz import hostile
from ecekit.fuzz.hostile import hostile_surveys
from ecekit.fuzz.strategies import WRONG_CONTENT_TYPES, Style, SurveyCase, valid_surveys
from ecekit.server.survey import read_leniently
from tests.checks.helpers import exchange, observe

SID = "9999_ecec0000-0000-4000-8000-000000000000"
PAIRS = [("How was it?", "Fine"), ("Again?", "Yes")]
MUST, STRICT = Tier.MUST_REFUSE, Tier.STRICT_ONLY

# (family builder, arguments, tier): every family and every variant whose tier differs.
TABLE: list[tuple[str, SurveyCase, Tier]] = [
    ("not XML", hostile._not_xml("sid=9999_ecec&question=a&answer=b"), MUST),
    ("empty body", hostile._not_xml(""), MUST),
    ("truncated", hostile._truncated(SID, PAIRS, Style(), 120), MUST),
    ("unescaped <", hostile._unescaped(SID, PAIRS, Style(), "a < b", 0), MUST),
    ("unescaped &", hostile._unescaped(SID, PAIRS, Style(), "R&D", 0), MUST),
    ("undeclared &nbsp;", hostile._unescaped(SID, PAIRS, Style(), "&nbsp;", 0), MUST),
    ("wrong root", hostile._wrong_root(SID, PAIRS, "egainsurvey"), MUST),
    ("no namespace", hostile._wrong_namespace(SID, PAIRS, None, False), MUST),
    ("other namespace", hostile._wrong_namespace(SID, PAIRS, "urn:ecekit:not-chat", False), MUST),
    ("children in no namespace", hostile._wrong_namespace(SID, PAIRS, None, True), MUST),
    *[(f"sid {v}", hostile._missing_sid(PAIRS, v), MUST) for v in hostile._SID_VARIANTS],
    *[(f"pairs: {how}", hostile._broken_pairs(SID, PAIRS, how, 0), MUST)
      for how in ("no question", "no answer", "empty item", "no items")],
    *[(f"pairs: {how}", hostile._broken_pairs(SID, PAIRS, how, 0), STRICT)
      for how in ("swapped", "extra element", "two questions", "text in root")],
    *[(f"doctype: {kind}", hostile._doctype(SID, kind), STRICT)
      for kind in ("plain DOCTYPE", "internal entity", "external DTD", "parameter entity")],
    *[(f"doctype: {kind}", hostile._doctype(SID, kind), MUST)
      for kind in ("billion laughs", "external file entity", "external http entity")],
    ("deep nesting, 3", hostile._deep(SID, 3), STRICT),
    ("deep nesting, 50000", hostile._deep(SID, 50_000), STRICT),
    *[(f"charset {c}", hostile._wrong_charset(SID, PAIRS, c), MUST) for c in hostile._CHARSETS],
    *[(f"Content-Type {ct or '(none)'}", hostile._wrong_content_type(SID, PAIRS, ct), STRICT)
      for ct in WRONG_CONTENT_TYPES],
    ("over the size cap", hostile._huge(SID, 1), MUST),
]


@pytest.mark.parametrize(("name", "case", "tier"), TABLE, ids=[row[0] for row in TABLE])
def test_each_family_falls_in_its_tier(name: str, case: SurveyCase, tier: Tier) -> None:
    assert tier_of(case.body, valid=case.valid) is tier, read(case.body).problem


def test_the_lenient_reading_recovers_what_the_client_meant() -> None:
    swapped = hostile._broken_pairs(SID, PAIRS, "swapped", 0)
    assert read(swapped.body).pairs == tuple(PAIRS)
    entity = read(hostile._doctype(SID, "internal entity").body)
    assert entity.sid == SID and entity.pairs == (("q", "entity text"),)
    nested = read(f'<egainSurvey xmlns="{ops.CHAT_NS}" sid="s"><survey><answer>A<b>x</b>B</answer>'
                  f'<question>Q</question></survey></egainSurvey>'.encode())
    assert nested.pairs == (("Q", "AB"),)


def survey(doctype: str, answer: str = "a", sid: str = SID) -> bytes:
    return (f'{doctype}<egainSurvey xmlns="{ops.CHAT_NS}" sid="{sid}"><survey><question>q</question>'
            f"<answer>{answer}</answer></survey></egainSurvey>").encode()


DTD = '<!DOCTYPE egainSurvey SYSTEM "http://127.0.0.1:9/survey.dtd">'
PE = '<!DOCTYPE egainSurvey [<!ENTITY % p SYSTEM "http://127.0.0.1:9/p.dtd"> %p;]>'


def test_a_doctype_the_reading_ignores_is_noted_and_the_survey_recovered() -> None:
    """An external DTD or parameter entity is what a DOCTYPE-ignoring parser never loads: if the survey
    is complete without it, it is read completely (strict only), and the reading says what it skipped."""
    for doctype, what in ((DTD, "external DTD"), (PE, "parameter entity %p;")):
        reading = read(survey(doctype))
        assert reading.recovered and reading.pairs == (("q", "a"),), reading.problem
        assert any(what in note for note in reading.ignored)
    unused = read(survey('<!DOCTYPE egainSurvey [<!ENTITY e SYSTEM "http://127.0.0.1:9/e">]>'))
    assert unused.recovered  # declared, never used: nothing is missing


@pytest.mark.parametrize(("doctype", "answer", "why"), [
    ('<!DOCTYPE egainSurvey [<!ENTITY e SYSTEM "http://127.0.0.1:9/e">]>', "x&e;", "external entity"),
    (DTD, "&u;", "declared nowhere"),  # perhaps declared in the DTD, which is not loaded
    (PE, "&u;", "declared nowhere"),
    ('<!DOCTYPE egainSurvey [<!ENTITY m "<b>x</b>">]>', "&m;", "markup"),
])
def test_an_entity_the_reading_cannot_resolve_leaves_the_survey_unrecovered(doctype: str, answer: str,
                                                                           why: str) -> None:
    """A server that ignores the DOCTYPE cannot know the text of such an answer: it stores something
    the body does not say (or fetches it: XXE), so a 2xx is survey_rejected."""
    reading = read(survey(doctype, answer))
    assert not reading.recovered and why in reading.problem, reading
    assert tier_of(survey(doctype, answer), valid=False) is MUST


def test_a_sid_built_from_an_entity_the_reading_cannot_see_is_not_recovered() -> None:
    """expat silently drops an undeclared entity from an attribute when a DTD is not loaded: the raw
    start tag is looked at instead."""
    assert not read(survey(DTD, sid="9999_ecec&u;")).recovered
    internal = read(survey('<!DOCTYPE egainSurvey [<!ENTITY s "9999_ecec1">]>', sid="&s;"))
    assert internal.recovered and internal.sid == "9999_ecec1"


def test_a_bomb_declared_but_unused_is_still_refused_so_the_parser_never_holds_one() -> None:
    unused = hostile._doctype(SID, "billion laughs").body.replace(b"&amp;l9;", b"a").replace(b"&l9;", b"a")
    assert not read(unused).recovered and "bomb" in read(unused).problem


def test_a_bomb_is_refused_at_its_declaration_in_microseconds() -> None:
    body = hostile._doctype(SID, "billion laughs").body
    start = time.perf_counter()
    reading = read(body)
    assert not reading.recovered and "bomb" in reading.problem
    assert time.perf_counter() - start < 0.05


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(valid_surveys())
def test_every_valid_survey_is_read_the_same_by_both_lenient_readers(case: SurveyCase) -> None:
    ours, servers = read(case.body), read_leniently(case.body)
    assert ours.recovered and servers.ok
    assert (ours.sid, list(ours.pairs)) == (servers.sid, servers.pairs)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(hostile_surveys())
def test_the_lenient_server_never_accepts_what_the_oracle_cannot_read(case: SurveyCase) -> None:
    servers = read_leniently(case.body)
    if servers.ok:
        ours = read(case.body)
        assert ours.recovered, (case.description, ours.problem)
        assert (ours.sid, list(ours.pairs)) == (servers.sid, servers.pairs)


@pytest.mark.parametrize(("case", "status", "checks"), [
    (hostile._not_xml("hello"), 204, {"survey_rejected"}),
    (hostile._wrong_content_type(SID, PAIRS, "text/plain"), 204, {LENIENT}),
    (hostile._wrong_content_type(SID, PAIRS, "text/plain"), 415, set()),
    (hostile._not_xml("hello"), 400, set()),
    (hostile._wrong_content_type(SID, PAIRS, "text/plain"), 500, {"not_a_server_error"}),
    (hostile._not_xml("hello"), 500, {"not_a_server_error"}),
])
def test_the_oracle_grades_a_2xx_by_tier_and_a_5xx_in_every_tier(case: SurveyCase, status: int,
                                                                  checks: set[str]) -> None:
    ex = exchange(ops.SURVEY, b"", status=status, content_type="")
    ex.request_body = case.body
    found = judge_survey(observe(ex, ops.SURVEY), valid=False, description=case.description)
    assert {v.check for v in found} == checks


def test_a_lenient_acceptance_is_a_finding_unless_strict() -> None:
    ex = exchange(ops.SURVEY, b"", status=204, content_type="")
    ex.request_body = hostile._broken_pairs(SID, PAIRS, "swapped", 0).body
    found = judge_survey(observe(ex, ops.SURVEY), valid=False)
    assert split_findings(found, lenient_fails=False) == ([], found)
    assert split_findings(found, lenient_fails=True) == (found, [])


@given(st.binary(max_size=300))
def test_the_reading_never_raises(body: bytes) -> None:
    read(body)
    read_leniently(body)
