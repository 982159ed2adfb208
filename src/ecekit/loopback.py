"""Is an address this machine's? The one test for load targets, the canary, TLS and the admin API.

Only loopback addresses (IPv4, IPv6, with or without a zone id) and ``localhost`` count: any other host
name may resolve to any interface, so it counts as beyond loopback.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


def is_loopback(host: str | None) -> bool:
    bare = (host or "").strip().strip("[]").split("%", 1)[0]
    if bare.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(bare).is_loopback
    except ValueError:
        return False


def is_loopback_url(url: str | None) -> bool:
    """True when the URL's host is a loopback address (``None`` or no host: False)."""
    return is_loopback(urlsplit(url or "").hostname)
