"""`ecekit fuzz`: not built yet (see issue 5)."""

from __future__ import annotations

import click

from ecekit.cli.errors import reports_errors
from ecekit.errors import UsageError


@click.command(name="fuzz")
@reports_errors
def command() -> None:
    """Not built yet (issue 5)."""
    raise UsageError("'ecekit fuzz' is not built yet", remedy="see the project's open issue 5")
