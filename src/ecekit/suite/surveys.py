"""The survey suite's fixed probes: the bodies every run sends, before the hypothesis phase.

The hypothesis phase (``ecekit.fuzz.diet.survey_cases``) explores; these probes make sure the
cases that real servers are known to get wrong are tried on *every* run, whatever hypothesis draws:
the public client's ``text/xml;charset=utf-8`` with pretty-printing, non-ASCII answers, long answers,
many pairs, and the unescaped ``<`` / ``&`` a visitor types (ECE_NOTES), and the bodies a lenient
(JAXB-like) server is known to accept (a valid body labelled ``text/plain``, a nested element in an
answer, answer before question, a plain DOCTYPE, an external DTD or parameter entity that a parser
ignoring the DOCTYPE never loads), so every run lists such findings, not only the runs whose draw
happens to hit one. The DOCTYPEs that name an http URL name the canary placeholder
(:data:`ecekit.canary.PLACEHOLDER`), so every run also tells whether the server fetches them. Each
valid probe is proven valid against eGainSurvey.xsd and each other one proven to be in its tier
(``ecekit.checks.survey.tier_of``).

The sids come from a generator seeded with the run's seed, so ``--seed`` replays the probes too.

Every sid starts with :data:`ecekit.fuzz.strategies.SID_PREFIX` so test data can be found and removed,
except the user's own ``--sid`` (a real chat session, to prove the 204 path on a real server).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from ecekit.canary import PLACEHOLDER
from ecekit.operations import CHAT_NS, SURVEY, SURVEY_ANSWER, SURVEY_ITEM, SURVEY_QUESTION, SURVEY_SID

ROOT = SURVEY.request_root or ""


@dataclass(frozen=True, slots=True)
class SurveyProbe:
    """One fixed survey body and what a correct server must answer (204 if valid, else a 4xx)."""

    name: str
    body: bytes
    content_type: str
    valid: bool
    description: str
    real_sid: bool = False  # sent with the user's --sid: a 4xx is then never excused

    @property
    def id(self) -> str:
        return self.name

    @property
    def check(self) -> str:
        return "survey"

    @property
    def headers(self) -> dict[str, str]:
        return {"Content-Type": self.content_type} if self.content_type else {}


def new_sid(rng: random.Random | None = None) -> str:
    """A sid in the guide's shape, starting with the shared prefix (from ``rng`` when given)."""
    from ecekit.fuzz.strategies import documented_sid

    u = uuid.uuid4() if rng is None else uuid.UUID(int=rng.getrandbits(128), version=4)
    return documented_sid(u)


def probes(sid: str | None = None, seed: int | None = None) -> list[SurveyProbe]:
    """The fixed probes; ``sid`` (the user's real session) is used for the valid ones when given;
    ``seed`` makes the made-up sids the same on every run with that seed."""
    from ecekit.checks.survey import Tier, tier_of
    from ecekit.fuzz.strategies import Style, is_valid_survey, pair_items, render

    rng = random.Random(seed) if seed is not None else None

    def sid_for(valid: bool) -> str:
        return sid if (sid and valid) else new_sid(rng)

    def survey(pairs: list[tuple[str, str]], *, style: Style | None = None, s: str | None = None) -> bytes:
        return render(style or Style(), sid=s or sid_for(True), items=pair_items(pairs))

    guide = [(f"Question {i}", f"Answer {i}") for i in range(1, 5)]
    pretty = Style(pretty=True)
    valid = [
        ("valid-guide-sample", survey(guide), "application/xml", "the guide's sample, four pairs"),
        ("valid-public-client", survey(guide[:3], style=pretty), "text/xml;charset=utf-8",
         "three pairs, pretty-printed, text/xml;charset=utf-8 as a public client sends it"),
        ("valid-non-ascii", survey([("Wie war's?", "Sehr gut, danke! Grüße 😀 日本語 שלום")]),
         "application/xml", "non-ASCII answer (umlauts, emoji, CJK, right-to-left)"),
        ("valid-long-answer", survey([("Comments?", "All good. " * 200)]), "application/xml",
         "one 2,000-character answer"),
        ("valid-many-pairs", survey([(f"Q{i}", f"A{i}") for i in range(12)]), "application/xml",
         "twelve question/answer pairs"),
        ("valid-escaped-markup", survey([("Rate <b>us</b> & co", "5 > 3 & 2 < 4")]), "application/xml",
         "markup characters, correctly escaped"),
        ("valid-empty-answer", survey([("Anything else?", "")]), "application/xml",
         "an empty answer (the XSD allows it)"),
    ]
    s = new_sid(rng)
    r, i, q, a = ROOT, SURVEY_ITEM, SURVEY_QUESTION, SURVEY_ANSWER
    head, tail = f'<{r} {SURVEY_SID}="{s}" xmlns="{CHAT_NS}">', f"</{r}>"

    def item(question: str, answer: str | None) -> str:
        ans = "" if answer is None else f"<{a}>{answer}</{a}>"
        return f"<{i}><{q}>{question}</{q}>{ans}</{i}>"

    invalid: list[tuple[str, bytes, str, str]] = [
        ("invalid-unescaped-lt", f"{head}{item('Q', 'a < b')}{tail}".encode(), "text/xml;charset=utf-8",
         "a visitor's '<' interpolated unescaped (not well-formed)"),
        ("invalid-unescaped-amp", f"{head}{item('Q', 'R&D')}{tail}".encode(), "text/xml;charset=utf-8",
         "a visitor's '&' interpolated unescaped (not well-formed)"),
        ("invalid-truncated", f"{head}{item('Q', 'A')}".encode()[:-20], "application/xml",
         "a body cut short"),
        ("invalid-not-xml", f"{q}=Q&{a}=A".encode(), "application/xml", "a form-encoded body, not XML"),
        ("invalid-empty-body", b"", "application/xml", "no body at all"),
        ("invalid-wrong-root", f'<{i} xmlns="{CHAT_NS}" {SURVEY_SID}="{s}"><{q}>Q</{q}><{a}>A</{a}></{i}>'
         .encode(), "application/xml", f"a <{i}> root, not <{r}>"),
        ("invalid-no-namespace", f'<{r} {SURVEY_SID}="{s}">{item("Q", "A")}{tail}'.encode(),
         "application/xml", f"no namespace (the XSD requires {CHAT_NS})"),
        ("invalid-missing-sid", f'<{r} xmlns="{CHAT_NS}">{item("Q", "A")}{tail}'.encode(), "application/xml",
         f"no {SURVEY_SID} attribute"),
        ("invalid-no-pairs", f"{head}{tail}".encode(), "application/xml", "no question/answer pair"),
        ("invalid-question-only", f"{head}{item('Q', None)}{tail}".encode(), "application/xml",
         "a question without its answer"),
        ("invalid-doctype-xxe", (f'<!DOCTYPE {r} [<!ENTITY x SYSTEM "file:///etc/passwd">]>{head}'
                                 f"{item('Q', '&x;')}{tail}").encode(),
         "application/xml", "a DOCTYPE with an external entity (XXE)"),
        ("invalid-doctype-xxe-http", (f'<!DOCTYPE {r} [<!ENTITY x SYSTEM "{PLACEHOLDER}entity">]>{head}'
                                      f"{item('Q', '&x;')}{tail}").encode(),
         "application/xml", "an answer that is an external http entity (XXE)"),
    ]
    guide_body = survey(guide[:1], s=s)
    lenient: list[tuple[str, bytes, str, str]] = [
        ("lenient-text-plain", guide_body, "text/plain", "a valid body labelled text/plain"),
        ("lenient-json-label", guide_body, "application/json", "a valid body labelled application/json"),
        ("lenient-nested-answer", f"{head}<{i}><{q}>Q</{q}><{a}>A<b>bold</b></{a}></{i}>{tail}".encode(),
         "application/xml", "an element nested inside an answer"),
        ("lenient-answer-first", f"{head}<{i}><{a}>A</{a}><{q}>Q</{q}></{i}>{tail}".encode(),
         "application/xml", "the answer before its question"),
        ("lenient-plain-doctype", f"<!DOCTYPE {r}>{head}{item('Q', 'A')}{tail}".encode(), "application/xml",
         "a plain DOCTYPE (no entities)"),
        ("lenient-external-dtd", f'<!DOCTYPE {r} SYSTEM "{PLACEHOLDER}survey.dtd">{head}{item("Q", "A")}{tail}'
         .encode(), "application/xml", "a DOCTYPE naming an external DTD (must not be fetched)"),
        ("lenient-parameter-entity", (f'<!DOCTYPE {r} [<!ENTITY % p SYSTEM "{PLACEHOLDER}p.dtd"> %p;]>{head}'
                                      f"{item('Q', 'A')}{tail}").encode(), "application/xml",
         "a DOCTYPE with an external parameter entity (must not be fetched)"),
    ]
    found = [SurveyProbe(name, body, ct, True, what, real_sid=bool(sid)) for name, body, ct, what in valid]
    found += [SurveyProbe(name, body, ct, False, what) for name, body, ct, what in invalid + lenient]
    for probe in found:
        claimed = Tier.VALID if probe.valid else \
            Tier.STRICT_ONLY if probe.name.startswith("lenient-") else Tier.MUST_REFUSE
        xml_type = probe.content_type.split(";")[0] in ("application/xml", "text/xml")
        if tier_of(probe.body, valid=is_valid_survey(probe.body) and xml_type) != claimed:
            raise AssertionError(f"ecekit bug: survey probe {probe.name} is not what it claims")
    return found
