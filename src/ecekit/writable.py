"""Output paths, checked before a run starts: a report that cannot be written is a usage error (exit 2,
the path and the reason), found in a second, not a traceback after a ten-minute run."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ecekit.errors import UsageError


def _refuse(path: Path, option: str, reason: str) -> UsageError:
    return UsageError(f"{option} {path}: cannot write there: {reason}",
                      remedy=f"give {option} a path in a directory you can write to")


def writable_dir(path: str | os.PathLike[str] | None, option: str) -> Path | None:
    """Create ``path`` (and its parents) if needed and prove a file can be written in it."""
    if path is None:
        return None
    directory = Path(path)
    if directory.exists() and not directory.is_dir():
        raise _refuse(directory, option, "it is a file, not a directory")
    for parent in directory.parents:
        if parent.exists() and not parent.is_dir():
            raise _refuse(directory, option, f"{parent} is a file, not a directory")
        if parent.exists():
            break
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise _refuse(directory, option, exc.strerror or str(exc)) from None
    return directory


def writable_file(path: str | os.PathLike[str] | None, option: str) -> Path | None:
    """Prove that the report file ``path`` can be written (its directory is created if needed)."""
    if path is None:
        return None
    file = Path(path)
    if file.is_dir():
        raise _refuse(file, option, "it is a directory; give a file name, e.g. reports/run.xml")
    if file.exists() and not os.access(file, os.W_OK):
        raise _refuse(file, option, "the file is read-only")
    try:
        writable_dir(file.parent, option)
    except UsageError as exc:
        raise _refuse(file, option, exc.message.split("cannot write there: ", 1)[-1]) from None
    return file
