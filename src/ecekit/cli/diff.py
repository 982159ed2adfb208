"""`ecekit diff`: not built yet; no issue asks for it so far."""

from __future__ import annotations

import click

from ecekit.cli.errors import reports_errors
from ecekit.errors import UsageError


@click.command(name="diff")
@reports_errors
def command() -> None:
    """Compare the answers of two servers or versions (not built yet)."""
    raise UsageError("'ecekit diff' is not built yet", remedy=REMEDY)


REMEDY = 'run ecekit check --junit-xml on each server and compare the reports'
