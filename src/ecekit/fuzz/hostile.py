"""The hostile survey families: bodies a correct server must refuse with a 4xx.

Each family builds on the valid survey's pieces (:mod:`ecekit.fuzz.strategies`) and breaks one thing,
so a failure says what the server cannot cope with; each case is proven *not* valid against the XSD
before it is returned (the wrong Content-Type family aside: there the body is fine and the label is
not). Families whose point is elsewhere use the plainest spelling, so they shrink small.
"""

from __future__ import annotations

from hypothesis import strategies as st

from ecekit.canary import PLACEHOLDER
from ecekit.fuzz.strategies import (
    ROOT,
    SID_PREFIX,
    WRONG_CONTENT_TYPES,
    Style,
    SurveyCase,
    is_valid_survey,
    pair_items,
    render,
    sids,
    styles,
    texts,
)
from ecekit.operations import CHAT_NS, SURVEY_ANSWER, SURVEY_ITEM, SURVEY_QUESTION, SURVEY_SID
from ecekit.xmlsafe import DEFAULT_MAX_BODY


def _hostile(family: str, what: str, body: bytes, content_type: str = "application/xml") -> SurveyCase:
    if family != "wrong_content_type":
        assert not is_valid_survey(body), f"ecekit bug: hostile {family} case is valid: {body[:300]!r}"
    return SurveyCase(body, content_type, False, f"{family}: {what}", family)


_small_pairs = st.lists(st.tuples(texts, texts), min_size=1, max_size=4)

_plain = st.builds(Style)  # the simplest spelling, for families whose point is elsewhere
_NOT_XML = ("", "hello", "sid=9999_ecec&question=a&answer=b", '{"sid": "9999_ecec", "survey": []}', "null",
            "0", "egainSurvey", "\x00\x01\x02")


def _not_xml(text: str) -> SurveyCase:
    return _hostile("not_xml", f"{len(text)} chars of text", text.encode("utf-8"))


def _not_xml_bytes(data: bytes) -> SurveyCase:
    return _hostile("not_xml", f"{len(data)} random bytes", data)


def _truncated(sid: str, pairs: list[tuple[str, str]], style: Style, cut: int) -> SurveyCase:
    whole = render(style, sid=sid, items=pair_items(pairs, style.text_mode)).rstrip()
    at = 1 + cut % max(1, len(whole) - 2)
    return _hostile("truncated", f"cut at byte {at} of {len(whole)}", whole[:at])


_INJECTIONS = ("a < b", "R&D", "Tom & Jerry", "&nbsp;", "<3", "x<", "5 > 3 & 2 < 4", "&#0;", "</answer>")


def _unescaped(sid: str, pairs: list[tuple[str, str]], style: Style, raw: str, index: int) -> SurveyCase:
    items = pair_items(pairs, style.text_mode)
    i = index % len(items)
    items[i] = ((SURVEY_QUESTION, items[i][0][1]), (SURVEY_ANSWER, raw))
    return _hostile("unescaped_text", f"visitor text {raw!r} put in the XML unescaped",
                    render(style, sid=sid, items=items), "text/xml;charset=utf-8")


def _wrong_root(sid: str, pairs: list[tuple[str, str]], root: str) -> SurveyCase:
    return _hostile("wrong_root", f"root <{root}>", render(Style(), sid=sid, items=pair_items(pairs), root=root))


def _wrong_namespace(sid: str, pairs: list[tuple[str, str]], ns: str | None, children_only: bool) -> SurveyCase:
    if children_only:
        body = render(Style(), sid=sid, items=pair_items(pairs), child_namespace=ns if ns != CHAT_NS else None)
        return _hostile("wrong_namespace", "root right, children in another namespace", body)
    return _hostile("wrong_namespace", f"namespace {ns!r}",
                    render(Style(), sid=sid, items=pair_items(pairs), namespace=ns))


_SID_VARIANTS = ("missing", "empty", "prefixed", "upper-case", "element")


def _missing_sid(pairs: list[tuple[str, str]], variant: str) -> SurveyCase:
    raw = {"missing": None, "empty": f'{SURVEY_SID}=""', "prefixed": f'xmlns:x="{CHAT_NS}" x:{SURVEY_SID}="1"',
           "upper-case": f'{SURVEY_SID.upper()}="{SID_PREFIX}"', "element": None}[variant]
    items = pair_items(pairs)
    if variant == "element":
        items = [((SURVEY_SID, SID_PREFIX), *items[0]), *items[1:]]
    body = render(Style(), sid=None, items=items, raw_sid_attr=raw)
    return _hostile("missing_sid", f"sid {variant}", body)


_PAIR_BREAKS = ("no question", "no answer", "swapped", "empty item", "no items", "extra element",
                "two questions", "text in root")


def _broken_pairs(sid: str, pairs: list[tuple[str, str]], how: str, index: int) -> SurveyCase:
    items = [list(item) for item in pair_items(pairs)]
    i = index % len(items)
    q, a = items[i]
    items[i] = {"no question": [a], "no answer": [q], "swapped": [a, q], "empty item": [],
                "extra element": [q, a, ("comment", "x")], "two questions": [q, q, a]}.get(how, [q, a])
    if how == "no items":
        items = []
    body = render(Style(), sid=sid, items=items)
    if how == "text in root":
        body = body.replace(b"><", b">stray text<", 1)
    return _hostile("broken_pairs", how, body)


_DOCTYPES = {
    "plain DOCTYPE": f"<!DOCTYPE {ROOT}>",
    "internal entity": f'<!DOCTYPE {ROOT} [<!ENTITY e "entity text">]>',
    "billion laughs": f'<!DOCTYPE {ROOT} [<!ENTITY l0 "lol">'
    + "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)) + "]>",
    "external file entity": f'<!DOCTYPE {ROOT} [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    "external http entity": f'<!DOCTYPE {ROOT} [<!ENTITY e SYSTEM "{PLACEHOLDER}entity">]>',
    "external DTD": f'<!DOCTYPE {ROOT} SYSTEM "{PLACEHOLDER}survey.dtd">',
    "parameter entity": f'<!DOCTYPE {ROOT} [<!ENTITY % p SYSTEM "{PLACEHOLDER}p.dtd"> %p;]>',
}
"""The http URLs start with the canary placeholder: at send time they name ecekit's canary, so a
server that fetches them is caught (``survey_xxe``), whatever it answers."""
_ENTITY_USE = {"internal entity": "&e;", "billion laughs": "&l9;", "external file entity": "&e;",
               "external http entity": "&e;"}


def _doctype(sid: str, kind: str) -> SurveyCase:
    items = [((SURVEY_QUESTION, "q"), (SURVEY_ANSWER, _ENTITY_USE.get(kind, "a")))]
    return _hostile("doctype", kind, render(Style(), sid=sid, items=items, doctype=_DOCTYPES[kind]))


def canary_cases(sid: str | None = None) -> list[SurveyCase]:
    """The DOCTYPE cases that name an http URL (the canary placeholder): sent on every fuzz run, so
    whether the server fetches them never depends on what hypothesis draws."""
    return [_doctype(sid or _TINY_SID_TEXT, kind) for kind, doctype in _DOCTYPES.items() if PLACEHOLDER in doctype]


def _deep(sid: str, depth: int) -> SurveyCase:
    inner = "<a>" * depth + "</a>" * depth
    return _hostile("deep_nesting", f"{depth} nested elements in an answer",
                    render(Style(), sid=sid, items=[((SURVEY_QUESTION, "q"), (SURVEY_ANSWER, inner))]))


_CHARSETS = ("UTF-16", "UTF-32", "US-ASCII", "bogus-8")


def _wrong_charset(sid: str, pairs: list[tuple[str, str]], declared: str) -> SurveyCase:
    pairs = [(q, a + "é") for q, a in pairs]  # non-ASCII bytes, so US-ASCII is a lie too
    body = render(Style(), sid=sid, items=pair_items(pairs), encoding_override=declared)
    return _hostile("wrong_charset", f"declares {declared}, is UTF-8", body)


def _wrong_content_type(sid: str, pairs: list[tuple[str, str]], ct: str) -> SurveyCase:
    body = render(Style(), sid=sid, items=pair_items(pairs))
    return _hostile("wrong_content_type", f"Content-Type {ct or '(none)'}", body, ct)


def _huge(sid: str, extra: int) -> SurveyCase:
    answer = "x" * (DEFAULT_MAX_BODY + extra)
    body = render(Style(), sid=sid, items=[((SURVEY_QUESTION, "q"), (SURVEY_ANSWER, answer))])
    return _hostile("huge", f"{len(body)} bytes, over the 1 MiB cap", body)


# Every character UTF-8 encodes, as text()'s default alphabet (characters(codec="utf-8")) is, but stated
# by category: hypothesis builds a codec's character table by encoding each of 1.1 million code points
# (about 1.5 CPU-s) in every process whose hypothesis home is new, and every check and fuzz run has one.
_ANY_CHAR = st.characters(exclude_categories=["Cs"])

_TINY_SID_TEXT = SID_PREFIX + "0000-0000-4000-8000-000000000000"
_TINY_SID = st.just(_TINY_SID_TEXT)


def hostile_surveys(sid: str | None = None) -> st.SearchStrategy[SurveyCase]:
    """Bodies a correct server refuses with a 4xx: broken, wrong, dangerous or mislabelled."""
    s = st.just(sid) if sid else sids
    return st.one_of(
        st.one_of(st.sampled_from(_NOT_XML).map(_not_xml),
                  st.binary(max_size=64).map(lambda b: b.replace(b"<", b"")).map(_not_xml_bytes),
                  st.text(_ANY_CHAR, max_size=64).map(lambda t: t.replace("<", "")).map(_not_xml)),
        st.builds(_truncated, s, _small_pairs, styles, st.integers(0, 1 << 16)),
        st.builds(_unescaped, s, _small_pairs, styles, st.sampled_from(_INJECTIONS), st.integers(0, 3)),
        st.builds(_wrong_root, s, _small_pairs,
                  st.sampled_from(("egainsurvey", "EgainSurvey", SURVEY_ITEM, "egainSurveys", "survey-data"))),
        st.builds(_wrong_namespace, s, _small_pairs,
                  st.sampled_from((None, CHAT_NS + "/", "http://bindings.egain.com/Chat", "urn:ecekit:not-chat",
                                   "http://jabber.org/protocol/httpbind")), st.booleans()),
        st.builds(_missing_sid, _small_pairs, st.sampled_from(_SID_VARIANTS)),
        st.builds(_broken_pairs, s, _small_pairs, st.sampled_from(_PAIR_BREAKS), st.integers(0, 3)),
        st.builds(_doctype, s, st.sampled_from(tuple(_DOCTYPES))),
        st.builds(_deep, s, st.integers(1, 50_000)),
        st.builds(_wrong_charset, s, _small_pairs, st.sampled_from(_CHARSETS)),
        st.builds(_wrong_content_type, s, _small_pairs, st.sampled_from(WRONG_CONTENT_TYPES)),
        st.builds(_huge, s if sid else _TINY_SID, st.integers(1, 1 << 16)),
    )
