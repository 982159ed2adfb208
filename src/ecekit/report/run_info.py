"""What a report says about the run itself: the target with its secrets hidden, the version, the XSDs.

Every report and every JSON a run writes carries this, so a page opened months later still says what
was tested, with which schemas (their hashes tell the vendor's files from ecekit's reconstruction) and
which ecekit, without ever showing a header value.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from ecekit import redaction, resources
from ecekit.__about__ import __version__
from ecekit.run_summaries import RunHeader, TargetInfo, XsdHashes
from ecekit.target import Target


def target_info(target: Target, *, faults: tuple[str, ...] = ()) -> TargetInfo:
    """The target as reports show it: header names only (values redacted), no credentials."""
    info: TargetInfo = {
        "base_url": without_credentials(target.base_url), "embedded": target.is_embedded or bool(faults),
        "entry_points": list(target.entry_points),
        "inactive_entry_points": list(target.inactive_entry_points),
        "invalid_entry_points": list(target.invalid_entry_points),
        "headers": target.redacted_headers(), "paths": dict(target.paths),
        "max_response_time": target.max_response_time, "read_timeout": target.read_timeout,
    }
    if faults:
        info["faults"] = list(faults)
    if target.insecure:
        info["insecure"] = True
    return info


def without_credentials(url: str | None) -> str | None:
    """``https://user:secret@host/system`` -> ``https://user:<redacted>@host/system`` (ecekit.redaction)."""
    return redaction.optional_url(url)


def xsd_hashes(xsd_dir: str | Path | None) -> XsdHashes:
    """sha256 of each schema file the run validated against."""
    directory = Path(xsd_dir).expanduser() if xsd_dir else resources.xsd_dir()
    hashes = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
              for p in sorted(directory.glob("*.xsd")) if p.is_file()}
    return {"dir": str(directory) if xsd_dir else "ecekit's bundled xsd/", "hashes": hashes}


def header(target: Target, *, faults: tuple[str, ...] = (), seed: int | None = None) -> RunHeader:
    """The provenance block at the top of check.json, fuzz.json and capacity.json."""
    data: RunHeader = {"ecekit_version": __version__, "target": target_info(target, faults=faults),
                            "xsd": xsd_hashes(target.xsd_dir),
                            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
    if seed is not None:
        data["seed"] = seed
    return data
