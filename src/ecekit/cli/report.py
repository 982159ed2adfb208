"""`ecekit report DIR`: render report.html and summary.md again from a run's own JSON files.

So a run kept as a CI artifact can be looked at with a newer ecekit (a better page, the same data),
and a page deleted by mistake can be had back. The kind of run is told by which JSON the folder holds.
"""

from __future__ import annotations

from pathlib import Path

import click

from ecekit.cli.errors import reports_errors


@click.command(name="report")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--open", "open_page", is_flag=True, help="Open the page in the default browser.")
@reports_errors
def command(directory: Path, open_page: bool) -> None:
    """Render DIR/report.html and DIR/summary.md again from the run's JSON (check.json, fuzz.json,
    capacity.json or a load run's summary.json)."""
    from ecekit.report import publish

    kind, written = publish.render_again(directory)
    click.echo(f"{kind} report: {written['html']}")
    click.echo(f"summary:      {written['markdown']}")
    if open_page:
        import webbrowser

        webbrowser.open(written["html"].resolve().as_uri())
