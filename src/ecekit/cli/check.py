"""`ecekit check`: not built yet (see issue 4)."""

from __future__ import annotations

import click

from ecekit.cli.errors import reports_errors
from ecekit.errors import UsageError


@click.command(name="check")
@reports_errors
def command() -> None:
    """Not built yet (issue 4)."""
    raise UsageError("'ecekit check' is not built yet", remedy="see the project's open issue 4")
