"""The six operations of ECE's Chat Web Service API, as data: the one source of truth.

The contract suites, the load scenarios, the reference server, the fuzzers and the reports all read
this module; none of them spells a path, an element or an attribute again. Paths are relative to the
server's context root (``/system`` on a default install) and keep the guide's own spelling: ``endpoint``
for capacity and checkEligibility, ``entrypoint`` for the rest. Real servers answer the
``entrypoint`` spelling for those two as well (see ECE_NOTES), which is why each operation also lists
the alternate paths a server may serve and a target file may choose.

Source: "Enterprise Chat and Email Developer's Guide to Web Service APIs for Chat, Release 12.6(1)",
sections 9 to 14.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

CHAT_NS = "http://bindings.egain.com/chat"
"""The namespace of every child element of a status response, and the survey's default namespace."""

# The declarations a real server puts on every response root, used or not. Prefixes are not stable
# across servers (a lab ECE binds ns3/ns4 the other way round): compare by URI, never by prefix.
ROOT_NAMESPACES: dict[str, str] = {
    "ns2": CHAT_NS,
    "ns4": "urn:ietf:params:xml:ns:xmpp-stanzas",
    "ns3": "jabber:client",
    "ns5": "http://jabber.org/protocol/httpbind",
}

class Reason(StrEnum):
    """The six documented values of chatAllowed/@reason (guide, section 13), spelled as printed."""

    QUEUE_DEPTH_REACHED = "queue_depth_reached"
    AGENT_NOT_AVAILABLE = "agent_not_available"
    SERVICE_NOT_RUNNING = "service_not_running"
    INVALID_ENTRY_POINT = "invalid_entry_point"
    ENTRY_POINT_INACTIVE = "entry_point_inactive"
    OTHER = "Other"


REASONS: tuple[str, ...] = tuple(reason.value for reason in Reason)

RESPONSE_TYPES: dict[int, str] = {
    0: "the queue associated with this entry point can handle new chats",
    1: "no agent is available to work on new chats",
    2: "maximum queue depth has been reached for the queue of this entry point",
    3: "the integrated agent concurrent-task limit (CTL) is reached",
}
"""The documented values of checkEligibility/@responseType (guide, section 12)."""


class FieldKind(StrEnum):
    ATTRIBUTE = "attribute"
    ELEMENT = "element"  # a child element in CHAT_NS


class FieldType(StrEnum):
    BOOLEAN = "boolean"  # xs:boolean: true, false, 1, 0
    COUNT = "count"  # xs:nonNegativeInteger
    SECONDS = "seconds"  # a non-negative xs:decimal
    RESPONSE_TYPE = "responseType"  # 0..3
    REASON = "reason"  # one of REASONS


@dataclass(frozen=True, slots=True)
class Field:
    """One datum of a response: where it sits in the XML and what values it may take."""

    name: str
    kind: FieldKind
    type: FieldType
    required: bool = True

    @property
    def xpath(self) -> str:
        return f"@{self.name}" if self.kind is FieldKind.ATTRIBUTE else f"ns2:{self.name}"


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of the API. ``path`` is a template with ``{id}`` for the entry point."""

    name: str
    method: str
    path: str
    purpose: str
    guide_section: int
    success_codes: frozenset[int]
    error_codes: frozenset[int]
    response_root: str | None = None
    request_root: str | None = None
    fields: tuple[Field, ...] = ()
    alternate_paths: tuple[str, ...] = ()
    is_status: bool = True  # a read-only GET that a web page calls on page load

    @property
    def takes_entry_point(self) -> bool:
        return "{id}" in self.path

    @property
    def documented_codes(self) -> frozenset[int]:
        return self.success_codes | self.error_codes

    @property
    def all_paths(self) -> tuple[str, ...]:
        return (self.path, *self.alternate_paths)

    def url_path(self, entry_point: str | int | None = None, template: str | None = None) -> str:
        """The path for one call; ``template`` is a target file's override of ``self.path``."""
        template = template or self.path
        if "{id}" in template:
            if entry_point is None:
                raise ValueError(f"{self.name} needs an entry point id")
            return template.replace("{id}", str(entry_point))
        return template

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.name} has no field {name!r}")


_A, _E = FieldKind.ATTRIBUTE, FieldKind.ELEMENT

AGENT_AVAILABILITY = Operation(
    name="agentAvailability",
    method="GET",
    path="/egain/chat/entrypoint/agentAvailability/{id}",
    purpose="whether any agent who can take chats from this entry point is available",
    guide_section=9,
    success_codes=frozenset({200}),
    error_codes=frozenset({500}),
    response_root="agentAvailability",
    fields=(Field("available", _A, FieldType.BOOLEAN),),
)

CAPACITY = Operation(
    name="capacity",
    method="GET",
    path="/egain/chat/endpoint/capacity/{id}",
    purpose="remaining chat capacity of the agents of this entry point's queue (max load - current load)",
    guide_section=10,
    success_codes=frozenset({200}),
    error_codes=frozenset({500}),
    response_root="availableSlots",
    fields=(Field("count", _E, FieldType.COUNT),),
    alternate_paths=("/egain/chat/entrypoint/capacity/{id}",),
)

LIVE_SESSION_STATUS = Operation(
    name="liveSessionStatus",
    method="GET",
    path="/egain/chat/entrypoint/liveSessionStatus/{id}",
    purpose="chats waiting in this entry point's queue and the average wait (s) of the last 20",
    guide_section=11,
    success_codes=frozenset({200}),
    error_codes=frozenset({500}),
    response_root="sessionStatus",
    fields=(Field("waitTime", _E, FieldType.SECONDS), Field("queueDepth", _E, FieldType.COUNT)),
)

CHECK_ELIGIBILITY = Operation(
    name="checkEligibility",
    method="GET",
    path="/egain/chat/endpoint/checkEligibility/{id}",
    purpose="whether this entry point can take new chats, as responseType 0-3",
    guide_section=12,
    success_codes=frozenset({200}),
    error_codes=frozenset({500}),
    response_root="checkEligibility",
    fields=(Field("responseType", _A, FieldType.RESPONSE_TYPE),),
    alternate_paths=("/egain/chat/entrypoint/checkEligibility/{id}",),
)

CHAT_ALLOWED = Operation(
    name="chatAllowed",
    method="GET",
    path="/egain/chat/entrypoint/chatAllowed/{id}",
    purpose="whether this entry point can take new chats and, when not, the reason",
    guide_section=13,
    success_codes=frozenset({200}),
    error_codes=frozenset({500}),
    response_root="chatAllowed",
    fields=(
        Field("allowed", _A, FieldType.BOOLEAN),
        Field("reason", _A, FieldType.REASON, required=False),
    ),
)

SURVEY = Operation(
    name="survey",
    method="POST",
    path="/egain/chat/entrypoint/survey",
    purpose="submit the answers of a custom end-of-chat survey",
    guide_section=14,
    success_codes=frozenset({204}),
    # The guide documents no error code for the survey; a 4xx for a bad body is what a careful server
    # does (and what ECE_NOTES saw), a 5xx never is.
    error_codes=frozenset(),
    request_root="egainSurvey",
    is_status=False,
)

OPERATIONS: tuple[Operation, ...] = (
    AGENT_AVAILABILITY,
    CAPACITY,
    LIVE_SESSION_STATUS,
    CHECK_ELIGIBILITY,
    CHAT_ALLOWED,
    SURVEY,
)
BY_NAME: dict[str, Operation] = {op.name: op for op in OPERATIONS}
STATUS_OPERATIONS: tuple[Operation, ...] = tuple(op for op in OPERATIONS if op.is_status)

# The survey's own vocabulary (guide, section 14), in CHAT_NS.
SURVEY_ITEM = "survey"
SURVEY_QUESTION = "question"
SURVEY_ANSWER = "answer"
SURVEY_SID = "sid"


def get(name: str) -> Operation:
    """The operation called ``name``, with a close match in the error when there is none."""
    try:
        return BY_NAME[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, BY_NAME, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise KeyError(f"unknown operation {name!r}.{hint} Valid: {', '.join(BY_NAME)}") from None


@dataclass(frozen=True, slots=True)
class Route:
    """One path a server answers for an operation, split for fast matching: prefix + id."""

    operation: Operation
    prefix: str
    suffix: str = ""


def routes() -> Iterator[Route]:
    """Every (operation, path prefix) a faithful server answers, guide spelling first."""
    for op in OPERATIONS:
        for path in op.all_paths:
            prefix, _, suffix = path.partition("{id}")
            yield Route(op, prefix, suffix)
