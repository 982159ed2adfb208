"""Who may reach the reference server, and who may drive its admin API.

A server on loopback is reachable only from this machine, so its admin API stays open (local use and
the test fixtures need no token). A server listening on anything else (``0.0.0.0``, ``::``, a LAN
address, a host name that may resolve anywhere) lets every machine that can reach the port replace
the state, inject faults and read the stored surveys: there the admin API needs a bearer token. The
decision is a pure function of the configured host (:func:`admin_access`), so it is tested without
ever listening beyond loopback.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from ecekit.errors import UsageError
from ecekit.loopback import is_loopback

TOKEN_ENV = "ECEKIT_ADMIN_TOKEN"
SHORT_TOKEN = 16  # characters; a shorter chosen token gets a warning (a generated one has 43)
# Headers a reverse proxy or gateway adds on the way; none comes from a script talking to loopback.
PROXY_HEADERS = (b"forwarded", b"x-forwarded-for", b"x-real-ip", b"via")


def _digest(value: bytes) -> bytes:
    # Hash both sides first: compare_digest is constant-time only for equal lengths.
    return hashlib.sha256(value).digest()


@dataclass(frozen=True)
class AdminAccess:
    """The admin API's gate: ``token`` None means open (loopback without a chosen token)."""

    token: str | None = None
    generated: bool = False

    @property
    def required(self) -> bool:
        return self.token is not None

    def refusal(self, authorization: bytes) -> str | None:
        """None when ``authorization`` (the raw header) carries the token, else why not."""
        if self.token is None:
            return None
        if not authorization:
            return "this admin API needs a token: no Authorization header"
        scheme, _, presented = authorization.strip().partition(b" ")
        if scheme.lower() != b"bearer":
            return "the Authorization header must be 'Bearer TOKEN'"
        if not hmac.compare_digest(_digest(presented.strip()), _digest(self.token.encode())):
            return "wrong admin token"
        return None

    def web_page_refusal(self, host: bytes, origin: bytes, fetch_site: bytes) -> str | None:
        """Why an open admin API refuses this request as coming from a web page, or None.

        Without a token any page the owner's browser opens could drive a loopback admin API: a
        ``POST /reset`` needs no preflight, and a DNS-rebinding page reaches 127.0.0.1 under its own
        name. So an open API answers only requests addressed to loopback that no page sent: ``Host``
        a loopback name, no ``Origin``, ``Sec-Fetch-Site`` absent or ``none`` (typed in the address
        bar). With a token nothing ambient authorises a request, so none of this applies."""
        if self.token is not None:
            return None
        name = host.decode("latin-1").strip()
        name = name[1:name.find("]")] if name.startswith("[") else name.rpartition(":")[0] or name
        if name and not is_loopback(name):
            return (f"this open admin API answers only requests addressed to loopback, not to Host "
                    f"{host.decode('latin-1')[:80]!r} (a DNS-rebinding web page?)")
        if origin or fetch_site.strip().lower() not in (b"", b"none"):
            shown = origin.decode("latin-1")[:80] or fetch_site.decode("latin-1")[:20]
            return f"this open admin API does not answer web pages (the request came from {shown})"
        return None


    def proxy_refusal(self, present: Sequence[bytes]) -> str | None:
        """Why an open admin API refuses a request that came through a proxy, or None.

        A server on loopback is open because only this machine reaches it; a reverse proxy on the same
        machine that keeps a loopback ``Host`` would hand that openness to every client of the proxy.
        Proxies say they were there (:data:`PROXY_HEADERS`; ``present`` is the lower-case names of
        those the request carries), so an open API refuses those requests. With a token, the token
        decides, whoever relays it."""
        if self.token is not None or not present:
            return None
        names = ", ".join(name.decode("latin-1") for name in present)
        return (f"this open admin API does not answer requests relayed by a proxy (the request "
                f"carries {names}): behind a proxy every client of the proxy would drive it")


def admin_access(host: str, token: str | None) -> AdminAccess:
    """The gate for a server listening on ``host``: a chosen token is always required; without one,
    loopback stays open and anything else gets a generated token (printed once at start)."""
    if token is not None:
        return AdminAccess(check_token(token))
    if is_loopback(host):
        return AdminAccess()
    return AdminAccess(secrets.token_urlsafe(32), generated=True)


def check_token(token: str) -> str:
    """A token must survive an HTTP header unchanged: visible ASCII, no spaces, not empty."""
    if not token or any(not 0x21 <= ord(c) <= 0x7E for c in token):
        raise UsageError("the admin token must be visible ASCII characters, no spaces, not empty",
                         remedy=f"pass --admin-token (or {TOKEN_ENV}) e.g. from "
                                "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`, "
                                "or leave it out to have one generated")
    return token


def describe_host(host: str) -> str:
    bare = host.strip().strip("[]")
    if bare in ("0.0.0.0", ""):
        return "0.0.0.0 (every IPv4 interface of this machine)"
    if bare == "::":
        return ":: (every interface of this machine)"
    return host


def exposure_notice(host: str, port: int, faults: Sequence[str], access: AdminAccess | None) -> str | None:
    """The one line ``ecekit serve`` prints when it listens beyond loopback (None on loopback): who
    can now reach it, which broken answers they get, and what guards the admin API."""
    if is_loopback(host):
        return None
    who = (f"ecekit serve: WARNING: listening beyond loopback on {describe_host(host)}: anyone who can "
           f"reach port {port} of this machine gets its answers and can submit surveys")
    served = (f"; fault modes on: {', '.join(faults)} (every client gets these broken answers)"
              if faults else "; no fault modes on")
    admin = "" if access is None else "; the admin API needs the bearer token"
    return who + served + admin


def faults_notice(host: str, port: int, faults: Sequence[str]) -> str:
    """The ``faults on`` line, which on an exposed server says who else gets the broken answers."""
    line = f"ecekit serve: faults on: {', '.join(faults)}"
    if is_loopback(host):
        return line
    return line + f" (served to anyone who can reach {host}:{port}, not only this machine)"


def start_notices(host: str, port: int, faults: tuple[str, ...], gate: AdminAccess | None,
                 admin_url: str) -> list[str]:
    """What ``ecekit serve`` says at start after the listening line: exposure, faults, admin, token."""
    lines = []
    notice = exposure_notice(host, port, faults, gate)
    if notice:
        lines.append(notice)
    if faults:
        lines.append(faults_notice(host, port, faults))
    if gate is not None:
        lines.append(f"ecekit serve: admin API on {admin_url}")
    if gate is not None and gate.generated:
        lines.append(f"ecekit serve: admin token (generated, shown once): {gate.token}")
    elif gate is not None and gate.token is not None:
        lines.append("ecekit serve: admin API needs the token given to --admin-token/ECEKIT_ADMIN_TOKEN")
        if len(gate.token) < SHORT_TOKEN:
            lines.append(f"ecekit serve: WARNING: the admin token has only {len(gate.token)} "
                         f"characters; use {SHORT_TOKEN} or more (or let one be generated)")
    return lines


def gate(host: str, admin: bool, token: str | None, *, token_on_command_line: bool = False) -> AdminAccess | None:
    """``ecekit serve``'s admin gate, or None without ``--admin`` (a token given on the command line then
    is a mistake). An empty ECEKIT_ADMIN_TOKEN is one too: click reads it as unset, which would leave
    the API open without a word."""
    import os

    if not admin:
        if token is not None and token_on_command_line:
            raise UsageError("--admin-token needs --admin", remedy="add --admin, or drop --admin-token")
        return None
    if token is None and os.environ.get(TOKEN_ENV) == "":
        raise UsageError(f"{TOKEN_ENV} is set but empty",
                         remedy=f"put a token in it (e.g. `export {TOKEN_ENV}=\"$(python3 -c "
                                "'import secrets; print(secrets.token_urlsafe(32))')\"`), or "
                                f"`unset {TOKEN_ENV}` to leave the loopback admin API open")
    return admin_access(host, token)
