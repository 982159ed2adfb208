"""Validating a posted survey (guide, section 14) into either its pairs or a precise 4xx.

The body is parsed by :mod:`ecekit.xmlsafe` (no DTD, no entities, size cap), then checked in the
order a person fixing their client wants to hear about it: content type, size, well-formedness,
root and namespace, the ``sid``, each question/answer pair, and finally the XSD itself, so an error
names the first thing to fix rather than a generic "invalid".
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
