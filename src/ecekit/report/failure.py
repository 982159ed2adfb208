"""The text of one contract failure: what was expected, what came back, where, and how to reproduce.

A person reading a CI log or a JUnit viewer must be able to act without re-running anything: every
violation explains itself (check, operation, entry point, XPath, expected, actual, remedy), followed
by what the server sent (status, content type, the first part of the body) and a curl line per
request involved. Bodies are untrusted: control characters are escaped so the text is always safe to
print and to put in XML.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shlex
from collections.abc import Iterable, Sequence
from pathlib import Path

from ecekit.checks.base import Violation
from ecekit.client import Exchange

BODY_EXCERPT = 300
INLINE_REQUEST_BODY = 2048  # larger request bodies go to a file the curl line reads (@path)
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def printable(text: str) -> str:
    """``text`` with every character XML 1.0 and terminals cannot carry escaped as ``\\xNN``."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def headline(violations: Sequence[Violation]) -> str:
    """One line for the JUnit ``message`` attribute and pytest's short summary."""
    if not violations:
        return "no violations"
    first = violations[0].headline()
    more = f" (+{len(violations) - 1} more)" if len(violations) > 1 else ""
    return printable(first.splitlines()[0][:300] + more)


def exchange_lines(ex: Exchange) -> list[str]:
    """What came back for one request, and the curl line that sends it again."""
    lines = [f"request:   {ex.method} {ex.url}", f"response:  {ex.describe()}"]
    if ex.body:
        lines.append("body:      " + ex.excerpt(BODY_EXCERPT).replace("\n", "\n           "))
    lines.append(f"reproduce: {curl_line(ex)}")
    return lines


def curl_line(ex: Exchange) -> str:
    """The curl line; a request body over INLINE_REQUEST_BODY is saved to a file and sent with ``@file``
    so a failure's text stays readable (a fuzzed survey can be hundreds of KiB)."""
    body = ex.request_body
    if body is None or len(body) <= INLINE_REQUEST_BODY:
        return ex.curl()
    path = save_request_body(body)
    return dataclasses.replace(ex, request_body=None).curl() + f" --data-binary @{shlex.quote(str(path))}"


REQUEST_BODIES = Path(".ecekit") / "requests"
"""Where long request bodies of failures are kept for their curl lines (ecekit's documented folder in
the directory the run starts from: the curl line must still work after the run)."""


def save_request_body(body: bytes) -> Path:
    """Write ``body`` under ``.ecekit/requests/``, named by its hash (idempotent)."""
    directory = REQUEST_BODIES
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{hashlib.sha256(body).hexdigest()[:16]}.body"
    if not path.exists():
        path.write_bytes(body)
    return path


def failure_text(violations: Sequence[Violation], exchanges: Iterable[Exchange]) -> str:
    """Every violation explained, then each exchange involved; printable and bounded."""
    exchanges = list(exchanges)
    parts: list[str] = []
    shown_actual: set[str] = {ex.excerpt(n) for ex in exchanges for n in (200, BODY_EXCERPT)}
    shown_actual |= {ex.describe() for ex in exchanges}
    for v in violations:
        if v.actual and v.actual in shown_actual:
            v = dataclasses.replace(v, actual="(see the response below)")
        shown_actual.add(v.actual)
        parts.append(v.explain())
    seen: set[tuple[str, str]] = set()
    for ex in exchanges:
        key = (ex.method, ex.url + str(id(ex)))
        if key in seen:
            continue
        seen.add(key)
        parts.append("\n".join(exchange_lines(ex)))
    return printable("\n\n".join(parts))
