"""Can this target be tested at all? The probe every command makes before its first real request.

A server that does not listen, or a base URL without the context root (every operation answers 404),
is a mistake of the setup, not of the server: a ToolkitError (exit 2) that says what to fix, never a
run of contract failures or a breached error SLO.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ecekit import operations, transport
from ecekit.client import Client
from ecekit.errors import TargetError
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
