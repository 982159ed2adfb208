"""`ecekit serve`: not built yet (see issue 3)."""

from __future__ import annotations

import click

from ecekit.cli.errors import reports_errors
from ecekit.errors import UsageError


@click.command(name="serve")
@reports_errors
def command() -> None:
    """Not built yet (issue 3)."""
    raise UsageError("'ecekit serve' is not built yet", remedy="see the project's open issue 3")
