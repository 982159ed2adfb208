"""Documents for the validation tests and benchmark: the guide's samples and broken variants of them.

Each broken variant names what it breaks (``names``): the element or attribute that any message about
it must mention, so a test can prove that the report points at the right place.
"""

from __future__ import annotations

from dataclasses import dataclass

NS_DECLS = (
    'xmlns:ns2="http://bindings.egain.com/chat" xmlns:ns4="urn:ietf:params:xml:ns:xmpp-stanzas" '
    'xmlns:ns3="jabber:client" xmlns:ns5="http://jabber.org/protocol/httpbind"'
)
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# The guide's samples (sections 9-13), with the checkEligibility attribute quoted.
GUIDE_SAMPLES: dict[str, str] = {
    "agentAvailability": f'{DECL}<agentAvailability available="true" {NS_DECLS}/>',
    "capacity": f"{DECL}<availableSlots {NS_DECLS}>\n  <ns2:count>4</ns2:count>\n</availableSlots>",
    "liveSessionStatus": (
        f"{DECL}<sessionStatus {NS_DECLS}>\n  <ns2:waitTime>3.0</ns2:waitTime>\n"
        "  <ns2:queueDepth>1</ns2:queueDepth>\n</sessionStatus>"
    ),
    "checkEligibility": f'{DECL}<checkEligibility {NS_DECLS} responseType="0" />',
    "chatAllowed": f'{DECL}<chatAllowed {NS_DECLS} allowed="true"/>',
    "chatAllowed-false": f'{DECL}<chatAllowed {NS_DECLS} allowed="false"\nreason="entry_point_inactive"/>',
}

SURVEY_SAMPLE = """<egainSurvey sid="1000_d15c6659-3c4b-41df-b2b5-7bacb60df41d"
xmlns="http://bindings.egain.com/chat">
<survey> <question>Question 1</question> <answer>Answer 1</answer></survey>
<survey><question>Question 2</question> <answer>Answer 2</answer></survey>
<survey><question>Question 3</question> <answer>Answer 3</answer></survey>
<survey><question>Question 4</question> <answer>Answer 4</answer></survey>
</egainSurvey>"""

# Valid too: what real servers legitimately do (ECE_NOTES).
VALID_VARIANTS: dict[str, str] = {
    "prefixes swapped": (
        '<availableSlots xmlns:ns3="http://bindings.egain.com/chat" xmlns:ns2="jabber:client">'
        "<ns3:count>0</ns3:count></availableSlots>"
    ),
    "pretty printed with tabs": (
        f"<availableSlots {NS_DECLS}>\n\t\t<ns2:count>12</ns2:count>\n\t</availableSlots>"
    ),
    "queueDepth before waitTime": (
        '<sessionStatus xmlns:ns2="http://bindings.egain.com/chat">'
        "<ns2:queueDepth>0</ns2:queueDepth><ns2:waitTime>0</ns2:waitTime></sessionStatus>"
    ),
    "boolean as 0": '<agentAvailability available="0"/>',
    "every reason: Other": '<chatAllowed allowed="false" reason="Other"/>',
    "responseType 3": "<checkEligibility responseType='3'/>",
    "no declaration": '<chatAllowed allowed="false" reason="agent_not_available"/>',
}


@dataclass(frozen=True)
class Broken:
    label: str
    body: bytes
    names: str  # what the message must mention (element/attribute), "" for whole-document problems
    kind: str  # the xmlsafe.IssueKind value expected first


def _b(label: str, body: str | bytes, names: str, kind: str = "schema") -> Broken:
    return Broken(label, body.encode() if isinstance(body, str) else body, names, kind)


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(
        f' <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">\n'
        for i in range(1, 10)
    )
    + ']>\n<chatAllowed allowed="&lol9;"/>'
)

BROKEN: list[Broken] = [
    # wrong types
    _b("available not a boolean", '<agentAvailability available="yes"/>', "available"),
    _b("available empty", '<agentAvailability available=""/>', "available"),
    _b("allowed capitalised", '<chatAllowed allowed="True"/>', "allowed"),
    _b("count negative", f"<availableSlots {NS_DECLS}><ns2:count>-1</ns2:count></availableSlots>", "count"),
    _b("count decimal", f"<availableSlots {NS_DECLS}><ns2:count>2.5</ns2:count></availableSlots>", "count"),
    _b("count text", f"<availableSlots {NS_DECLS}><ns2:count>four</ns2:count></availableSlots>", "count"),
    _b(
        "waitTime negative",
        f"<sessionStatus {NS_DECLS}><ns2:waitTime>-3.0</ns2:waitTime>"
        "<ns2:queueDepth>1</ns2:queueDepth></sessionStatus>",
        "waitTime",
    ),
    _b(
        "waitTime with unit",
        f"<sessionStatus {NS_DECLS}><ns2:waitTime>3s</ns2:waitTime>"
        "<ns2:queueDepth>1</ns2:queueDepth></sessionStatus>",
        "waitTime",
    ),
    _b(
        "queueDepth negative",
        f"<sessionStatus {NS_DECLS}><ns2:waitTime>3.0</ns2:waitTime>"
        "<ns2:queueDepth>-1</ns2:queueDepth></sessionStatus>",
        "queueDepth",
    ),
    # out-of-range enums
    _b("responseType 4", '<checkEligibility responseType="4"/>', "responseType"),
    _b("responseType -1", '<checkEligibility responseType="-1"/>', "responseType"),
    _b("responseType word", '<checkEligibility responseType="OK"/>', "responseType"),
    _b("reason unknown", '<chatAllowed allowed="false" reason="closed"/>', "reason"),
    _b("reason wrong case", '<chatAllowed allowed="false" reason="other"/>', "reason"),
    # missing attribute or element
    _b("available missing", f"<agentAvailability {NS_DECLS}/>", "available"),
    _b("responseType missing", "<checkEligibility/>", "responseType"),
    _b("allowed missing", '<chatAllowed reason="Other"/>', "allowed"),
    _b("count missing", f"<availableSlots {NS_DECLS}/>", "count"),
    _b(
        "queueDepth missing",
        f"<sessionStatus {NS_DECLS}><ns2:waitTime>3.0</ns2:waitTime></sessionStatus>",
        "queueDepth",
    ),
    # wrong namespace
    _b("count without namespace", "<availableSlots><count>4</count></availableSlots>", "count"),
    _b(
        "count in jabber namespace",
        f"<availableSlots {NS_DECLS}><ns3:count>4</ns3:count></availableSlots>",
        "count",
    ),
    _b(
        "root in chat namespace",
        '<ns2:chatAllowed xmlns:ns2="http://bindings.egain.com/chat" allowed="true"/>',
        "chatAllowed",
    ),
    # extra element or attribute, unknown root
    _b(
        "extra element",
        f"<availableSlots {NS_DECLS}><ns2:count>4</ns2:count><ns2:max>9</ns2:max></availableSlots>",
        "max",
    ),
    _b(
        "duplicated element",
        f"<availableSlots {NS_DECLS}><ns2:count>4</ns2:count><ns2:count>5</ns2:count></availableSlots>",
        "count",
    ),
    _b("extra attribute", '<agentAvailability available="true" agents="3"/>', "agents"),
    _b("text in empty element", '<chatAllowed allowed="true">yes</chatAllowed>', "chatAllowed"),
    _b("unknown root", '<agentStatus available="true"/>', "agentStatus"),
    # not XML, forbidden markup, oversized: refused before validation
    _b(
        "guide's unquoted responseType",
        f"<checkEligibility {NS_DECLS} responseType=0 />",
        "",
        "not_well_formed",
    ),
    _b("truncated", f"<availableSlots {NS_DECLS}><ns2:count>4</ns2:co", "", "not_well_formed"),
    _b(
        "html error page",
        "<html><body><h1>500 Internal Server Error</h1><br></body></html>",
        "",
        "not_well_formed",
    ),
    _b("json body", '{"available": true}', "", "not_well_formed"),
    _b("empty body", "", "", "not_well_formed"),
    _b(
        "DOCTYPE with external entity",
        '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM '
        '"file:///etc/passwd">]>\n<chatAllowed allowed="&x;"/>',
        "",
        "forbidden_markup",
    ),
    _b("entity bomb", BILLION_LAUGHS, "", "forbidden_markup"),
    _b(
        "DOCTYPE after a comment",
        '<!-- hi --><!DOCTYPE chatAllowed SYSTEM "http://127.0.0.1:9/x.dtd"><chatAllowed allowed="true"/>',
        "",
        "forbidden_markup",
    ),
    _b("oversized", b'<chatAllowed allowed="true"/>' + b" " * (1 << 20), "", "too_large"),
]
