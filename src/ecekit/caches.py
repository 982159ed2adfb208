"""Where hypothesis keeps its caches for ecekit's runs: the user's cache directory, shared by every run.

hypothesis writes its Unicode tables (the character categories, about 0.5 CPU-s to build) under its
"home", ``./.hypothesis`` of whatever directory a run starts from unless told otherwise. A run must
leave nothing in the user's directory, and a fresh temporary home per run rebuilt the tables in every
``ecekit check`` and ``ecekit fuzz`` process. The user's cache directory is what pip, mypy and ruff use
for the same purpose: built once, shared by every run, safe to delete. hypothesis writes its files
atomically, so parallel runs share it safely; the example database is never here (ecekit names its
own, or none).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def cache_dir() -> Path:
    """``$ECEKIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/ecekit``, else ``~/.cache/ecekit``."""
    explicit = os.environ.get("ECEKIT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "ecekit"
    try:
        return Path.home() / ".cache" / "ecekit"
    except RuntimeError:  # no home directory to be found: hypothesis's writes there are best effort anyway
        return Path(tempfile.gettempdir()) / f"ecekit-cache-{os.getuid()}"


def hypothesis_home() -> Path:
    return cache_dir() / "hypothesis"


@contextlib.contextmanager
def hypothesis_in_cache() -> Iterator[None]:
    """hypothesis's home in ecekit's cache directory for a ``with`` block, then as it was."""
    from hypothesis import configuration

    previous = getattr(configuration, "__hypothesis_home_directory", None)
    configuration.set_hypothesis_home_dir(hypothesis_home())
    try:
        yield
    finally:
        configuration.set_hypothesis_home_dir(previous)
