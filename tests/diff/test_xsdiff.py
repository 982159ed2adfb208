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



def test_the_component_records_of_ecekit_s_own_schemas() -> None:
    components = describe(resources.xsd_dir())
    chat = "{http://bindings.egain.com/chat}"
    assert len(components) == 17
    assert components["/agentAvailability"] == {"kind": "element", "min": 1, "max": 1, "type": "complex",
                                                "content": "empty", "model": None, "mixed": False}
    assert components["/sessionStatus"]["model"] == "all" and components["/availableSlots"]["model"] == "sequence"
    assert components["/chatAllowed/@reason"] == {
        "kind": "attribute", "min": 0, "max": 1, "type": "xs:string",
        "facets": {"enumeration": ["Other", "agent_not_available", "entry_point_inactive", "invalid_entry_point",
                                   "queue_depth_reached", "service_not_running"]}}
    assert components["/checkEligibility/@responseType"] == {"kind": "attribute", "min": 1, "max": 1,
                                                             "type": "xs:int",
                                                             "facets": {"enumeration": ["0", "1", "2", "3"]}}
    assert components[f"/sessionStatus/{chat}waitTime"] == {"kind": "element", "min": 1, "max": 1,
                                                            "type": "xs:decimal", "facets": {"minInclusive": "0"}}
    assert components[f"/{chat}egainSurvey/{chat}survey"]["max"] == "unbounded"
    assert components[f"/{chat}egainSurvey/@sid"]["facets"] == {"minLength": "1"}


SMALL_BOSH = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:simpleType name="Code"><xs:restriction base="xs:string"><xs:pattern value="[A-Z]+"/></xs:restriction>
  </xs:simpleType>
  <xs:element name="root">
    <xs:complexType mixed="true">
      <xs:sequence>
        <xs:element name="opt" type="xs:string" minOccurs="0" maxOccurs="3"/>
        <xs:element name="code" type="Code"/>
        <xs:element name="small">
          <xs:simpleType><xs:restriction base="Code"><xs:maxLength value="5"/><xs:enumeration value="AB"/>
            <xs:enumeration value="A"/></xs:restriction></xs:simpleType>
        </xs:element>
        <xs:element name="priced">
          <xs:complexType><xs:simpleContent><xs:extension base="xs:decimal">
            <xs:attribute name="cur" type="xs:string" use="required"/></xs:extension></xs:simpleContent>
          </xs:complexType>
        </xs:element>
        <xs:any namespace="urn:x" minOccurs="0" maxOccurs="unbounded" processContents="lax"/>
      </xs:sequence>
      <xs:attribute name="gone" type="xs:string" use="prohibited"/>
      <xs:anyAttribute namespace="urn:y" processContents="skip"/>
    </xs:complexType>
  </xs:element>
  <xs:element name="node" type="Node"/>
  <xs:complexType name="Node"><xs:sequence><xs:element name="node" type="Node" minOccurs="0"/></xs:sequence>
  </xs:complexType>
</xs:schema>
"""


def test_wildcards_prohibited_attributes_simple_content_and_recursion(tmp_path: Path) -> None:
    (tmp_path / BOSH).write_text(SMALL_BOSH, encoding="utf-8")
    (tmp_path / SURVEY).write_text('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
                                   '<xs:element name="s" type="xs:int"/></xs:schema>', encoding="utf-8")
    components = describe(tmp_path)
    complex_ = {"type": "complex", "content": "element-only", "model": "sequence", "mixed": False}
    nodes = {"/node" * n: {"kind": "element", "min": 1 if n == 1 else 0, "max": 1, **complex_}
             for n in range(1, 22)}  # cut at a depth of 20
    assert components == {
        **nodes,
        "/root": {"kind": "element", "min": 1, "max": 1, "type": "complex", "content": "mixed",
                  "model": "sequence", "mixed": True},
        "/root/@*": {"kind": "attribute", "min": 0, "max": 1, "type": "any", "facets": {"namespace": ["urn:y"]}},
        "/root/@gone": {"kind": "attribute", "min": 0, "max": 0, "type": "xs:string", "facets": {}},
        "/root/opt": {"kind": "element", "min": 0, "max": 3, "type": "xs:string", "facets": {}},
        "/root/code": {"kind": "element", "min": 1, "max": 1, "type": "Code", "facets": {}},
        "/root/small": {"kind": "element", "min": 1, "max": 1, "type": "Code",
                        "facets": {"maxLength": "5", "enumeration": ["A", "AB"]}},
        "/root/priced": {"kind": "element", "min": 1, "max": 1, "type": "complex/xs:decimal", "content": "simple",
                         "model": None, "mixed": False, "facets": {}},
        "/root/priced/@cur": {"kind": "attribute", "min": 1, "max": 1, "type": "xs:string", "facets": {}},
        "/root/*": {"kind": "element", "min": 0, "max": "unbounded", "type": "any",
                    "facets": {"namespace": ["urn:x"]}},
        "/s": {"kind": "element", "min": 1, "max": 1, "type": "xs:int", "facets": {}},
    }


def test_a_schema_that_does_not_compile_says_which(tmp_path: Path) -> None:
    (tmp_path / BOSH).write_text("<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'><xs:element/>"
                                 "</xs:schema>", encoding="utf-8")
    (tmp_path / SURVEY).write_text("<xs:schema xmlns:xs='http://www.w3.org/2001/XMLSchema'/>", encoding="utf-8")
    with pytest.raises(SchemaError) as err:
        describe(tmp_path)
    assert err.value.message.startswith(f"cannot compile {tmp_path / BOSH}: ")
    assert err.value.remedy == "check that every schema it imports is in the same directory"
    (tmp_path / BOSH).unlink()
    with pytest.raises(SchemaError) as err:
        describe(tmp_path)
    assert err.value.message == f"no {BOSH} in {tmp_path.resolve()}"
    assert err.value.remedy == f"both directories must hold {BOSH} and {SURVEY}"


WILDCARD_FIRST = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:complexType name="Amount"><xs:simpleContent><xs:extension base="xs:decimal">
    <xs:attribute name="cur" type="xs:string"/></xs:extension></xs:simpleContent></xs:complexType>
  <xs:element name="w">
    <xs:complexType><xs:sequence>
      <xs:any namespace="##other" maxOccurs="2" processContents="lax"/>
      <xs:element name="after" type="xs:string"/>
      <xs:element name="capped"><xs:complexType><xs:simpleContent><xs:restriction base="Amount">
        <xs:maxInclusive value="5"/></xs:restriction></xs:simpleContent></xs:complexType></xs:element>
      <xs:element name="ints"><xs:simpleType><xs:list itemType="xs:int"/></xs:simpleType></xs:element>
      <xs:element name="code"><xs:simpleType><xs:restriction base="xs:string"><xs:pattern value="[A-Z]+"/>
        </xs:restriction></xs:simpleType></xs:element>
      <xs:element name="nested"><xs:simpleType><xs:restriction><xs:simpleType><xs:restriction base="xs:int">
        <xs:maxInclusive value="9"/><xs:minInclusive value="0"/></xs:restriction></xs:simpleType>
        <xs:maxInclusive value="5"/></xs:restriction></xs:simpleType></xs:element>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>
"""


def test_a_bounded_wildcard_restricted_simple_content_and_an_unnamed_type(tmp_path: Path) -> None:
    (tmp_path / BOSH).write_text(WILDCARD_FIRST, encoding="utf-8")
    (tmp_path / SURVEY).write_text('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>', encoding="utf-8")
    assert describe(tmp_path) == {
        "/w": {"kind": "element", "min": 1, "max": 1, "type": "complex", "content": "element-only",
               "model": "sequence", "mixed": False},
        "/w/*": {"kind": "element", "min": 1, "max": 2, "type": "any", "facets": {"namespace": ["##other"]}},
        "/w/after": {"kind": "element", "min": 1, "max": 1, "type": "xs:string", "facets": {}},
        "/w/capped": {"kind": "element", "min": 1, "max": 1, "type": "complex/Amount", "content": "simple",
                      "model": None, "mixed": False, "facets": {"maxInclusive": "5"}},
        "/w/capped/@cur": {"kind": "attribute", "min": 0, "max": 1, "type": "xs:string", "facets": {}},
        "/w/ints": {"kind": "element", "min": 1, "max": 1, "type": "anonymous", "facets": {"whiteSpace": "collapse"}},
        "/w/code": {"kind": "element", "min": 1, "max": 1, "type": "xs:string", "facets": {"pattern": ["[A-Z]+"]}},
        # the nearest restriction's bound wins; the inner one adds what the outer one does not restrict
        "/w/nested": {"kind": "element", "min": 1, "max": 1, "type": "xs:int",
                      "facets": {"maxInclusive": "5", "minInclusive": "0"}},
    }
