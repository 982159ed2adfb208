"""`ecekit capacity`: not built yet; no issue asks for it so far."""

from __future__ import annotations

import click

from ecekit.cli.errors import reports_errors
from ecekit.errors import UsageError


@click.command(name="capacity")
@reports_errors
def command() -> None:
    """Find the highest page-view rate a server holds within an SLO (not built yet)."""
    raise UsageError("'ecekit capacity' is not built yet", remedy=REMEDY)


REMEDY = 'run ecekit load at a few --rate values with your --slo and compare the exit codes'
