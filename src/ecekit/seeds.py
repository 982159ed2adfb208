"""The seed of a run: the one given, a fixed one under CI, or a fresh one; always printed.

A contract run and ``ecekit fuzz`` draw their surveys from hypothesis and their sids from a seeded
generator, so one number replays a run request for request (``--seed N``). On a CI server (the ``CI``
environment variable, set by GitLab, GitHub Actions, Jenkins' common setups and most others) the
default is fixed rather than random, so the same server gets the same verdict on every build; a
person's terminal gets a new seed each run, to explore.
"""

from __future__ import annotations

import os
import secrets

CI_SEED = 0
"""The seed under CI when none is given."""


def on_ci() -> bool:
    """Whether ``CI`` is set to something other than an explicit no."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def choose(given: int | None) -> tuple[int, str]:
    """(seed, how it was chosen) for a run, for the header line."""
    if given is not None:
        return given, "given"
    if on_ci():
        return CI_SEED, "fixed because CI is set"
    return secrets.randbelow(1 << 32), "random"


def describe(seed: int, how: str, flag: str = "--seed") -> str:
    """The header line: the seed and how to replay it."""
    return f"seed {seed} ({how}; {flag} {seed} replays this run)"
