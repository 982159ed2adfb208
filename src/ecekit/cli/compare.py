"""`ecekit compare`: is AFTER slower than BEFORE, beyond the noise? (docs/compare.md)"""

from __future__ import annotations

import json

import click

from ecekit.cli.errors import reports_errors

EPILOG = """\b
Examples:
  ecekit load --profile one-call --rate 200 --duration 10 --repeat 5 --out reports/before
  ecekit load --profile one-call --rate 200 --duration 10 --repeat 5 --out reports/after
  ecekit compare reports/before reports/after
  ecekit load --profile one-call --rate 200 --duration 10 --repeat 5 --ab URL_A URL_B --out reports/ab
  ecekit compare reports/ab/a reports/ab/b --json
  ecekit compare reports/capacity-before reports/capacity-after

\b
BEFORE and AFTER: a load run's directory, a directory of runs (`ecekit load --repeat K`), or a
capacity run's directory. Each percentile's change gets a 95 % interval that counts the sampling
within each run and the spread between runs; a verdict: slower, faster, same (the interval lies
within the margin) or inconclusive (and how many runs, or how much longer, would decide).
Exit codes: 0 not slower, 1 slower beyond the margin (or the capacity limit moved down), 2 the runs
cannot be compared (other profile, other rate, a generator that faltered) or a usage error.
"""


def _percent(value: str, name: str) -> float:
    text = value.strip().rstrip("%")
    try:
        number = float(text)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a percentage (e.g. 10%)", param_hint=name) from None
    if not 0 <= number < 100:
        raise click.BadParameter(f"{value!r} must be between 0% and 100%", param_hint=name)
    return number / 100


@click.command(name="compare", epilog=EPILOG)
@click.argument("before", type=click.Path(), metavar="BEFORE")
@click.argument("after", type=click.Path(), metavar="AFTER")
@click.option("--margin", default="10%", show_default=True, metavar="PCT",
              help="Equivalence margin of a latency percentile, relative to BEFORE's value.")
@click.option("--margin-ms", type=click.FloatRange(min=0), default=0.1, show_default=True, metavar="MS",
              help="... and never below this many milliseconds.")
@click.option("--error-margin", default="0.1%", show_default=True, metavar="PP",
              help="Equivalence margin of an error rate, in percentage points.")
@click.option("--json", "as_json", is_flag=True, help="Print compare.json instead of the text.")
@click.option("--out", type=click.Path(file_okay=False), metavar="DIR",
              help="Where compare.json, report.html and summary.md go [reports/compare-<timestamp>/].")
@reports_errors
def command(before: str, after: str, margin: str, margin_ms: float, error_margin: str, as_json: bool,
            out: str | None) -> None:
    """Compare two load runs (or sets of runs, or capacity runs) with confidence intervals."""
    from ecekit.compare import run, text

    result = run.compare_runs(before, after, out=out, margin=_percent(margin, "--margin"), margin_ms=margin_ms,
                              error_margin=_percent(error_margin, "--error-margin"))
    click.echo(json.dumps(result.data, indent=2) if as_json else text.render(result.data))
    click.echo(f"ecekit compare: report {result.reports.get('html')}", err=True)
    click.get_current_context().exit(result.exit_code)


