"""How ecekit reaches a server: TLS trust, client certificates, proxies, and the probe made up front.

Every command that talks to a server (``check``, ``fuzz``, ``load``) probes it once before the run
(:func:`probe`): a TCP connection and, for https, a TLS handshake with the same trust settings the run
will use. A wrong URL, a certificate nobody told ecekit to trust or a client certificate the load
balancer wants are problems of the tool's set-up, so they are one line naming the host and the flag
that fixes it (a TargetError, exit 2), never N transport failures blamed on the server.

Proxies: ``HTTPS_PROXY``/``HTTP_PROXY``/``NO_PROXY`` from the environment are honoured by the
requests-based client (``check``, ``fuzz``) and by the probe; nothing else is taken from the
environment (no ``~/.netrc`` credentials, no ``REQUESTS_CA_BUNDLE``: what is sent and trusted is what the
target says). Loopback hosts are never proxied, whatever the environment says: the reference server
and load targets are local, and their traffic must not leave the machine. The load generator
(locust's FastHttpUser on geventhttpclient) reads no proxy variables at all.
"""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Callable
from urllib.parse import urlsplit

from ecekit import redaction
from ecekit.errors import TargetError
from ecekit.loopback import is_loopback
from ecekit.target import Target

INSECURE_WARNING = ("WARNING: TLS certificate verification is OFF (--insecure): a man in the middle "
                    "would go unnoticed; use --ca-bundle FILE instead")


def ssl_context(target: Target,
                create: Callable[..., ssl.SSLContext] = ssl.create_default_context) -> ssl.SSLContext:
    """The client TLS context of a target: its CA bundle (or the system's), its client certificate,
    or no verification at all with ``insecure``. ``create`` lets the load generator build gevent's."""
    ctx = create(cafile=target.ca_bundle) if target.ca_bundle else create()
    if target.insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if target.client_cert:
        ctx.load_cert_chain(target.client_cert, target.client_key)
    return ctx


def requests_verify(target: Target) -> bool | str:
    """requests' ``verify``: False, the CA bundle's path, or True (the system's / certifi's CAs)."""
    if target.insecure:
        return False
    return target.ca_bundle or True


def requests_cert(target: Target) -> str | tuple[str, str] | None:
    if not target.client_cert:
        return None
    return (target.client_cert, target.client_key) if target.client_key else target.client_cert


def proxies_for(url: str) -> dict[str, str]:
    """The environment's proxy for ``url`` (NO_PROXY honoured), never one for a loopback host."""
    import requests.utils

    host = urlsplit(url).hostname or ""
    if is_loopback(host):
        return {}
    return dict(requests.utils.get_environ_proxies(url))


def warning(target: Target) -> str | None:
    """The line every report carries when certificates are not verified."""
    return INSECURE_WARNING if target.insecure and (target.base_url or "").startswith("https:") else None


def properties(target: Target) -> dict[str, str]:
    """How the target's certificate was trusted, for JUnit properties and summaries (https only)."""
    if not (target.base_url or "").startswith("https:"):
        return {}
    props = {"tls_verification": "OFF (--insecure)" if target.insecure
             else f"on ({target.ca_bundle or 'system CA store'})"}
    if target.client_cert:
        props["tls_client_cert"] = target.client_cert
    if warning(target):
        props["warning"] = INSECURE_WARNING
    return props


def probe(target: Target) -> None:
    """Connect (through the proxy, if one applies); for https, complete the TLS handshake and send
    one HEAD of the base URL: with TLS 1.3 a server that wants a client certificate says so only after
    the handshake, on the first read. Its answer is not judged. A plain-HTTP target is only connected to.

    Raises TargetError with one line naming the host and the fix.
    """
    parts = urlsplit(target.base_url or "")
    https = parts.scheme == "https"
    host = parts.hostname or ""
    port = parts.port or (443 if https else 80)
    where = f"{host}:{port}"
    proxy = proxies_for(target.base_url or "").get(parts.scheme)
    timeout = target.connect_timeout
    conn: http.client.HTTPConnection
    try:
        ctx = ssl_context(target) if https else None
    except (ssl.SSLError, OSError) as exc:
        raise TargetError(f"cannot load the TLS files of the target ({exc}): check --ca-bundle, "
                          "--client-cert and --client-key (PEM files)") from None
    if proxy:
        p = urlsplit(proxy if "://" in proxy else "http://" + proxy)
        args = (p.hostname or "", p.port or 8080)
    else:
        args = (host, port)
    conn = (http.client.HTTPSConnection(*args, timeout=timeout, context=ctx) if https
            else http.client.HTTPConnection(*args, timeout=timeout))
    if proxy and https:
        conn.set_tunnel(host, port)
    try:
        conn.connect()
    except ssl.SSLCertVerificationError as exc:
        why = exc.verify_message or exc.reason or str(exc)
        if "hostname" in str(why).lower() or "ip address mismatch" in str(why).lower():
            fix = ("use the name the certificate was issued for in --base-url, or pass --insecure to skip "
                   "verification")
        else:
            fix = "pass --ca-bundle FILE with the CA that signed it (or --insecure to skip verification)"
        conn.close()
        raise TargetError(f"the TLS certificate of {where} is not trusted ({why}): {fix}") from None
    except ssl.SSLError as exc:
        conn.close()
        raise TargetError(f"the TLS handshake with {where} failed ({exc.reason or exc}): check that "
                          "--base-url is https:// to a server that speaks TLS") from None
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        via = f" through the proxy {redaction.url(proxy)}" if proxy else ""
        reason = redaction.text(str(getattr(exc, "strerror", None) or exc), target.secrets())
        raise TargetError(f"cannot reach {target.shown_base_url}: cannot connect to {where}{via} ({reason})",
                          remedy="check --base-url (it includes the context root, e.g. "
                          "https://ece.example.com/system), that the server is up"
                          + (" and HTTPS_PROXY / NO_PROXY" if proxy else "")) from None
    if not https:
        conn.close()
        return  # a plain-HTTP target gets no request it did not ask for (a load run counts them all)
    from ecekit import deadline

    try:
        with deadline.guard(target.read_timeout, conn):  # a head that drips ends at the deadline too
            conn.request("HEAD", parts.path or "/", headers={"User-Agent": "ecekit (connection probe)"})
            conn.getresponse().close()
    except (OSError, http.client.HTTPException) as exc:
        fix = ("if it wants a client certificate, pass --client-cert FILE --client-key FILE" if not
               target.client_cert else "check --client-cert and --client-key: the server may have refused them")
        raise TargetError(f"{where} closed the connection without an HTTP answer "
                          f"({getattr(exc, 'reason', None) or exc}): {fix}") from None
    finally:
        conn.close()

