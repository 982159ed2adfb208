"""Where, when and with which seed a load run ran: what tells two runs apart when they are compared.

A run given no seed draws one (``draw_seed``) rather than running unseeded, so summary.json can name
it and ``--seed N`` replays any run. ``machine`` says what the numbers were measured on; nothing in
it is secret (no host name, user or path).
"""

from __future__ import annotations

import os
import platform
import secrets
from datetime import UTC, datetime

from ecekit.__about__ import __version__
from ecekit.run_summaries import Machine


def draw_seed() -> int:
    """A fresh seed for a run given none (the range ``ecekit check`` and ``fuzz`` draw from)."""
    return secrets.randbelow(1 << 32)


def machine() -> Machine:
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "ecekit": __version__,
            "platform": platform.platform()}


def utc_iso(epoch_s: float) -> str:
    """A moment as UTC ISO 8601 to the second, e.g. ``2025-01-31T09:15:02+00:00``."""
    return datetime.fromtimestamp(epoch_s, UTC).isoformat(timespec="seconds")
