"""`ecekit load`: not built yet (see issue 6)."""

from __future__ import annotations

import click

from ecekit.cli.errors import reports_errors
from ecekit.errors import UsageError


@click.command(name="load")
@reports_errors
def command() -> None:
    """Not built yet (issue 6)."""
    raise UsageError("'ecekit load' is not built yet", remedy="see the project's open issue 6")
