"""CORS preflights: what a browser asks before a request that is not "simple", and whether it would go
on to send the request after the server's answer (the Fetch standard: CORS-preflight fetch, CORS check).

A page on the site's origin (``--origin``) sends ECE two kinds of request: the status GETs and the
survey POST. The survey's ``Content-Type`` (application/xml, text/xml) is none of the three
CORS-safelisted types, so a browser first sends an OPTIONS preflight, and sends the survey only if that
preflight succeeds; a status GET is preflighted too when the page adds a header that is not
safelisted (the headers of ``--header`` are taken as the page's own). A server whose preflights fail
loses every survey of the chat widget while each simple GET still passes the ``cors`` check.

The rules are the standard's and no stricter, so a red run means a browser would refuse: any 2xx is
a success; ``Access-Control-Allow-Methods`` may be left out for a CORS-safelisted method (GET, HEAD,
POST); ``*`` allows any method and any header but ``Authorization`` when no credentials are sent;
header names match case-insensitively, methods and the origin exactly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ecekit import operations, widgets
from ecekit.checks.base import Observation, Violation
from ecekit.target import Target

CHECK = "preflight"

SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})
SAFELISTED_CONTENT_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"})
# Names a page cannot set (Fetch: forbidden request-header names); a browser never asks for them.
FORBIDDEN_HEADERS = frozenset({
    "accept-charset", "accept-encoding", "access-control-request-headers", "access-control-request-method",
    "connection", "content-length", "cookie", "cookie2", "date", "dnt", "expect", "host", "keep-alive",
    "origin", "referer", "set-cookie", "te", "trailer", "transfer-encoding", "upgrade", "via"})
NON_WILDCARD_HEADERS = frozenset({"authorization"})  # never covered by Access-Control-Allow-Headers: *
SURVEY_CONTENT_TYPE = "application/xml"  # the guide's sample; text/xml (ECE_NOTES) is preflighted alike

_UNSAFE_BYTE = re.compile(r'[\x00-\x08\x0a-\x1f"():<>?@\[\\\]{}\x7f]')
_LANGUAGE = re.compile(r"[0-9A-Za-z *,\-.;=]*")
_SIMPLE_RANGE = re.compile(r"bytes=(\d+)-(\d*)")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_MIME = re.compile(r"\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*(;.*)?", re.S)


def _safelisted(name: str, value: str) -> bool:
    """Whether (name, value) is a CORS-safelisted request-header (Fetch)."""
    if len(value) > 128:
        return False
    if name == "accept":
        return not _UNSAFE_BYTE.search(value)
    if name in ("accept-language", "content-language"):
        return bool(_LANGUAGE.fullmatch(value))
    if name == "content-type":
        mime = _MIME.fullmatch(value)
        return not _UNSAFE_BYTE.search(value) and mime is not None \
            and mime.group(1).lower() in SAFELISTED_CONTENT_TYPES
    if name == "range":
        simple = _SIMPLE_RANGE.fullmatch(value)
        return simple is not None and (not simple.group(2) or int(simple.group(1)) <= int(simple.group(2)))
    return False


def forbidden(name: str) -> bool:
    """Whether a page may not set ``name``: the browser sets or refuses it, and never asks for it."""
    lowered = name.lower()
    return lowered in FORBIDDEN_HEADERS or lowered.startswith(("proxy-", "sec-"))


def unsafe_header_names(headers: Mapping[str, str]) -> tuple[str, ...]:
    """The names a browser lists in ``Access-Control-Request-Headers`` for a page's ``headers``: the
    CORS-unsafe ones, lower-case and sorted. (The standard's rule that safelisted values over 1,024
    bytes in all make every header unsafe cannot apply: five names of at most 128 bytes each.)"""
    page = {name.lower(): value for name, value in headers.items() if not forbidden(name)}
    return tuple(sorted(name for name, value in page.items() if not _safelisted(name, value)))


@dataclass(frozen=True, slots=True)
class Preflight:
    """The OPTIONS a browser sends before one kind of request a page makes: the names only, never the
    header values (the user's ``--header`` values are secrets)."""

    operation: operations.Operation
    method: str
    header_names: tuple[str, ...]
    what: str  # the page's request, for messages: "the survey (POST, Content-Type: application/xml)"

    def request_headers(self, origin: str) -> dict[str, str]:
        """The headers a browser's preflight carries (Fetch: no credentials, no header of the page's)."""
        sent = {"Accept": "*/*", "Origin": origin, "Access-Control-Request-Method": self.method}
        if self.header_names:
            sent["Access-Control-Request-Headers"] = ",".join(self.header_names)
        return sent


def preflight_for(op: operations.Operation, headers: Mapping[str, str], what: str) -> Preflight | None:
    """The preflight a browser sends before ``op`` with the page's ``headers``; None for a simple request."""
    names = unsafe_header_names(headers)
    if op.method in SAFELISTED_METHODS and not names:
        return None
    return Preflight(op, op.method, names, what)


def preflights(target: Target) -> list[Preflight]:
    """The preflights of the site's pages, one per kind of request; none without ``--origin``: the
    status GETs as the target's widget asks them (if the page's headers need one), then the survey."""
    if target.origin is None:
        return []
    page = {name.lower(): value for name, value in target.headers.items()}
    status_op = (target.chosen_widget() or widgets.get(widgets.DEFAULT_WIDGET)).operation
    added = unsafe_header_names(page)  # the page's own headers, by name (their values are secrets)
    names = ", ".join(added)
    found = [preflight_for(status_op, page, f"{status_op.name} (GET with {names})"),
             preflight_for(operations.SURVEY, {**page, "content-type": SURVEY_CONTENT_TYPE},
                           f"the survey (POST with Content-Type: {SURVEY_CONTENT_TYPE}"
                           + (f" and {names})" if names else ")"))]
    return [p for p in found if p is not None]


def _list(value: str | None) -> list[str] | None:
    """A header's comma-separated tokens ([] when absent); None when it is not such a list (Fetch's
    'extract header list values' fails, and the browser with it)."""
    if value is None:
        return []
    items = [item.strip(" \t") for item in value.split(",")]
    items = [item for item in items if item]
    return items if all(_TOKEN.fullmatch(item) for item in items) else None


def _asked(obs: Observation) -> tuple[str, str, list[str]]:
    """(origin, method, header names) the preflight asked for, read from the request as sent."""
    sent = {name.lower(): value for name, value in obs.exchange.request_headers.items()}
    origin = sent.get("origin") or obs.context.target.origin or ""
    method = sent.get("access-control-request-method") or obs.operation.method
    names = [n.strip().lower() for n in sent.get("access-control-request-headers", "").split(",") if n.strip()]
    return origin, method, names


def refusals(obs: Observation, *, credentials: bool = False) -> list[tuple[str, str, str]]:
    """(why, expected, actual) for each rule of the preflight's answer a browser refuses, in the order
    the standard applies them; [] when the browser goes on. ``credentials``: the page sends cookies
    (``credentials: 'include'``), which takes away the wildcards."""
    ex = obs.exchange
    origin, method, names = _asked(obs)
    if ex.error is not None:
        return [("no answer to the preflight", "a 2xx answer", ex.describe())]
    found = []
    headers = ex.response_headers
    if ex.status is None or not 200 <= ex.status < 300:
        found.append((f"OPTIONS answered HTTP {ex.status}", "a 2xx (200 and 204 alike)", f"HTTP {ex.status}"))
    allow_origin = headers.get("access-control-allow-origin")
    allow_origin = None if allow_origin is None else allow_origin.strip()
    if allow_origin is None:
        found.append(("no Access-Control-Allow-Origin", f"Access-Control-Allow-Origin: {origin}"
                      + ("" if credentials else " (or *)"), "no Access-Control-Allow-Origin"))
    elif allow_origin == "*" and credentials:
        found.append(("Access-Control-Allow-Origin is * for a request with credentials",
                      f"Access-Control-Allow-Origin: {origin}", "Access-Control-Allow-Origin: *"))
    elif allow_origin not in ("*", origin):
        found.append((f"Access-Control-Allow-Origin names another origin than {origin}",
                      f"Access-Control-Allow-Origin: {origin} (or *), byte for byte",
                      f"Access-Control-Allow-Origin: {allow_origin}"))
    if credentials and allow_origin not in (None, "*") and headers.get("access-control-allow-credentials") != "true":
        found.append(("no Access-Control-Allow-Credentials: true for a request with credentials",
                      "Access-Control-Allow-Credentials: true",
                      f"Access-Control-Allow-Credentials: {headers.get('access-control-allow-credentials')}"))
    found += _method_refusals(headers.get("access-control-allow-methods"), method, credentials)
    found += _header_refusals(headers.get("access-control-allow-headers"), names, credentials)
    return found


def _method_refusals(value: str | None, method: str, credentials: bool) -> list[tuple[str, str, str]]:
    methods = _list(value)
    actual = f"Access-Control-Allow-Methods: {value}" if value is not None else "no Access-Control-Allow-Methods"
    if methods is None:
        return [("Access-Control-Allow-Methods is not a comma-separated list of methods",
                 "Access-Control-Allow-Methods: a list of method tokens", actual)]
    if method in methods or method in SAFELISTED_METHODS or ("*" in methods and not credentials):
        return []
    case = " (methods match case-sensitively)" if method.lower() in (m.lower() for m in methods) else ""
    return [(f"Access-Control-Allow-Methods does not allow {method}{case}",
             f"Access-Control-Allow-Methods including {method}", actual)]


def _header_refusals(value: str | None, names: list[str], credentials: bool) -> list[tuple[str, str, str]]:
    allowed = _list(value)
    actual = f"Access-Control-Allow-Headers: {value}" if value is not None else "no Access-Control-Allow-Headers"
    if allowed is None:
        return [("Access-Control-Allow-Headers is not a comma-separated list of header names",
                 "Access-Control-Allow-Headers: a list of header names", actual)]
    lowered = {name.lower() for name in allowed}
    wildcard = "*" in allowed and not credentials
    missing = [name for name in names if name not in lowered
               and (name in NON_WILDCARD_HEADERS or not wildcard)]
    if not missing:
        return []
    note = " (* does not cover Authorization)" if wildcard else ""
    return [(f"Access-Control-Allow-Headers does not allow {', '.join(missing)}{note}",
             f"Access-Control-Allow-Headers including {', '.join(missing)} (any case)", actual)]


def preflight(obs: Observation, *, credentials: bool = False, what: str = "") -> list[Violation]:
    """a page on the site's origin (--origin) cannot send a request its browser preflights"""
    found = refusals(obs, credentials=credentials)
    if not found:
        return []
    origin, method, _ = _asked(obs)
    request = what or f"{method} {obs.operation.name}"
    return [obs.violation(CHECK, f"a page on {origin} cannot send {request}: the browser refuses its CORS "
                          f"preflight: {'; '.join(why for why, _, _ in found)}",
                          expected="; ".join(expected for _, expected, _ in found),
                          actual="; ".join(actual for _, _, actual in found),
                          remedy="answer OPTIONS preflights from the site's origin with a 2xx that allows "
                          "the origin, the method and the headers (in ECE's web server or the proxy in "
                          "front of it); until then the browser never sends the request")]
