"""Normalising one answer: by namespace URI and local name, typed, blind to prefixes, order and layout."""

from __future__ import annotations

from ecekit import operations as ops
from ecekit.client import Exchange, TransportError
from ecekit.diff.classify import Severity
from ecekit.diff.compare import answer_changes
from ecekit.diff.normalise import field_name, normalise

CHAT = ops.CHAT_NS
STATUS = ("<sessionStatus xmlns:ns2='http://bindings.egain.com/chat'>\n  <ns2:waitTime>3.0</ns2:waitTime>\n"
          "  <ns2:queueDepth>2</ns2:queueDepth>\n</sessionStatus>")
RESTYLED = ("<sessionStatus xmlns:c='http://bindings.egain.com/chat'><c:queueDepth>2</c:queueDepth>"
            "\t\t<c:waitTime>3.0</c:waitTime></sessionStatus>")


def exchange(body: str, status: int = 200, content_type: str = "application/xml;charset=UTF-8") -> Exchange:
    ex = Exchange("liveSessionStatus", "GET", "http://127.0.0.1/x", "1001", status=status,
                  response_headers={"content-type": content_type}, body=body.encode())
    return ex


def record(body: str, op: ops.Operation = ops.LIVE_SESSION_STATUS, **kw: object) -> dict[str, object]:
    return normalise(exchange(body, **kw), op)  # type: ignore[arg-type]


def test_fields_by_namespace_uri_typed() -> None:
    r = record(STATUS)
    assert r["root"] == "sessionStatus" and r["xml"] == "ok" and r["charset"] == "utf-8"
    assert r["elements"] == {
        f"{{{CHAT}}}waitTime": {"field": "waitTime", "type": "seconds", "valid": True, "value": 3.0},
        f"{{{CHAT}}}queueDepth": {"field": "queueDepth", "type": "count", "valid": True, "value": 2},
    }
    assert r["prefixes"] == {CHAT: "ns2"}


def test_prefixes_order_and_layout_change_only_the_prefix_map() -> None:
    a, b = record(STATUS), record(RESTYLED)
    assert {k: v for k, v in a.items() if k != "prefixes"} == {k: v for k, v in b.items() if k != "prefixes"}
    changes = answer_changes("liveSessionStatus", "1001", _answer(a), _answer(b))
    assert [(c.kind, c.severity) for c in changes] == [("prefix_changed", Severity.COMPATIBLE)]


def test_a_value_not_of_its_type_keeps_its_text() -> None:
    r = record(STATUS.replace(">2<", ">-1<"))
    assert r["elements"][f"{{{CHAT}}}queueDepth"] == {"field": "queueDepth", "type": "count", "valid": False,
                                                      "value": "-1"}


def test_values_within_type_are_compatible_and_outside_breaking() -> None:
    a = record(STATUS)
    within = answer_changes("x", "1", _answer(a), _answer(record(STATUS.replace(">2<", ">7<"))))
    assert [(c.kind, c.field, c.before, c.after) for c in within] == [("value_changed", "queueDepth", 2, 7)]
    out = answer_changes("x", "1", _answer(a), _answer(record(STATUS.replace(">2<", ">many<"))))
    assert [(c.kind, c.severity) for c in out] == [("type_changed", Severity.BREAKING)]
    eligible = '<checkEligibility responseType="{}"/>'
    zero, four = (record(eligible.format(v), ops.CHECK_ELIGIBILITY) for v in (0, 4))
    enum = answer_changes("checkEligibility", "1", _answer(zero), _answer(four))
    assert [(c.kind, c.field) for c in enum] == [("value_outside_enumeration", "responseType")]


def test_an_optional_field_gone_is_compatible_a_required_one_breaking() -> None:
    refused = record('<chatAllowed allowed="false" reason="agent_not_available"/>', ops.CHAT_ALLOWED)
    allowed = record('<chatAllowed allowed="true"/>', ops.CHAT_ALLOWED)
    bare = record("<chatAllowed/>", ops.CHAT_ALLOWED)
    state = answer_changes("chatAllowed", "1", _answer(refused), _answer(allowed))
    assert sorted((c.kind, c.field, c.severity) for c in state) == [
        ("optional_field_gone", "reason", Severity.COMPATIBLE), ("value_changed", "allowed", Severity.COMPATIBLE)]
    gone = answer_changes("chatAllowed", "1", _answer(allowed), _answer(bare))
    assert [(c.kind, c.field, c.severity) for c in gone] == [("attribute_gone", "allowed", Severity.BREAKING)]


def test_undocumented_and_nested_content_is_text() -> None:
    r = record("<sessionStatus><extra a='1'><deep>x</deep></extra><extra/></sessionStatus>")
    assert r["elements"] == {"extra": {"type": "element", "value": None},
                             "extra/deep": {"type": "text", "value": "x"},
                             "extra[2]": {"type": "text", "value": ""}}
    assert r["attributes"] == {"extra/@a": {"type": "text", "value": "1"}}


def test_bodies_that_are_not_xml_and_transport_failures() -> None:
    assert record("<a>")["xml"] == "not_well_formed"
    assert record('<!DOCTYPE a [<!ENTITY x "y">]><a/>')["xml"] == "forbidden_markup"
    assert record("", status=204)["xml"] is None
    ex = exchange("")
    ex.error, ex.status = TransportError.TIMEOUT, None
    assert normalise(ex, ops.CAPACITY)["transport"] == "timeout"


def test_field_names_as_people_read_them() -> None:
    assert field_name(f"{{{CHAT}}}queueDepth") == "queueDepth"
    assert field_name("@allowed") == "allowed"
    assert field_name("count") == "count (no namespace)"
    assert field_name("{urn:x}count") == "count (namespace urn:x)"
    assert field_name(f"{{{CHAT}}}a/{{{CHAT}}}b/@c") == "c"


def _answer(response: dict[str, object]) -> dict[str, object]:
    return {"response": response, "checks": {"pass": [], "skip": [], "fail": {}}, "latency_ms": {}}


def test_the_media_type_and_charset_as_sent_in_any_spelling() -> None:
    spelt = {"Application/XML ; Charset = \"ISO-8859-1\"": ("application/xml", "iso-8859-1"),
             "application/xml; boundary=x; charset=utf-8": ("application/xml", "utf-8"),
             "application/xml; charset=": ("application/xml", None),
             "application/xml; format=charset": ("application/xml", None),
             "text/html": ("text/html", None),
             "": (None, None)}
    for header, expected in spelt.items():
        r = record("<availableSlots/>", ops.CAPACITY, content_type=header)
        assert (r["content_type"], r["charset"]) == expected, header


def test_a_failed_exchange_or_an_empty_body_records_no_xml() -> None:
    ex = exchange(STATUS)
    ex.error = TransportError.TOO_LARGE
    r = normalise(ex, ops.LIVE_SESSION_STATUS)
    assert (r["transport"], r["status"], r["xml"], r["root"], r["elements"]) == ("too_large", 200, None, None, {})
    empty = record("", status=200)
    assert (empty["transport"], empty["xml"], empty["root"], empty["prefixes"]) == (None, None, None, {})


def test_a_body_over_the_cap_is_recorded_as_too_large() -> None:
    body = "<sessionStatus>" + " " * 200 + "</sessionStatus>"
    assert normalise(exchange(body), ops.LIVE_SESSION_STATUS, max_bytes=100)["xml"] == "too_large"
    assert normalise(exchange(body), ops.LIVE_SESSION_STATUS, max_bytes=1000)["xml"] == "ok"


def test_the_root_and_prefixes_by_namespace_uri() -> None:
    r = record(f"<s:sessionStatus xmlns='urn:d' xmlns:s='urn:s' xmlns:a='{CHAT}'><a:waitTime>1</a:waitTime>"
               "</s:sessionStatus>")
    assert r["root"] == "{urn:s}sessionStatus"
    assert r["prefixes"] == {"urn:d": "", CHAT: "a", "urn:s": "s"}
    assert list(r["prefixes"]) == ["urn:d", CHAT, "urn:s"]  # by prefix, the default first
    assert r["elements"] == {f"{{{CHAT}}}waitTime": {"field": "waitTime", "type": "seconds", "valid": True,
                                                     "value": 1.0}}
    assert isinstance(r["elements"][f"{{{CHAT}}}waitTime"]["value"], float)


def test_repeats_comments_and_attributes_of_leaves() -> None:
    r = record("<chatAllowed allowed=' true ' x='1'><!-- c --><?pi x?><n b=' 2 '>t</n><n/><n> 3 </n></chatAllowed>",
               ops.CHAT_ALLOWED)
    assert r["attributes"] == {"@allowed": {"field": "allowed", "type": "boolean", "valid": True, "value": True},
                               "@x": {"type": "text", "value": "1"},
                               "n/@b": {"type": "text", "value": "2"}}
    assert r["elements"] == {"n": {"type": "text", "value": "t"}, "n[2]": {"type": "text", "value": ""},
                             "n[3]": {"type": "text", "value": "3"}}


def test_only_the_documented_places_are_typed() -> None:
    r = record(f"<availableSlots xmlns:c='{CHAT}' count='x'><c:x><c:count>5</c:count></c:x><c:count>bad</c:count>"
               "</availableSlots>", ops.CAPACITY)
    assert r["elements"] == {
        f"{{{CHAT}}}x": {"type": "element", "value": None},
        f"{{{CHAT}}}x/{{{CHAT}}}count": {"type": "text", "value": "5"},
        f"{{{CHAT}}}count": {"field": "count", "type": "count", "valid": False, "value": "bad"}}
    assert r["attributes"] == {"@count": {"type": "text", "value": "x"}}


def test_steps_leave_slashes_inside_a_namespace_alone() -> None:
    from ecekit.diff.normalise import steps

    assert steps("{http://a/b}x/{urn:c}y[2]/@z") == ["{http://a/b}x", "{urn:c}y[2]", "@z"]
    assert steps("a") == ["a"] and steps("") == []
    assert field_name("{http://a/b}x/{urn:c}y") == "y (namespace urn:c)"
    assert field_name("n/@b") == "b"
