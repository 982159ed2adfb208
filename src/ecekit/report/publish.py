"""Writing a run's human-facing files: report.html, summary.md, and the CI job summary.

Called by every command at the end of a run (and by ``ecekit report DIR``), after its JSON is on
disk, so a report can always be rendered again from the JSON alone.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ecekit.report import html, markdown

DATA_FILES = {"check": "check.json", "fuzz": "fuzz.json", "capacity": "capacity.json", "load": "summary.json",
              "diff": "diff.json", "compare": "compare.json"}
"""Which JSON file holds each kind of run; ``ecekit report`` looks for them in this order."""


def default_out(command: str) -> Path:
    """``reports/<command>-<timestamp>/``, relative to where ecekit runs (as ``ecekit load`` always did)."""
    import time

    return Path("reports") / time.strftime(f"{command}-%Y%m%d-%H%M%S")


def write_json(data: Any, path: str | Path) -> Path:
    """Atomically: a reader (or a re-render) never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def write_reports(kind: str, data: Mapping[str, Any], directory: str | Path, *,
                  step_summary: bool = True) -> dict[str, Path]:
    """report.html and summary.md in ``directory``; the summary also goes to $GITHUB_STEP_SUMMARY."""
    directory = Path(directory)
    page = html.write(kind, data, directory)
    md = markdown.render(kind, data, report=str(page))
    summary = directory / "summary.md"
    summary.write_text(md, encoding="utf-8")
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary and target:
        try:
            with open(target, "a", encoding="utf-8") as fh:
                fh.write(md + "\n")
        except OSError:
            pass  # a CI convenience; the file in DIR is the record
    return {"html": page, "markdown": summary}


def detect(directory: str | Path) -> tuple[str, Path]:
    """(kind, json path) of the run whose output is in ``directory``; FileNotFoundError if none."""
    directory = Path(directory)
    for kind, name in DATA_FILES.items():
        if (directory / name).is_file():
            return kind, directory / name
    raise FileNotFoundError(directory)


def render_again(directory: str | Path) -> tuple[str, dict[str, Path]]:
    """``ecekit report DIR``: the kind of run DIR holds and its pages rendered again from its JSON; a
    folder without a run, or a damaged file, is a UsageError."""
    import json

    from ecekit.errors import UsageError

    try:
        kind, path = detect(directory)
    except FileNotFoundError:
        raise UsageError(f"{directory} holds no ecekit run ({', '.join(DATA_FILES.values())} not found)",
                         remedy="pass the --out directory of a check, fuzz, load, capacity, diff or compare run, "
                         "e.g. ecekit report reports/check-20260101-120000") from None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"{path} cannot be read as JSON: {exc}",
                         remedy="the file is damaged; run the command again to get a new one") from None
    return kind, write_reports(kind, data, Path(directory), step_summary=False)
