"""Every exchange of a run as a HAR 1.2 file (``exchanges.har``), for devtools and vendor tickets.

HAR is what browsers' devtools import and what a support engineer at the vendor can open; it is also
how Schemathesis hands its runs over. An Exchange holds its URL and headers with their secrets already
``<redacted>``; every URL and header is passed through :mod:`ecekit.redaction` here again, so an
exchange built elsewhere (a load check, a snapshot) cannot carry a password or a cookie into the file.
Bodies that are not UTF-8 text are base64-encoded, as the format allows. A transport failure (no
answer) is an entry with status 0 and the error in ``_error`` (HAR's custom-field convention).
"""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterable
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ecekit import redaction
from ecekit.__about__ import __version__
from ecekit.client import Exchange


def _headers(headers: dict[str, str]) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in redaction.headers(headers).items()]


def _content(body: bytes, mime: str) -> dict[str, Any]:
    content: dict[str, Any] = {"size": len(body), "mimeType": mime}
    if not body:
        content["text"] = ""
        return content
    try:
        content["text"] = body.decode("utf-8")
    except UnicodeDecodeError:
        content["text"] = base64.b64encode(body).decode("ascii")
        content["encoding"] = "base64"
    return content


def entry(ex: Exchange) -> dict[str, Any]:
    """One HAR entry for one exchange."""
    started = datetime.fromtimestamp(ex.started or 0.0, tz=UTC).isoformat(timespec="milliseconds")
    ms = round(ex.elapsed * 1000, 3)
    req_mime = next((v for k, v in ex.request_headers.items() if k.lower() == "content-type"),
                    "application/octet-stream")
    url = redaction.url(ex.url)
    request: dict[str, Any] = {
        "method": ex.method, "url": url, "httpVersion": "HTTP/1.1", "cookies": [],
        "headers": _headers(ex.request_headers),
        "queryString": [{"name": k, "value": v} for k, v in parse_qsl(urlsplit(url).query)],
        "headersSize": -1, "bodySize": len(ex.request_body) if ex.request_body is not None else 0,
    }
    if ex.request_body is not None:
        post = _content(ex.request_body, req_mime)
        request["postData"] = {"mimeType": req_mime, "text": post["text"], "params": []}
        if post.get("encoding"):
            request["postData"]["_encoding"] = "base64"
    status = ex.status or 0
    try:
        reason = HTTPStatus(status).phrase if status else ""
    except ValueError:
        reason = ""
    response = {
        "status": status, "statusText": reason, "httpVersion": "HTTP/1.1", "cookies": [],
        "headers": _headers(ex.response_headers),
        "content": _content(ex.body, ex.content_type or "x-unknown"),
        "redirectURL": redaction.url(ex.response_headers.get("location", "")), "headersSize": -1,
        "bodySize": len(ex.body),
    }
    item: dict[str, Any] = {
        "startedDateTime": started, "time": ms, "request": request, "response": response, "cache": {},
        "timings": {"blocked": -1, "dns": -1, "connect": -1, "ssl": -1, "send": 0, "wait": ms, "receive": 0},
        "_operation": ex.operation,
    }
    if ex.entry_point is not None:
        item["_entryPoint"] = ex.entry_point
    if ex.error is not None:
        item["_error"] = redaction.text(f"{ex.error.value}: {ex.error_detail}")
    return item


def document(exchanges: Iterable[Exchange], *, comment: str = "") -> dict[str, Any]:
    log: dict[str, Any] = {"version": "1.2", "creator": {"name": "ecekit", "version": __version__},
                           "pages": [], "entries": [entry(ex) for ex in exchanges]}
    if comment:
        log["comment"] = comment
    return {"log": log}


def write(exchanges: Iterable[Exchange], directory: str | Path, *, comment: str = "") -> Path:
    """Write ``directory/exchanges.har`` atomically; returns its path."""
    path = Path(directory) / "exchanges.har"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(document(exchanges, comment=comment), indent=1), encoding="utf-8")
    tmp.replace(path)
    return path


MAX_LOGGED = 20_000


class ExchangeLog:
    """The exchanges a run keeps for ``exchanges.har``: every one, up to a bound, and how many were not.

    Bounded because a run is: a long hypothesis phase against a slow server must not grow without limit
    in memory; the HAR file's comment says how many were not kept.
    """

    def __init__(self, limit: int = MAX_LOGGED) -> None:
        self.limit = limit
        self.kept: list[Exchange] = []
        self.dropped = 0

    def keep(self, ex: Exchange) -> None:
        if len(self.kept) < self.limit:
            self.kept.append(ex)
        else:
            self.dropped += 1

    def write(self, directory: str | Path, command: str) -> Path:
        """``exchanges.har`` in ``directory``, its comment naming ``command`` and what was not kept."""
        more = f" ({self.dropped} more not kept)" if self.dropped else ""
        return write(self.kept, directory, comment=f"{command}: {len(self.kept)} exchanges{more}")
