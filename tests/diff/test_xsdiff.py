"""`diff --xsd`: ecekit's own xsd/ against modified copies, one change at a time."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ecekit import resources
from ecekit.diff.classify import Severity
from ecekit.diff.xsdiff import _facet_kind, compare_dirs, describe
from ecekit.errors import SchemaError

BOSH, CHAT, SURVEY = "eGainBosh.xsd", "eGainBoshChat.xsd", "eGainSurvey.xsd"


def modified(tmp_path: Path, file: str, *edits: str) -> Path:
    """A copy of ecekit's xsd/ with ``file`` edited: pairs of (old, new) text."""
    copy = tmp_path / "b"
    shutil.copytree(resources.xsd_dir(), copy)
    text = (copy / file).read_text(encoding="utf-8")
    for old, new in zip(edits[::2], edits[1::2], strict=True):
        assert old in text, f"{old!r} not in {file}: the test no longer matches the schema"
        text = text.replace(old, new, 1)
    (copy / file).write_text(text, encoding="utf-8")
    return copy


def diff(tmp_path: Path, file: str, *edits: str) -> list[tuple[str, str, str]]:
    changes = compare_dirs(resources.xsd_dir(), modified(tmp_path, file, *edits))
    return [(c.severity.value, c.kind, c.field) for c in changes]


def test_identical_sets_have_no_differences() -> None:
    assert compare_dirs(resources.xsd_dir(), resources.xsd_dir()) == []


def test_the_component_model_covers_every_operation() -> None:
    components = describe(resources.xsd_dir())
    assert "/chatAllowed/@reason" in components
    assert components["/chatAllowed/@reason"]["min"] == 0
    assert "/sessionStatus/{http://bindings.egain.com/chat}queueDepth" in components
    assert any(path.endswith("}answer") for path in components)  # the survey, too


def test_element_removed_is_breaking(tmp_path: Path) -> None:
    found = diff(tmp_path, BOSH, '        <xs:element ref="chat:queueDepth"/>\n', "")
    assert found == [("breaking", "xsd_component_gone",
                      "/sessionStatus/{http://bindings.egain.com/chat}queueDepth")]


def test_optional_element_added_is_compatible(tmp_path: Path) -> None:
    found = diff(tmp_path, BOSH, '<xs:element ref="chat:count"/>',
                 '<xs:element ref="chat:count"/>\n        <xs:element name="note" type="xs:string" minOccurs="0"/>')
    assert found == [("compatible", "xsd_optional_added", "/availableSlots/note")]


def test_required_element_added_is_breaking(tmp_path: Path) -> None:
    found = diff(tmp_path, BOSH, '<xs:element ref="chat:count"/>',
                 '<xs:element ref="chat:count"/>\n        <xs:element name="note" type="xs:string"/>')
    assert found == [("breaking", "xsd_required_added", "/availableSlots/note")]


def test_optional_attribute_added_is_compatible(tmp_path: Path) -> None:
    found = diff(tmp_path, BOSH, '<xs:attribute name="available" type="xs:boolean" use="required"/>',
                 '<xs:attribute name="available" type="xs:boolean" use="required"/>'
                 '<xs:attribute name="since" type="xs:dateTime"/>')
    assert found == [("compatible", "xsd_optional_added", "/agentAvailability/@since")]


def test_enumeration_widened_is_breaking_and_narrowed_compatible(tmp_path: Path) -> None:
    wider = diff(tmp_path, BOSH, '<xs:enumeration value="3"/>',
                 '<xs:enumeration value="3"/><xs:enumeration value="4"/>')
    assert wider == [("breaking", "xsd_widened", "/checkEligibility/@responseType")]
    shutil.rmtree(tmp_path / "b")
    narrower = diff(tmp_path, BOSH, '<xs:enumeration value="3"/>', "")
    assert narrower == [("compatible", "xsd_narrowed", "/checkEligibility/@responseType")]


def test_bound_facet_lowered_is_breaking(tmp_path: Path) -> None:
    found = diff(tmp_path, CHAT, '<xs:minInclusive value="0"/>', '<xs:minInclusive value="-1"/>')
    assert found == [("breaking", "xsd_widened", "/sessionStatus/{http://bindings.egain.com/chat}waitTime")]


def test_facet_added_is_a_narrowing(tmp_path: Path) -> None:
    found = diff(tmp_path, CHAT, '<xs:minInclusive value="0"/>',
                 '<xs:minInclusive value="0"/><xs:fractionDigits value="1"/>')
    assert found == [("compatible", "xsd_narrowed", "/sessionStatus/{http://bindings.egain.com/chat}waitTime")]


def test_type_changed_is_breaking(tmp_path: Path) -> None:
    found = diff(tmp_path, CHAT, '<xs:element name="queueDepth" type="xs:nonNegativeInteger"/>',
                 '<xs:element name="queueDepth" type="xs:string"/>')
    assert found == [("breaking", "xsd_type_changed", "/sessionStatus/{http://bindings.egain.com/chat}queueDepth")]


def test_content_model_changed_is_breaking(tmp_path: Path) -> None:
    found = diff(tmp_path, BOSH, "<xs:all>", "<xs:sequence>", "</xs:all>", "</xs:sequence>")
    assert found == [("breaking", "xsd_type_changed", "/sessionStatus")]


def test_occurrences_widened_are_breaking(tmp_path: Path) -> None:
    found = diff(tmp_path, SURVEY, 'maxOccurs="unbounded"', 'maxOccurs="5"')
    assert [f[:2] for f in found] == [("compatible", "xsd_narrowed")]
    shutil.rmtree(tmp_path / "b")
    found = diff(tmp_path, BOSH, '<xs:element ref="chat:count"/>', '<xs:element ref="chat:count" maxOccurs="2"/>')
    assert found == [("breaking", "xsd_widened", "/availableSlots/{http://bindings.egain.com/chat}count")]


def test_a_directory_without_the_schemas_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match=r"no eGainBosh\.xsd"):
        compare_dirs(resources.xsd_dir(), tmp_path)
    with pytest.raises(SchemaError, match="does not exist"):
        describe(tmp_path / "missing")


def test_a_changed_pattern_is_neither_wider_nor_narrower() -> None:
    assert _facet_kind("pattern", ["[0-9]+"], ["[a-z]+"]) == "xsd_facet_changed"
    assert _facet_kind("maxLength", "10", "20") == "xsd_widened"
    assert _facet_kind("maxLength", "10", None) == "xsd_widened"


def test_severities_come_from_the_rules() -> None:
    assert {s.value for s in Severity} == {"breaking", "slower", "compatible"}

