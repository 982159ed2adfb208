"""The server a run talks to: the one the target names, probed once, or the embedded reference server.

Every run (check, fuzz, load, capacity, snapshot, the library calls) goes through :func:`live_target`,
so "start the embedded server or reach the given one" is decided here only. A target without a base
URL means the embedded server: it is started for the run, with its default entry points unless the
user named some, and it allows the site's origin cross-origin, as the site's real server must.

A given server is probed once before the first real request. A server that does not listen, an
untrusted certificate, or a base URL without the context root (every operation answers 404) is a
mistake of the set-up, not of the server: a TargetError (exit 2) that says what to fix, never a run
of contract failures or a breached error SLO.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from ecekit import operations, transport
from ecekit.client import Client
from ecekit.errors import ConfigError, TargetError, UsageError
from ecekit.target import Target

PROBE_ENTRY_POINT = "1"  # any id will do: a wrong context root answers 404 for every path


def ensure_reachable(target: Target) -> None:
    """TargetError when nothing listens at the base URL, or when every status operation answers 404.

    Costs one TCP connection and, on a server that answers, one request (five only while every answer
    is a 404); a timeout or another transport failure ends the probe and is left to the run to report.
    Only each answer's head is read: a body that never ends or drips is the run's to report, within
    its own caps, not the probe's to wait for.
    """
    parts = urlsplit(target.base_url or "")
    transport.probe(target)  # connect (through a proxy if one applies), TLS trust, a client certificate
    entry_point = next(iter(target.all_entry_points()), PROBE_ENTRY_POINT)
    first_404 = ""
    with Client(target) as client:
        for op in operations.STATUS_OPERATIONS:
            ex = client.call(op, entry_point, read_body=False)  # the status is all it needs
            if ex.error is not None or ex.status != 404:
                return
            first_404 = first_404 or ex.url
    shown = target.shown_base_url
    example = f"{shown}/system" if parts.path in ("", "/") else "https://ece.example.com/system"
    raise TargetError(
        f"every operation answered HTTP 404, e.g. GET {first_404}: the base URL {shown} "
        "must include the server's context root (for example /system)",
        remedy=f"pass the URL up to and including the context root, e.g. --base-url {example} "
        "(or fix [paths] in the target file if you changed the operations' paths)")


def with_default_roles(target: Target) -> Target:
    """The embedded server's default entry points (active, inactive, invalid), unless the user named some."""
    if target.all_entry_points():
        return target
    from ecekit.server.embedded import default_roles

    return target.replace(**default_roles().target_kwargs())


def with_roles(target: Target, faults: Iterable[str], *, doing: str) -> Target:
    """The target a run ``doing`` something (``"test"``, ``"snapshot"``) needs, checked before it starts:
    faults only on the embedded server, which brings its default entry points; a given server must
    have entry points named, or there is nothing to do (ConfigError, exit 2)."""
    check_faults(target, faults)
    if target.is_embedded:
        return with_default_roles(target)
    if not target.all_entry_points():
        raise ConfigError(f"no entry points to {doing}",
                          remedy="pass --entry-point ID (and --inactive-entry-point / "
                          "--invalid-entry-point), or list them in ecekit.toml")
    return target


def check_faults(target: Target, faults: Iterable[str]) -> None:
    """Fault modes set up the embedded server only; an unknown name is a ConfigError with a close match."""
    faults = tuple(faults)
    if not faults:
        return
    if not target.is_embedded:
        raise UsageError("--fault applies to the embedded reference server only",
                         remedy="leave out --base-url, or leave out --fault")
    from ecekit.server import faults as faults_mod

    for spec in faults:
        faults_mod.parse(spec)


@contextlib.contextmanager
def live_target(target: Target, *, faults: Iterable[str] = (), subprocess: bool = False,
                probe: bool = True) -> Iterator[Target]:
    """The target with a base URL for the length of a ``with`` block.

    A given server is probed (``probe=False`` when the caller already did, up front); the embedded
    one is started with ``faults``, in a child process when ``subprocess`` (a load run's generator
    must not share its interpreter with the server it measures), and gets the default entry points.
    """
    if not target.is_embedded:
        check_faults(target, faults)
        if probe:
            ensure_reachable(target)
        yield target
        return
    from ecekit.server.embedded import running_server

    check_faults(target, faults)
    origins = (target.origin,) if target.origin else ()
    with running_server(faults=tuple(faults), cors_origins=origins, subprocess=subprocess) as srv:
        try:
            yield with_default_roles(target).replace(base_url=srv.base_url)
        finally:
            quiet_shutdown()


def quiet_shutdown() -> None:
    """Requests still held by a stall fault are cancelled at shutdown, and uvicorn logs each with a
    traceback: noise once the run has reported the stall as a transport failure."""
    logging.getLogger("uvicorn.error").setLevel(logging.CRITICAL)
