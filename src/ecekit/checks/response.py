"""The checks that judge one response on its own. Each names one family of contract breach."""

from __future__ import annotations

from ecekit import operations
from ecekit.checks import guards
from ecekit.checks.base import Observation, Role, Violation, register
from ecekit.checks.values import expected, raw_values, typed, typed_values
from ecekit.client import TransportError
from ecekit.operations import CHAT_ALLOWED, FieldType, Reason
from ecekit.xmlsafe import IssueKind, root_issue

XML_MEDIA_TYPES = frozenset({"application/xml", "text/xml"})


@register("transport")
def transport(obs: Observation) -> list[Violation]:
    """A complete response arrived: no timeout, no reset, no body over the size cap."""
    ex = obs.exchange
    if ex.error is None:
        return []
    remedy = {
        TransportError.TIMEOUT: "a web page's widget gives up after a few seconds: find what stalls the "
        "server (thread pools, the assignment service, the database)",
        TransportError.CONNECTION: "check the server and anything in front of it (load balancer, proxy) "
        "for crashes or closed connections",
        TransportError.TOO_LARGE: "a status answer is a few hundred bytes; see what the server sends",
    }[ex.error]
    return [obs.violation("transport", ex.error_detail, expected="a complete HTTP response",
                          actual=ex.describe(), remedy=remedy)]


@register("not_a_server_error", guards.answered)
def not_a_server_error(obs: Observation) -> list[Violation]:
    """A 5xx is always a failure: documented as 'unable to retrieve', still the visitor loses chat."""
    status = obs.exchange.status or 0
    if status < 500:
        return []
    return [obs.violation("not_a_server_error", f"server error HTTP {status}",
                          expected="a 2xx (or a 4xx for a bad request)", actual=obs.exchange.excerpt(200),
                          remedy="read the server's log for this request; the curl line reproduces it")]


@register("status_code", guards.answered)
def status_code(obs: Observation) -> list[Violation]:
    """The status code is one the guide documents for this operation (5xx left to not_a_server_error)."""
    status = obs.exchange.status or 0
    op = obs.operation
    if status >= 500 or status in op.success_codes:
        return []
    if not op.is_status and 400 <= status < 500:
        return []  # the survey oracle decides about 4xx
    if obs.context.role is Role.INVALID and 400 <= status < 500 and op is not operations.CHAT_ALLOWED:
        return []  # "no such entry point" is a fair answer; only chatAllowed documents invalid_entry_point
    documented = ", ".join(str(c) for c in sorted(op.documented_codes))
    return [obs.violation("status_code", f"undocumented status HTTP {status}",
                          expected=f"one of {documented}", actual=obs.exchange.describe(),
                          remedy="a widget treats anything but the documented codes as an error")]


@register("content_type", guards.success, guards.status_operation)
def content_type(obs: Observation) -> list[Violation]:
    """A successful status answer says it is XML (application/xml or text/xml)."""
    media = obs.exchange.media_type
    if media in XML_MEDIA_TYPES or media.endswith("+xml"):
        return []
    return [obs.violation("content_type", f"Content-Type is {obs.exchange.content_type or '(none)'}",
                          expected="application/xml or text/xml", actual=obs.exchange.content_type,
                          remedy="pages and proxies that check the type show an error state")]


@register("well_formed", guards.success, guards.status_operation)
def well_formed(obs: Observation) -> list[Violation]:
    """The body is well-formed XML, under the size cap, with no DOCTYPE or entity declarations."""
    issues = obs.parsed.issues
    remedies = {
        IssueKind.FORBIDDEN: "no ECE response has a DOCTYPE; something in front of the server rewrites it",
        IssueKind.TOO_LARGE: "a status answer is a few hundred bytes",
        IssueKind.NOT_WELL_FORMED: "every XML parser refuses this body, so every page shows an error",
    }
    return [obs.violation("well_formed", i.message, xpath=i.xpath or (f"line {i.line}" if i.line else None),
                          expected="a well-formed XML document", actual=obs.exchange.excerpt(200),
                          remedy=remedies.get(i.kind, ""))
            for i in issues]


@register("xsd", guards.well_formed, guards.status_operation)
def xsd(obs: Observation) -> list[Violation]:
    """The body is the documented root and valid against eGainBosh.xsd; every error is listed."""
    root = obs.parsed.root
    assert root is not None
    op = obs.operation
    found = []
    wrong = root_issue(root, op.response_root or "")
    if wrong is not None:
        found.append(wrong)
    schema = obs.context.schemas.bosh
    if obs.context.fast:
        found.extend([] if schema.is_valid(root) else schema.fast_errors(root))
    else:
        found.extend(schema.errors(root))
    return [obs.violation("xsd", i.message, xpath=i.xpath,
                          expected=f"<{op.response_root}> valid against {schema.path.name}",
                          actual=obs.exchange.excerpt(200),
                          remedy="compare with the guide's sample for this operation")
            for i in found]


@register("semantics", guards.well_formed, guards.status_operation)
def semantics(obs: Observation) -> list[Violation]:
    """The documented meaning holds, whatever the schema in use says (the vendor's may be looser)."""
    root = obs.parsed.root
    assert root is not None
    op = obs.operation
    raw = raw_values(root, op)
    found = []
    for f in op.fields:
        remedy = (f"the server must send {op.name}'s {f.name} as the guide documents it; "
                  "compare with the guide's sample for this operation")
        if raw[f.name] is None:
            if f.required:
                found.append(obs.violation("semantics", f"{f.name} is missing", xpath=f"/{root.tag}/"
                                           f"{f.xpath}", expected=expected(f), remedy=remedy))
            continue
        try:
            typed(f, raw[f.name])
        except ValueError as exc:
            found.append(obs.violation("semantics", f"{f.name}: {exc}", xpath=f"/{root.tag}/{f.xpath}",
                                       expected=expected(f), actual=str(raw[f.name]), remedy=remedy))
    if raw.get("reason") is not None and typed_values(root, op).get("allowed") is True:
        found.append(obs.violation(
            "semantics", "reason is given although allowed is true", xpath=f"/{root.tag}/@reason",
            expected="reason only when allowed is false",
            actual=f"allowed={raw['allowed']} reason={raw['reason']}",
            remedy="the guide gives a reason only for an entry point that cannot take new chats"))
    return found


_ROLE_REASON = {Role.INACTIVE: Reason.ENTRY_POINT_INACTIVE, Role.INVALID: Reason.INVALID_ENTRY_POINT}
_CLAIMS = {FieldType.BOOLEAN: lambda v: v is True, FieldType.COUNT: lambda v: v > 0,
           FieldType.RESPONSE_TYPE: lambda v: v == 0}


@register("entry_point_role", guards.well_formed, guards.status_operation)
def entry_point_role(obs: Observation) -> list[Violation]:
    """Inactive and invalid entry points say so, and never claim that chat is possible."""
    role = obs.context.role
    if role is Role.ANY:
        return []
    root = obs.parsed.root
    assert root is not None
    op = obs.operation
    raw = raw_values(root, op)
    want_reason = _ROLE_REASON[role]
    found = []
    if op is CHAT_ALLOWED:
        if typed_values(root, op).get("allowed") is not False or raw.get("reason") != want_reason:
            found.append(obs.violation(
                "entry_point_role", f"an {role.value} entry point is not reported as such",
                expected=f'allowed="false" reason="{want_reason}"',
                actual=f"allowed={raw.get('allowed')!r} reason={raw.get('reason')!r}",
                remedy=f"check the entry point's configuration; the target says it is {role.value}"))
        return found
    if role is Role.INVALID:
        for f in op.fields:
            claim = _CLAIMS.get(f.type)
            try:
                value = typed(f, raw[f.name])
            except ValueError:
                continue
            if claim is not None and claim(value):
                found.append(obs.violation(
                    "entry_point_role", f"an invalid entry point claims availability ({f.name}={value})",
                    xpath=f"/{root.tag}/{f.xpath}",
                    expected="no availability for an id that is no entry point",
                    actual=str(raw[f.name]), remedy="a page would offer a chat that cannot start"))
    return found


@register("response_time", guards.answered)
def response_time(obs: Observation) -> list[Violation]:
    """The answer came within --max-response-time."""
    limit = obs.context.target.max_response_time
    elapsed = obs.exchange.elapsed
    if elapsed <= limit:
        return []
    return [obs.violation("response_time", f"answered in {elapsed * 1000:.0f} ms",
                          expected=f"at most {limit * 1000:.0f} ms", actual=f"{elapsed * 1000:.0f} ms",
                          remedy="widgets time out after a few seconds and show an error")]
