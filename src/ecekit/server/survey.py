"""Reading a posted survey (guide, section 14) into either its pairs or a precise 4xx, two ways.

**strict** (:func:`validate`, the default): the body is parsed by :mod:`ecekit.xmlsafe` (no DTD, no
entities, size cap), then checked in the order a person fixing their client wants to hear about it:
content type, size, well-formedness, root and namespace, the ``sid``, each question/answer pair, and
finally the XSD itself, so an error names the first thing to fix rather than a generic "invalid".

**lenient** (:func:`read_leniently`, ``ecekit serve --survey-parsing lenient``): what a Java server
unmarshalling with JAXB and no schema validation does: the Content-Type is not looked at, unknown and
nested elements, attributes and text are skipped, element order is free (a repeated question or
answer replaces the earlier one), and the DOCTYPE is treated as a hardened JAXB treats it: an
external DTD and parameter entities are ignored (never loaded), plain internal entities are expanded by
hand, one level, where they are used. It still refuses what cannot be read: malformed XML, a wrong
root, no sid, an incomplete pair, a use of an external or undeclared entity (its text is unknown
without fetching it, and nothing is fetched), entities built from entities (a bomb), a body over the
cap. It is written independently of ecekit's own lenient reading (``ecekit.checks.lenient``,
expat): the server must not grade itself, and the two meeting on every fuzz run is the proof of both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from ecekit import operations as ops
from ecekit import xmlsafe

ACCEPTED_TYPES = (b"application/xml", b"text/xml")
_SURVEY_ITEM = f"{{{ops.CHAT_NS}}}{ops.SURVEY_ITEM}"
_QUESTION = f"{{{ops.CHAT_NS}}}{ops.SURVEY_QUESTION}"
_ANSWER = f"{{{ops.CHAT_NS}}}{ops.SURVEY_ANSWER}"


@dataclass(slots=True)
class Outcome:
    """The verdict on one body: ``status`` 0 means valid (store it, then 204)."""

    status: int = 0
    code: str = ""
    message: str = ""
    sid: str = ""
    pairs: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == 0


def media_type_ok(content_type: bytes) -> bool:
    """application/xml or text/xml, with any (or no) parameters such as charset."""
    return content_type.split(b";", 1)[0].strip().lower() in ACCEPTED_TYPES


def _bad(code: str, message: str, status: int = 400) -> Outcome:
    return Outcome(status, code, message)


def validate(body: bytes, max_bytes: int = xmlsafe.DEFAULT_MAX_BODY) -> Outcome:
    """Judge a survey body; never raises for any input."""
    parsed = xmlsafe.parse(body, max_bytes=max_bytes)
    if parsed.root is None:
        issue = parsed.issues[0]
        status = 413 if issue.kind is xmlsafe.IssueKind.TOO_LARGE else 400
        return _bad(issue.kind.value, str(issue), status)
    root = parsed.root
    wrong = xmlsafe.root_issue(root, ops.SURVEY.request_root or "egainSurvey", ops.CHAT_NS)
    if wrong is not None:
        return _bad("wrong_root", wrong.message)
    sid = root.get(ops.SURVEY_SID)
    if sid is None:
        return _bad("missing_sid", f"<{ops.SURVEY.request_root}> has no {ops.SURVEY_SID} attribute")
    if not sid.strip():
        return _bad("empty_sid", f"the {ops.SURVEY_SID} attribute is empty")
    pairs: list[tuple[str, str]] = []
    for position, item in enumerate((c for c in root if isinstance(c.tag, str)), start=1):
        if item.tag != _SURVEY_ITEM:
            return _bad("unexpected_element", f"child {position} is {_name(item.tag)}, expected "
                        f"<{ops.SURVEY_ITEM}> in {ops.CHAT_NS}")
        question, answer = item.find(_QUESTION), item.find(_ANSWER)
        if question is None:
            return _bad("missing_question", f"survey pair {position} has no <{ops.SURVEY_QUESTION}>")
        if answer is None:
            return _bad("missing_answer", f"survey pair {position} has no <{ops.SURVEY_ANSWER}>")
        pairs.append((question.text or "", answer.text or ""))
    if not pairs:
        return _bad("no_pairs", f"the survey has no <{ops.SURVEY_ITEM}> question/answer pair")
    schema = xmlsafe.schemas().survey
    if not schema.is_valid(root):
        errors = schema.fast_errors(root)
        return _bad("schema", f"not valid per {xmlsafe.SURVEY_XSD}: {errors[0] if errors else 'invalid'}")
    return Outcome(sid=sid, pairs=pairs)


def _name(tag: object) -> str:
    if not isinstance(tag, str):
        return "a non-element node"
    ns, local = xmlsafe.local_name(tag)
    return f"<{local}> in {ns}" if ns else f"<{local}> with no namespace"


# The DTD is read only so that its declarations can be vetted: nothing is loaded, fetched or expanded.
_LENIENT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                                  huge_tree=False, remove_blank_text=False)
_ROOT = f"{{{ops.CHAT_NS}}}{ops.SURVEY.request_root or 'egainSurvey'}"


def read_leniently(body: bytes, max_bytes: int = xmlsafe.DEFAULT_MAX_BODY) -> Outcome:
    """Read a survey as JAXB without a schema would; never raises for any input."""
    if len(body) > max_bytes:
        return _bad("too_large", f"body of {len(body)} bytes exceeds the limit of {max_bytes} bytes", 413)
    if not body.strip():
        return _bad("not_well_formed", "empty body where XML was expected")
    try:
        root = etree.fromstring(body, _LENIENT_PARSER)
    except (etree.XMLSyntaxError, ValueError) as exc:
        return _bad("not_well_formed", f"not well-formed XML: {str(exc).split(', line ')[0]}")
    # An external DTD (docinfo.system_url) and parameter entities are ignored: nothing is loaded.
    entities: dict[str, str] = {}
    dtd = root.getroottree().docinfo.internalDTD
    for entity in dtd.iterentities() if dtd is not None else ():
        content = entity.content
        if entity.system_url or content is None:
            continue  # external: never loaded; a use of it is refused below (undefined_entity)
        if "&" in content or "%" in content:
            return _bad("forbidden_markup", f"entity {entity.name!r} is built from other entities; "
                        "nothing was expanded")
        entities[entity.name] = content
    if root.tag != _ROOT:
        return _bad("wrong_root", f"the root is {_name(root.tag)}, expected <{ops.SURVEY.request_root}> in "
                    f"{ops.CHAT_NS}")
    sid = root.get(ops.SURVEY_SID)
    if sid is None or not sid.strip():
        return _bad("missing_sid", f"<{ops.SURVEY.request_root}> has no (or an empty) {ops.SURVEY_SID}")
    pairs: list[tuple[str, str]] = []
    for position, item in enumerate(root.iterchildren(_SURVEY_ITEM), start=1):
        found: dict[str, str] = {}
        for child in item.iterchildren(_QUESTION, _ANSWER):
            text = _text(child, entities)
            if text is None:
                return _bad("undefined_entity", f"survey pair {position} uses an entity that is external or "
                            "undeclared; nothing is loaded, so its text is unknown")
            found[child.tag] = text  # a repeated element replaces the earlier one, as a JAXB setter
        if _QUESTION not in found or _ANSWER not in found:
            missing = ops.SURVEY_QUESTION if _QUESTION not in found else ops.SURVEY_ANSWER
            return _bad(f"missing_{missing}", f"survey pair {position} has no <{missing}>")
        pairs.append((found[_QUESTION], found[_ANSWER]))
    if not pairs:
        return _bad("no_pairs", f"the survey has no <{ops.SURVEY_ITEM}> question/answer pair in {ops.CHAT_NS}")
    return Outcome(sid=sid, pairs=pairs)


def _text(element: etree._Element, entities: dict[str, str]) -> str | None:
    """The element's own text: nested elements skipped, their tails and declared entities kept."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child, etree._Entity):
            value = entities.get(child.name)
            if value is None:
                return None
            parts.append(value)
        parts.append(child.tail or "")
    return "".join(parts)
