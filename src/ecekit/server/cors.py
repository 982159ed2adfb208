"""Cross-origin answers: which web pages may read the reference server's status answers.

A site calls ECE from the visitor's browser, on another origin than the server's, so the browser lets
the page read an answer only when it carries ``Access-Control-Allow-Origin`` for the page's origin (and
asks first, with an OPTIONS preflight, when the page sends headers outside the CORS-safelisted ones).
The guide says nothing of this; real deployments configure it in front of ECE. The reference server
allows the origins it is told to (``ecekit serve --cors-origin``; ``*`` for any); the fault
``cors-missing`` forgets to, and ``preflight-refused`` refuses the survey's preflight only, so
``ecekit check --origin`` has something to catch (its checks ``cors`` and ``preflight``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]

ALLOW_METHODS = b"GET, HEAD, POST, OPTIONS"
MAX_AGE = b"600"


@dataclass(frozen=True)
class CorsPolicy:
    origins: tuple[str, ...]  # exact origins (scheme://host:port), or "*"

    def allows(self, origin: bytes) -> bytes | None:
        """The Access-Control-Allow-Origin value for a request from ``origin``, or None."""
        if not origin:
            return None
        if "*" in self.origins:
            return b"*"
        text = origin.decode("latin-1")
        return origin if text in self.origins else None

    def preflight_headers(self, allowed: bytes, requested_headers: bytes) -> list[tuple[bytes, bytes]]:
        headers = [(b"access-control-allow-origin", allowed), (b"access-control-allow-methods", ALLOW_METHODS),
                   (b"access-control-max-age", MAX_AGE), (b"vary", b"Origin"), (b"content-length", b"0")]
        if requested_headers:
            headers.append((b"access-control-allow-headers", requested_headers[:1024]))
        return headers

    def wrap(self, send: Send, allowed: bytes) -> Send:
        """``send`` that adds the CORS headers to the response start."""

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()),
                                                  (b"access-control-allow-origin", allowed), (b"vary", b"Origin")]}
            await send(message)

        return send_with_cors


def parse_origins(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Normalised origins: no trailing slash, no path; ``*`` kept."""
    from urllib.parse import urlsplit

    from ecekit.errors import ConfigError

    out = []
    for value in values:
        value = value.strip()
        if value == "*":
            out.append(value)
            continue
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise ConfigError(f"--cors-origin {value!r} is not an origin",
                              remedy="write scheme://host[:port], e.g. https://www.example.com, or * for any")
        out.append(f"{parts.scheme}://{parts.netloc}")
    return tuple(out)
