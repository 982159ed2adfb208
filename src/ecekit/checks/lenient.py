"""The lenient reading of a survey body: what a JAXB server that does not validate recovers from it.

The guide documents 204 for a survey and nothing about refusals, so ecekit judges a 2xx for an invalid
body by whether the survey the client meant could still be read out of it (``docs/contract-checks.md``
has the table of hostile families and their tiers). This module *does* that reading, rather than
keeping a list of family names, so a new hostile family falls in the right tier by itself. It reads
the way JAXB unmarshals ``egainSurvey`` without a schema:

* the Content-Type is ignored (this function sees only bytes);
* the root must be ``egainSurvey`` in the chat namespace (JAXB matches the root by QName), with a
  non-empty, unqualified ``sid`` attribute;
* ``survey`` children (chat namespace) are the pairs, in any order with anything else; unknown
  elements, attributes and text are skipped; inside a pair, ``question`` and ``answer`` come in any
  order, a repeated one replaces the earlier (as JAXB's setter does), nested elements are skipped;
* every pair must have both a question and an answer, and there must be at least one pair;
* the DOCTYPE is read as a parser that *ignores* it reads it (a hardened JAXB: no external DTD
  loaded, no parameter entity expanded, no external entity resolved), which is what a careful server
  does: an external DTD or a parameter entity is noted (:attr:`Reading.ignored`), not refused, when the
  survey is complete without it;
* an entity *used* in a question or answer is resolved only when the internal subset declares it as
  plain text (any XML parser that reads the internal subset expands it to that text). An external
  entity, one holding markup, or one declared nowhere this reading can see (it may live in the
  external DTD or a parameter entity, neither loaded) cannot be resolved: the answer the body means is
  not knowable without fetching, so the survey is not recovered. A server that skips the reference
  stores an answer nobody sent; one that fetches it is an XXE (``ecekit.canary``);
* an entity defined through other entities (the shape of every expansion bomb) is refused at its
  declaration, used or not, so that the parser never holds one (attribute values would expand it).

Safe by construction: the body is size-capped before parsing; expat is used with parameter-entity
parsing off, no external-entity handler (nothing is ever fetched) and a default handler, which stops
expat expanding entities in text (each reference comes to :meth:`_Reader.reference` by name); entity
declarations are vetted as they are read; there is no tree, so deep nesting costs nothing. The bodies read here are the
requests ecekit sends (or a test's), not a server's answers, which only ``xmlsafe.parse`` reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.parsers import expat

from ecekit import operations as ops
from ecekit.xmlsafe import DEFAULT_MAX_BODY

_SEP = " "
_ROOT = f"{ops.CHAT_NS}{_SEP}{ops.SURVEY.request_root or 'egainSurvey'}"
_ITEM = f"{ops.CHAT_NS}{_SEP}{ops.SURVEY_ITEM}"
_FIELDS = {f"{ops.CHAT_NS}{_SEP}{ops.SURVEY_QUESTION}": 0, f"{ops.CHAT_NS}{_SEP}{ops.SURVEY_ANSWER}": 1}


@dataclass(frozen=True, slots=True)
class Reading:
    """What a lenient reader recovered: the sid and every pair, or why it could not."""

    sid: str | None
    pairs: tuple[tuple[str, str], ...]
    problem: str = ""  # empty when the survey was recovered
    ignored: tuple[str, ...] = ()  # DOCTYPE parts the reading did not load (external DTD, parameter entities)

    @property
    def recovered(self) -> bool:
        return not self.problem


class _Unreadable(Exception):
    """Stops the reading at the first thing a lenient reader cannot get past."""


def _shown(name: str) -> str:
    ns, _, local = name.rpartition(_SEP)
    return f"<{local}> in {ns}" if ns else f"<{local}> with no namespace"


_REFERENCE = re.compile(r"&([^\s&;#]+);")
_PREDEFINED = frozenset(("amp", "lt", "gt", "quot", "apos"))


class _Reader:
    """expat callbacks that keep only what JAXB would bind: the sid and the pairs."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.parser = expat.ParserCreate(namespace_separator=_SEP)
        self.ignored: list[str] = []
        self.plain: dict[str, str] = {}  # internal entities holding plain text: resolvable
        self.unresolvable: dict[str, str] = {}  # name -> why a reference to it cannot be resolved
        self.unread_dtd = False  # an external DTD or a parameter entity was not loaded
        self.depth = 0
        self.sid: str | None = None
        self.pairs: list[tuple[str, str]] = []
        self.item: list[list[str] | None] | None = None  # [question parts, answer parts] of the open pair
        self.field: list[str] | None = None  # the text being collected
        self.field_depth = 0

    def doctype(self, name: str, system_id: str | None, public_id: str | None, _subset: int) -> None:
        if system_id or public_id:
            self.unread_dtd = True
            self.ignored.append(f"the external DTD {system_id or public_id!r} (not loaded)")

    def entity(self, name: str, is_parameter: int, value: str | None, _base: str | None,
               system_id: str | None, public_id: str | None, _notation: str | None) -> None:
        if value is not None and ("&" in value or "%" in value):
            raise _Unreadable(f"entity {'%' if is_parameter else '&'}{name}; is defined through other "
                              "entities (an expansion bomb); it is not expanded")
        if is_parameter:
            self.unread_dtd = True
            self.ignored.append(f"the parameter entity %{name}; {system_id or public_id or 'internal'!r} "
                                "(not expanded)")
        elif value is None:
            self.unresolvable[name] = (f"an external entity ({system_id or public_id!r}): its text is "
                                       "not knowable without fetching it")
        elif "<" in value:
            self.unresolvable[name] = "an entity holding markup, which this reading does not expand"
        else:
            self.plain[name] = value

    def reference(self, name: str) -> None:
        """``&name;`` in text: its declared plain text, or the survey is not recovered (when it would
        land in a question or an answer)."""
        if self.field is None or self.depth != self.field_depth:
            return  # outside what is bound (or inside a skipped nested element): it changes nothing
        if name in self.plain:
            self.field.append(self.plain[name])
            return
        why = self.unresolvable.get(name) or ("declared nowhere this reading can see (perhaps in the "
                                              "external DTD or a parameter entity, neither loaded)")
        raise _Unreadable(f"an answer or question uses &{name};, {why}")

    def default(self, data: str) -> None:
        """expat's default handler: external entity references arrive here as their text."""
        match = _REFERENCE.fullmatch(data)
        if match:
            self.reference(match.group(1))

    def skipped(self, name: str, is_parameter: int) -> None:
        if not is_parameter:
            self.reference(name)

    def _sid_references(self) -> None:
        """With an unread DTD, expat silently drops an undeclared entity from an attribute value: look
        at the root's raw start tag for references this reading cannot resolve."""
        start = self.parser.CurrentByteIndex
        end = self.body.find(b">", start)
        tag = self.body[start:end if end >= 0 else len(self.body)].decode("utf-8", "replace")
        for name in _REFERENCE.findall(tag):
            if name not in _PREDEFINED and name not in self.plain:
                raise _Unreadable(f"the root's attributes use &{name};, which this reading cannot resolve")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 1:
            if name != _ROOT:
                raise _Unreadable(f"the root is {_shown(name)}, not {_shown(_ROOT)}")
            sid = attrs.get(ops.SURVEY_SID)
            if sid is None or not sid.strip():
                raise _Unreadable(f"no {ops.SURVEY_SID} attribute" if sid is None else f"an empty {ops.SURVEY_SID}")
            if self.unread_dtd:
                self._sid_references()
            self.sid = sid
        elif self.depth == 2 and name == _ITEM:
            self.item = [None, None]
        elif self.depth == 3 and self.item is not None and name in _FIELDS:
            self.field, self.field_depth = [], self.depth
            self.item[_FIELDS[name]] = self.field

    def end(self, name: str) -> None:
        if self.field is not None and self.depth == self.field_depth:
            self.field = None
        elif self.depth == 2 and self.item is not None:
            question, answer = self.item
            if question is None or answer is None:
                missing = ops.SURVEY_QUESTION if question is None else ops.SURVEY_ANSWER
                raise _Unreadable(f"pair {len(self.pairs) + 1} has no <{missing}>")
            self.pairs.append(("".join(question), "".join(answer)))
            self.item = None
        self.depth -= 1

    def text(self, data: str) -> None:
        if self.field is not None and self.depth == self.field_depth:  # nested elements' text skipped
            self.field.append(data)


def read(body: bytes, max_bytes: int = DEFAULT_MAX_BODY) -> Reading:
    """Read ``body`` as a lenient server would; never raises, never fetches, never expands a bomb."""
    if len(body) > max_bytes:
        return Reading(None, (), f"{len(body)} bytes, over the {max_bytes}-byte cap")
    reader = _Reader(body)
    parser = reader.parser
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = reader.doctype
    parser.EntityDeclHandler = reader.entity
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    parser.DefaultHandler = reader.default  # set: entities in text are not expanded, but reported
    parser.SkippedEntityHandler = reader.skipped
    try:
        parser.Parse(body, True)
    except _Unreadable as exc:
        return Reading(reader.sid, tuple(reader.pairs), str(exc), tuple(reader.ignored))
    except expat.ExpatError as exc:
        return Reading(reader.sid, tuple(reader.pairs), f"not well-formed XML: {exc}", tuple(reader.ignored))
    except (ValueError, LookupError) as exc:  # an encoding expat cannot read (UTF-32, unknown names)
        return Reading(reader.sid, tuple(reader.pairs), f"unreadable encoding: {exc}")
    if not reader.pairs:
        return Reading(reader.sid, (), f"no <{ops.SURVEY_ITEM}> question/answer pair", tuple(reader.ignored))
    return Reading(reader.sid, tuple(reader.pairs), ignored=tuple(reader.ignored))
