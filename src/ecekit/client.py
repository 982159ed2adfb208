"""HTTP exchanges with the server under test, recorded whole so any failure can be reproduced.

Every call has a connect timeout, a read timeout that also caps the whole response (a server that
trickles bytes cannot hold a run hostage), and a body cap enforced while reading, on the bytes received
and on the bytes they inflate to (a 64 MiB answer, or 1 MiB of gzip inflating to 1 GiB, costs the cap;
see :mod:`ecekit.inflate`, which decodes the body instead of urllib3). TLS trust, client certificates
and proxies come from the target through :mod:`ecekit.transport` (environment proxies yes, netrc no;
see there). Transport failures are not exceptions: they come back as an Exchange whose ``error`` says
what happened, so the checks can report them like any other contract failure.
"""

from __future__ import annotations

import contextlib
import shlex
import time
import warnings
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import requests
import urllib3

from ecekit import deadline, inflate, operations, redaction, transport
from ecekit.__about__ import __version__
from ecekit.target import Target

USER_AGENT = f"ecekit/{__version__} (+contract and load tests for ECE chat web services)"
_CHUNK = 64 * 1024


class TransportError(StrEnum):
    TIMEOUT = "timeout"
    CONNECTION = "connection"  # refused, reset, dropped mid-response
    TOO_LARGE = "too_large"  # body over the cap, received or decompressed: the rest was not read


@dataclass(slots=True)
class Exchange:
    """One request and what came back (or did not), as every report may show it: the URL's password
    and the secret headers' values are ``<redacted>`` (:mod:`ecekit.redaction`) from the start."""

    operation: str
    method: str
    url: str  # password hidden
    entry_point: str | None = None
    request_headers: dict[str, str] = field(default_factory=dict)  # secret values hidden
    request_body: bytes | None = None
    status: int | None = None
    response_headers: dict[str, str] = field(default_factory=dict)  # lower-case names; cookies hidden
    body: bytes = b""
    elapsed: float = 0.0  # seconds, from sending to the last byte read
    error: TransportError | None = None
    error_detail: str = ""
    started: float = 0.0  # wall-clock time the request was sent (for HAR files)

    def __post_init__(self) -> None:
        self.url = redaction.url(self.url)
        self.request_headers = redaction.headers(self.request_headers)
        self.response_headers = redaction.headers(self.response_headers)

    @property
    def content_type(self) -> str:
        return self.response_headers.get("content-type", "")

    @property
    def content_encoding(self) -> str:
        return self.response_headers.get("content-encoding", "")

    @property
    def media_type(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()

    def curl(self) -> str:
        """A shell line that sends the same request. Hidden headers and a hidden URL password become
        shell variables (``$ECE_AUTHORIZATION``, ``$ECE_PASSWORD``; see :mod:`ecekit.redaction`)."""
        parts = ["curl", "-sS", "-i", "--max-time", "30"]
        if self.method != "GET":
            parts += ["-X", self.method]
        line = " ".join(shlex.quote(p) for p in parts)
        for name, value in self.request_headers.items():
            if name.lower() in ("user-agent", "accept-encoding", "connection", "content-length"):
                continue
            line += " " + redaction.shell_header(name, value)
        if self.request_body is not None:
            line += " --data-binary " + shlex.quote(self.request_body.decode("utf-8", "replace"))
        return f"{line} {redaction.shell_url(self.url)}"

    def excerpt(self, limit: int = 300) -> str:
        """The first part of the body, printable, for failure messages (never the whole document)."""
        text = self.body[:limit].decode("utf-8", "replace")
        more = f"… ({len(self.body)} bytes)" if len(self.body) > limit else ""
        return text + more

    def describe(self, *, timed: bool = True) -> str:
        """What came back, in one line: status, content type, size, and (``timed``) time; untimed
        where the time is not this answer's (a verdict memoised under load)."""
        if self.error is not None:
            return f"no valid response: {self.error.value}: {self.error_detail}" + \
                (f" after {self.elapsed:.3f}s" if timed else "")
        return (f"HTTP {self.status}, Content-Type {self.content_type or '(none)'}, {len(self.body)} bytes"
                + (f" in {self.elapsed * 1000:.1f} ms" if timed else ""))


class Client:
    """Calls the operations of one target. Not thread-safe: one per thread (a Session each)."""

    def __init__(self, target: Target, *, on_exchange: Callable[[Exchange], None] | None = None) -> None:
        self.target = target
        self.on_exchange = on_exchange  # sees every exchange, e.g. to write a HAR file
        self.session = requests.Session()
        deadline.mount(self.session)  # a deadline on each whole answer can shut its socket
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers["Accept-Encoding"] = inflate.ACCEPT_ENCODING  # what ecekit inflates within the cap
        self.session.headers.update(target.headers)
        if target.origin:  # as a browser sends it from the site's pages (CORS is then checked)
            self.session.headers["Origin"] = target.origin
        # Nothing implicit from the environment (netrc credentials, REQUESTS_CA_BUNDLE): what is sent
        # and trusted is what the target says. Proxies are the exception, resolved per host in send().
        self.session.trust_env = False
        self.session.verify = transport.requests_verify(target)
        self.session.cert = transport.requests_cert(target)
        self._proxies: dict[str, dict[str, str]] = {}
        self._secrets = target.secrets()  # hidden in transport errors' messages too

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def call(
        self,
        op: operations.Operation,
        entry_point: str | int | None = None,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        read_body: bool = True,
    ) -> Exchange:
        url = self.target.url(op, entry_point)
        return self.send(op.name, op.method, url, body=body, headers=headers,
                         entry_point=None if entry_point is None else str(entry_point), read_body=read_body)

    def send(
        self,
        operation: str,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        entry_point: str | None = None,
        read_body: bool = True,
    ) -> Exchange:
        """One request; ``read_body=False`` stops at the status line and headers (the connection is then
        closed, not reused): for a probe that only needs the status."""
        target = self.target
        sent = {**self.session.headers, **(headers or {})}
        ex = Exchange(operation, method, url, entry_point, redaction.headers(sent, target.headers), body,
                      started=time.time())
        deadline_s = target.read_timeout
        netloc = url.split("/", 3)[2] if "://" in url else url
        proxies = self._proxies.get(netloc)
        if proxies is None:
            proxies = self._proxies[netloc] = transport.proxies_for(url)
        start = time.perf_counter()
        with deadline.guard(deadline_s) as cut:  # the whole answer, head included (ecekit.deadline)
            try:
                with _quiet_if(target.insecure):
                    resp = self.session.request(method, url, data=body, headers=dict(headers or {}), stream=True,
                                                allow_redirects=False, proxies=proxies,
                                                timeout=(target.connect_timeout, target.read_timeout))
                with resp:
                    ex.status = resp.status_code
                    ex.response_headers = redaction.headers({k.lower(): v for k, v in resp.headers.items()})
                    if not read_body:
                        resp.raw.close()  # not drained: the rest of the answer is never read
                    else:
                        inflater = inflate.Inflater(resp.headers.get("content-encoding"), target.max_body_bytes)
                        # read1 returns what one socket read gives, so the deadline is checked between
                        # trickled bytes too (iter_content would wait for a whole chunk). The raw bytes: ecekit
                        # inflates them itself, within the cap (see ecekit.inflate).
                        try:
                            while chunk := resp.raw.read1(_CHUNK, decode_content=False):
                                inflater.feed(chunk)
                                if time.perf_counter() - start > deadline_s:
                                    raise requests.Timeout(f"response not complete within {deadline_s:g}s")
                            if cut.fired:  # the socket was shut at the deadline: what came is not the whole
                                raise requests.Timeout(f"response not complete within {deadline_s:g}s")
                        except inflate.TooLarge as exc:
                            ex.error, ex.error_detail = TransportError.TOO_LARGE, str(exc)
                        except inflate.BadEncoding as exc:
                            ex.error = TransportError.CONNECTION
                            ex.error_detail = f"body not decodable as Content-Encoding {ex.content_encoding}: {exc}"
                        ex.body = inflater.finish()
            except (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError) as exc:
                ex.error, ex.error_detail = TransportError.TIMEOUT, _short(exc, deadline_s, self._secrets)
                if ex.status is not None and "read timeout" in ex.error_detail:  # the head came, the body stalled
                    ex.error_detail = f"HTTP {ex.status} came, then its body stalled: no byte within {deadline_s:g}s"
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                if cut.fired:  # the deadline shut the socket mid-answer (a head or body that dripped)
                    ex.error = TransportError.TIMEOUT
                    ex.error_detail = (f"response not complete within {deadline_s:g}s"
                                       + (f" (HTTP {ex.status} came)" if ex.status is not None else
                                          ": the status line and headers did not come whole"))
                else:
                    ex.error, ex.error_detail = TransportError.CONNECTION, _short(exc, deadline_s, self._secrets)
        ex.elapsed = time.perf_counter() - start
        if self.on_exchange is not None:
            self.on_exchange(ex)
        return ex


@contextlib.contextmanager
def _quiet_if(insecure: bool) -> Iterator[None]:
    """urllib3 warns on every unverified request; an --insecure run says so once, in every report."""
    if not insecure:
        yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", urllib3.exceptions.InsecureRequestWarning)
        yield


def _short(exc: Exception, deadline_s: float, secrets: tuple[str, ...] = ()) -> str:
    """requests' messages nest three exceptions deep; keep the innermost, readable part."""
    text = str(exc)
    if isinstance(exc, requests.ReadTimeout | urllib3.exceptions.ReadTimeoutError | TimeoutError) or (
            "Read timed out" in text):
        return f"no response within the read timeout of {deadline_s:g}s"
    if isinstance(exc, requests.ConnectTimeout):
        return "could not connect within the connect timeout"
    for marker in ("Connection refused", "Connection reset", "Connection aborted", "RemoteDisconnected",
                   "IncompleteRead", "Name or service not known"):
        if marker in text:
            return marker.lower() if marker != "RemoteDisconnected" else "server closed the connection"
    return redaction.text(text, secrets)[:200]


UNRESPONSIVE_AFTER = 3  # consecutive timeouts after which a run stops waiting for the server


class Rationed:
    """A client that stops waiting once the server has stopped answering.

    After ``after`` consecutive timeouts the remaining requests are not sent; each comes back as a
    timeout saying so. A hung server then costs a run a few timeouts, not one per answer (the
    contract suites and snapshots share the rule; one answer in between resets the count).
    """

    def __init__(self, client: Client, after: int = UNRESPONSIVE_AFTER) -> None:
        self.client = client
        self.after = after
        self.timeouts = 0

    def call(self, op: operations.Operation, entry_point: str | None = None, **kw: Any) -> Exchange:
        target = self.client.target
        if self.timeouts >= self.after:
            return Exchange(op.name, op.method, target.url(op, entry_point), entry_point, body=b"",
                            request_body=kw.get("body"), error=TransportError.TIMEOUT,
                            error_detail=f"not sent: the server answered none of the last {self.timeouts} "
                            f"requests within {target.read_timeout:g}s")
        ex = self.client.call(op, entry_point, **kw)
        self.timeouts = self.timeouts + 1 if ex.error is TransportError.TIMEOUT else 0
        return ex
