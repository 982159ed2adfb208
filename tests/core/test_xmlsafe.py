"""Safe parsing and both validation paths against the guide's samples and broken variants."""

from __future__ import annotations

import time

import pytest

from ecekit import operations, xmlsafe
from tests.core.corpus import BROKEN, GUIDE_SAMPLES, SURVEY_SAMPLE, VALID_VARIANTS

SCHEMAS = xmlsafe.schemas()


def _both(body: bytes) -> tuple[list[xmlsafe.XmlIssue], list[xmlsafe.XmlIssue]]:
    _, thorough = xmlsafe.validate(body, SCHEMAS.bosh)
    _, fast = xmlsafe.validate(body, SCHEMAS.bosh, fast=True)
    return thorough, fast


@pytest.mark.parametrize("name", list(GUIDE_SAMPLES))
def test_guide_samples_are_valid_on_both_paths(name: str) -> None:
    assert _both(GUIDE_SAMPLES[name].encode()) == ([], [])


@pytest.mark.parametrize("label", list(VALID_VARIANTS))
def test_what_real_servers_send_is_valid(label: str) -> None:
    assert _both(VALID_VARIANTS[label].encode()) == ([], [])


def test_survey_sample_is_valid() -> None:
    _, issues = xmlsafe.validate(SURVEY_SAMPLE.encode(), SCHEMAS.survey, expected_root="egainSurvey",
                                 namespace=operations.CHAT_NS)
    assert issues == []


def test_corpus_is_big_enough() -> None:
    assert len(BROKEN) >= 25


@pytest.mark.parametrize("case", BROKEN, ids=[c.label for c in BROKEN])
def test_broken_variant_is_rejected_naming_the_culprit(case) -> None:  # type: ignore[no-untyped-def]
    thorough, fast = _both(case.body)
    assert thorough, "thorough path accepted a broken document"
    assert fast, "fast path accepted a broken document"
    assert thorough[0].kind.value == case.kind
    if case.names:
        for issues in (thorough, fast):
            text = " ".join(f"{i.message} {i.xpath}" for i in issues)
            assert case.names in text, text


def test_unquoted_attribute_from_the_guide_is_not_well_formed() -> None:
    parsed = xmlsafe.parse(b'<checkEligibility responseType=0 />')
    assert parsed.root is None
    assert parsed.issues[0].kind is xmlsafe.IssueKind.NOT_WELL_FORMED
    assert "AttValue" in parsed.issues[0].message or "quote" in parsed.issues[0].message.lower()


@pytest.mark.parametrize("case", [c for c in BROKEN if c.kind == "forbidden_markup"], ids=lambda c: c.label)
def test_forbidden_markup_is_refused_in_milliseconds(case) -> None:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    parsed = xmlsafe.parse(case.body)
    assert time.perf_counter() - start < 0.05
    assert parsed.root is None and parsed.issues[0].kind is xmlsafe.IssueKind.FORBIDDEN


def test_doctype_is_caught_after_parse_when_the_byte_scan_cannot_see_it() -> None:
    body = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'.encode("utf-16")
    parsed = xmlsafe.parse(body)
    assert parsed.root is None
    assert parsed.issues[0].kind is xmlsafe.IssueKind.FORBIDDEN


def test_every_error_is_listed_not_only_the_first() -> None:
    body = b'<chatAllowed allowed="maybe" reason="nope" extra="1"/>'
    thorough, fast = _both(body)
    assert len(thorough) == 3 and len(fast) == 3
    assert {i.xpath for i in thorough} == {"/chatAllowed/@allowed", "/chatAllowed/@reason", "/chatAllowed/@extra"}


def test_wrong_root_for_the_operation_is_reported() -> None:
    _, issues = xmlsafe.validate(GUIDE_SAMPLES["chatAllowed"].encode(), SCHEMAS.bosh,
                                 expected_root="agentAvailability")
    assert [i.kind for i in issues] == [xmlsafe.IssueKind.WRONG_ROOT]
    assert "agentAvailability" in issues[0].message and "chatAllowed" in issues[0].message


def test_size_cap_is_configurable() -> None:
    body = GUIDE_SAMPLES["chatAllowed"].encode()
    assert xmlsafe.parse(body, max_bytes=len(body)).ok
    assert xmlsafe.parse(body, max_bytes=len(body) - 1).issues[0].kind is xmlsafe.IssueKind.TOO_LARGE


def test_schemas_are_built_once_per_directory() -> None:
    assert xmlsafe.schemas() is xmlsafe.schemas()


def test_missing_xsd_dir_is_a_schema_error_with_a_remedy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(xmlsafe.SchemaError) as info:
        xmlsafe.schemas(tmp_path)
    assert "eGainBosh.xsd" in str(info.value) and "--xsd-dir" in str(info.value)
