"""A run stopped by the user's own mistake (a check of theirs that raised), carried from the locust
process that found it to the process that launched the run.

It is found mid-run, inside a locust process, where only a log would show it: that process writes it
beside summary.json, and ``launch.run`` raises it in the caller's process, where it is shown like any
other ToolkitError (a headline, the remedy, exit 2) rather than as a summary of answers nobody could
judge. Imports neither locust nor gevent.
"""

from __future__ import annotations

import json
from pathlib import Path

from ecekit import redaction
from ecekit.errors import ConfigError, SchemaError, TargetError, ToolkitError, UsageError
from ecekit.report import publish

FILE = "error.json"
_KINDS: dict[str, type[ToolkitError]] = {k.__name__: k for k in (ConfigError, UsageError, SchemaError, TargetError)}


def as_data(error: ToolkitError) -> dict[str, str | None]:
    """``error`` as JSON-safe data (for the file, and for a worker's message to its master), a URL's
    password hidden as on any line."""
    return {"kind": type(error).__name__, "message": redaction.text(error.message),
            "remedy": redaction.text(error.remedy) if error.remedy else None}


def from_data(data: object) -> ToolkitError | None:
    if not isinstance(data, dict) or not isinstance(data.get("message"), str):
        return None
    kind = _KINDS.get(str(data.get("kind")), ConfigError)
    remedy = data.get("remedy")
    return kind(data["message"], remedy=remedy if isinstance(remedy, str) else None)


def write(out: Path, error: ToolkitError) -> None:
    """Leave ``error`` in the output directory ``out`` (atomically: ``launch.run`` reads it after)."""
    publish.write_json(as_data(error), out / FILE)


def read(out: Path) -> ToolkitError | None:
    """The error a run in ``out`` stopped for, or None if it was not stopped by one."""
    try:
        return from_data(json.loads((out / FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None
