"""Hypothesis strategies for survey bodies: valid ones derived from eGainSurvey.xsd, and hostile ones.

Shared by ``ecekit fuzz`` and the survey phase of the contract suites, so both send the same kinds of
payload and judge them with the same oracle (:func:`ecekit.checks.survey.judge_survey`).

Why the strategies are shaped the way they are:

* **Every valid case is proven valid** against the XSD (libxml2's fast path) before it is returned, and
  every hostile one proven *not* valid (or hostile by its Content-Type alone), so a verdict on the
  server is never a verdict on a broken generator.
* **Shrinking gives small payloads.** The simplest choice of every ``one_of`` / ``sampled_from`` comes
  first (default namespace, no declaration, compact, ``application/xml``), long texts and deep nesting
  are *repetitions* of a short unit (hypothesis shrinks the count, not thousands of characters), and
  the sid shrinks to a fixed-length one. A failing valid survey shrinks to ~150 bytes.
* **Test data can be found and deleted**: every sid starts with :data:`SID_PREFIX`. The documented
  shape is ``<number>_<uuid>`` (``1000_d15c6659-3c4b-41df-b2b5-7bacb60df41d``), so ecekit's sids use the
  session number 9999 and a UUID whose first four hex digits are ``ecec``:
  ``9999_ecec6659-3c4b-41df-b2b5-7bacb60df41d``; sids of other shapes are the prefix and free text.
  On a server's database: ``WHERE sid LIKE '9999\\_ecec%'``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from hypothesis import strategies as st

from ecekit.operations import CHAT_NS, SURVEY, SURVEY_ANSWER, SURVEY_ITEM, SURVEY_QUESTION, SURVEY_SID
from ecekit.xmlsafe import parse, schemas

SID_PREFIX = "9999_ecec"
"""The start of every sid ecekit sends, so its test surveys can be found on a server and removed."""

ROOT = SURVEY.request_root or "egainSurvey"

VALID_CONTENT_TYPES: tuple[str, ...] = (
    "application/xml",
    "text/xml;charset=utf-8",  # what a public client sends (ECE_NOTES)
    "application/xml; charset=UTF-8",
    "text/xml",
    'text/xml; charset="utf-8"',
    "application/xml;charset=utf-8",
)
"""Content types a server must accept for a survey; the simplest first, for shrinking."""

WRONG_CONTENT_TYPES: tuple[str, ...] = (
    "text/plain",
    "application/json",
    "application/x-www-form-urlencoded",
    "text/html",
    "application/octet-stream",
    "",  # no Content-Type header at all
)

# A valid survey stays far under the server's 1 MiB cap, however long its texts (see _bounded).
_VALID_TEXT_BUDGET = 40_000


@dataclass(frozen=True, slots=True)
class SurveyCase:
    """One body to POST to the survey operation, and what a correct server must do with it.

    ``valid``: a correct server answers 204 (a 4xx is tolerated for an unknown sid on a real server);
    otherwise it must answer 4xx. ``family`` names the strategy that built it (``valid`` or a hostile
    family such as ``truncated``); ``traits`` are the features of a valid payload that servers are
    known to trip on (``non_ascii``, ``long_text``, ``many_pairs``), so distinct faults are told apart.
    """

    body: bytes
    content_type: str
    valid: bool
    description: str
    family: str = "valid"
    traits: frozenset[str] = field(default_factory=frozenset)

    def headers(self) -> dict[str, str]:
        """The request headers: the Content-Type, or none at all when it is empty."""
        return {"Content-Type": self.content_type} if self.content_type else {}


# ---------------------------------------------------------------------------------------------- text

XML_CHARS = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffe\uffff",
                          include_characters="\t\n\r")
"""Any character XML 1.0 allows in text (controls other than TAB, LF, CR are left out).

One ``characters()`` strategy, never a union: ``text()`` over it draws a whole string at once, where
over a union it would draw (and shrink) every character as a separate choice, many times slower."""

SNIPPETS: tuple[str, ...] = (
    "",
    " ",
    " \t\n ",  # whitespace only
    "<&>\"'",  # must be escaped
    "]]>",  # ends a CDATA section
    "&amp; &lt;",  # looks escaped already
    "😀",  # astral (outside the BMP)
    "𝕏𝔪𝔩",
    "e\u0301\u0308",  # combining marks
    "שלום עולם",  # right to left
    "مرحبا بالعالم",
    "\u202eevil\u202c",  # bidi override
    "\u00a0",
    "Grüße, naïve café",
    "日本語のテキスト",
    "\U0010fffd",
    "\r\n",
    "<![CDATA[x]]>",
)


def _ascii(text: str, controls: str = "\t\n\r") -> str:
    """``text`` with every character outside printable ASCII (and ``controls``) folded into it."""
    return "".join(c if " " <= c <= "~" or c in controls else chr(32 + ord(c) % 95) for c in text)


def _printable(text: str) -> str:
    return _ascii(text, controls="")


def ascii_text(max_size: int, min_size: int = 0, controls: bool = True) -> st.SearchStrategy[str]:
    """ASCII texts, drawn over XML_CHARS and folded: every text of a survey is then drawn over the same
    characters, which hypothesis' shrinker needs (it shrinks equal texts together, with the characters
    of the first, and fails on a text whose alphabet lacks them)."""
    return st.text(alphabet=XML_CHARS, min_size=min_size, max_size=max_size).map(_ascii if controls else _printable)


def _repeat(unit: str, times: int) -> str:
    return unit * times


_ASCII_SNIPPETS = tuple(t for t in SNIPPETS if t.isascii())


def text_strategy(unicode: bool = True, long: bool = True) -> st.SearchStrategy[str]:
    """Question and answer texts, from empty to thousands of characters; ASCII only if not ``unicode``,
    at most a few dozen characters if not ``long``.

    Long texts are a repeated unit, so a failure needing 301 characters shrinks to ``"0" * 301``.
    """
    def chars(max_size: int) -> st.SearchStrategy[str]:
        return st.text(alphabet=XML_CHARS, max_size=max_size) if unicode else ascii_text(max_size)

    snippets = SNIPPETS if unicode else _ASCII_SNIPPETS
    short = [
        ascii_text(12, controls=False),
        chars(24),
        st.lists(st.sampled_from(snippets) | chars(3), max_size=6).map("".join),
    ]
    if not long:
        return st.one_of(*short)
    return st.one_of(*short, long_text_strategy(unicode))


def long_text_strategy(unicode: bool = True) -> st.SearchStrategy[str]:
    """Texts of 40 to thousands of characters: a repeated unit, so they shrink to ``"0" * n``."""
    unit = st.text(alphabet=XML_CHARS, min_size=1, max_size=4) if unicode else ascii_text(4, min_size=1)
    return st.builds(_repeat, unit, st.integers(40, 1200))


texts = text_strategy()
"""Question and answer texts across Unicode (astral, combining, right-to-left, markup, CDATA ends)."""
ascii_texts = text_strategy(unicode=False)
short_ascii_texts = text_strategy(unicode=False, long=False)


def documented_sid(u: object) -> str:
    """A sid in the guide's ``<number>_<uuid>`` shape that starts with SID_PREFIX."""
    return SID_PREFIX + str(u)[4:]


sids: st.SearchStrategy[str] = st.one_of(
    st.uuids().map(documented_sid),
    st.text(alphabet=XML_CHARS, min_size=1, max_size=40).map(lambda s: SID_PREFIX + s),
)
"""Non-empty sids: the documented shape first, then free text after the prefix."""

# ------------------------------------------------------------------------------------------- render


@dataclass(frozen=True, slots=True)
class Style:
    """One way of spelling the same survey: every combination is equivalent XML."""

    prefix: str | None = None  # None: CHAT_NS as the default namespace
    quote: str = '"'
    declaration: str = ""
    pretty: bool = False
    text_mode: str = "escape"  # escape | cdata | charref
    bom: bool = False
    spaced: bool = False  # white space inside tags: <question >, sid = "…"

    def label(self) -> str:
        parts = [f"prefix {self.prefix}" if self.prefix else "default ns", self.text_mode]
        if self.declaration:
            parts.append("declaration")
        if self.pretty:
            parts.append("pretty")
        if self.bom:
            parts.append("BOM")
        if self.quote == "'":
            parts.append("'quotes'")
        return ", ".join(parts)


DECLARATIONS = (
    "",
    '<?xml version="1.0"?>',
    '<?xml version="1.0" encoding="UTF-8"?>',
    "<?xml version='1.0' encoding='utf-8'?>",
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
)

styles: st.SearchStrategy[Style] = st.builds(
    Style,
    prefix=st.sampled_from((None, "ns2", "chat", "s", "egain")),
    quote=st.sampled_from(('"', "'")),
    declaration=st.sampled_from(DECLARATIONS),
    pretty=st.booleans(),
    text_mode=st.sampled_from(("escape", "cdata", "charref")),
    bom=st.booleans(),
    spaced=st.booleans(),
)


def escape_text(text: str, mode: str = "escape") -> str:
    """Text content as XML: escaped, in CDATA (split around ``]]>``), or non-ASCII as char refs."""
    if mode == "cdata" and text and "\r" not in text:
        return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"
    out = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    if mode == "charref":
        out = "".join(c if ord(c) < 0x80 else f"&#x{ord(c):X};" for c in out)
    return out


def escape_attr(value: str, quote: str = '"') -> str:
    out = value.replace("&", "&amp;").replace("<", "&lt;")
    out = out.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")
    return out.replace(quote, "&quot;" if quote == '"' else "&apos;")


Item = Sequence[tuple[str, str]]  # (child local name, inner XML already escaped)


def render(
    style: Style,
    *,
    sid: str | None,
    items: Sequence[Item],
    root: str = ROOT,
    namespace: str | None = CHAT_NS,
    child_namespace: str | None = "inherit",
    doctype: str = "",
    encoding_override: str | None = None,
    raw_sid_attr: str | None = None,
) -> bytes:
    """Serialise a survey-shaped document in ``style``. Hostile families pass the odd arguments."""
    p = f"{style.prefix}:" if style.prefix and namespace is not None else ""
    q = style.quote
    sp = " " if style.spaced else ""
    ns_attr = ""
    if namespace is not None:
        ns_name = f"xmlns:{style.prefix}" if style.prefix else "xmlns"
        ns_attr = f" {ns_name}{sp}={sp}{q}{escape_attr(namespace, q)}{q}"
    sid_attr = f" {SURVEY_SID}{sp}={sp}{q}{escape_attr(sid, q)}{q}" if sid is not None else ""
    if raw_sid_attr is not None:
        sid_attr = " " + raw_sid_attr
    nl, ind = ("\n", "  ") if style.pretty else ("", "")
    child_p, child_ns = p, ""
    if child_namespace != "inherit":
        child_p = ""
        child_ns = f' xmlns="{child_namespace or ""}"'
    lines = []
    for item in items:
        inner = "".join(f"{nl}{ind * 2}<{child_p}{name}{sp}>{xml}</{child_p}{name}{sp}>" for name, xml in item)
        lines.append(f"{nl}{ind}<{child_p}{SURVEY_ITEM}{child_ns}{sp}>{inner}{nl}{ind}</{child_p}{SURVEY_ITEM}>")
    declaration = style.declaration
    if encoding_override is not None:
        declaration = f'<?xml version="1.0" encoding="{encoding_override}"?>'
    head = declaration + (nl if declaration else "") + (doctype + nl if doctype else "")
    doc = f"{head}<{p}{root}{ns_attr}{sid_attr}{sp}>{''.join(lines)}{nl}</{p}{root}>{nl}"
    return (b"\xef\xbb\xbf" if style.bom and encoding_override is None else b"") + doc.encode("utf-8")


def pair_items(pairs: Sequence[tuple[str, str]], mode: str = "escape") -> list[Item]:
    return [((SURVEY_QUESTION, escape_text(q, mode)), (SURVEY_ANSWER, escape_text(a, mode))) for q, a in pairs]


def is_valid_survey(body: bytes) -> bool:
    """Parsed safely (no DOCTYPE, under the size cap) and valid against eGainSurvey.xsd."""
    parsed = parse(body)
    return parsed.root is not None and not parsed.issues and schemas().survey.is_valid(parsed.root)


def traits_of(sid: str, pairs: Sequence[tuple[str, str]]) -> frozenset[str]:
    """The features of a valid survey that servers are known to trip on, to tell faults apart."""
    found = set()
    if any(ord(c) > 0x7F for text in (sid, *(t for p in pairs for t in p)) for c in text):
        found.add("non_ascii")
    if any(len(t) > 255 for p in pairs for t in p):
        found.add("long_text")
    if len(pairs) > 3:
        found.add("many_pairs")
    return frozenset(found)


def _bounded(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop trailing pairs past the text budget, so a valid body never nears the 1 MiB cap."""
    total, kept = 0, list[tuple[str, str]]()
    for q, a in pairs:
        total += len(q) + len(a)
        if kept and total > _VALID_TEXT_BUDGET:
            break
        kept.append((q, a))
    return kept


# ------------------------------------------------------------------------------------------- valid

def _pairs(texts: st.SearchStrategy[str], min_size: int = 1, max_size: int = 40,
           ) -> st.SearchStrategy[list[tuple[str, str]]]:
    return st.lists(st.tuples(texts, texts), min_size=min_size, max_size=max_size)


short_texts = text_strategy(long=False)

# The survey's shape is drawn first: plain, one trait alone (non-ASCII text, long answers, many
# pairs), or any mixture. Drawn from mixtures only, a survey with many pairs almost always has some
# non-ASCII or long text too, and a server that fails on each trait alone could be shown failing only
# on the mixture: each trait alone must be common enough to be found within a few hundred examples,
# not left to the shrinker's luck (the shrinker cannot turn one failure kind into another).
pair_lists = st.one_of(
    _pairs(short_ascii_texts, max_size=3),
    _pairs(short_texts, max_size=3),
    st.lists(st.tuples(short_ascii_texts, long_text_strategy(unicode=False)), min_size=1, max_size=3),
    _pairs(short_ascii_texts, min_size=4),
    _pairs(ascii_texts),
    _pairs(texts),
)
"""1 to 40 question/answer pairs."""


def _valid_case(sid: str, pairs: list[tuple[str, str]], style: Style, content_type: str) -> SurveyCase:
    pairs = _bounded(pairs)
    body = render(style, sid=sid, items=pair_items(pairs, style.text_mode))
    assert is_valid_survey(body), f"ecekit bug: generated survey is not valid: {body[:300]!r}"
    chars = sum(len(q) + len(a) for q, a in pairs)
    return SurveyCase(body, content_type, True,
                      f"valid survey: {len(pairs)} pair(s), {chars} chars of text, {style.label()}",
                      "valid", traits_of(sid, pairs))


def valid_surveys(sid: str | None = None) -> st.SearchStrategy[SurveyCase]:
    """Surveys valid against eGainSurvey.xsd, in equivalent spellings; ``sid`` fixes the session."""
    sid_strategy = st.just(sid) if sid else sids
    return st.builds(_valid_case, sid_strategy, pair_lists, styles, st.sampled_from(VALID_CONTENT_TYPES))


__all__ = [
    "SID_PREFIX",
    "VALID_CONTENT_TYPES",
    "WRONG_CONTENT_TYPES",
    "SurveyCase",
    "is_valid_survey",
    "valid_surveys",
]
