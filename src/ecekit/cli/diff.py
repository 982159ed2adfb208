"""`ecekit diff`: what changed between two servers, two snapshots, or two sets of XSDs."""

from __future__ import annotations

from typing import Any

import click

from ecekit.cli.errors import reports_errors
from ecekit.cli.options import target_options
from ecekit.flags import pop_target_options

EXIT_OK, EXIT_FAILED = 0, 1

EPILOG = """\b
Examples:
  ecekit snapshot --out reports/before.json
  ecekit diff reports/before.json embedded       # against the embedded reference server, now
  ecekit diff reports/before.json http://127.0.0.1:8080/system --entry-point 1001 --json
  ecekit diff --xsd xsd/ vendor-xsd/              # ecekit's schemas against the vendor's

\b
A and B are snapshot files (`ecekit snapshot --out FILE`), base URLs (snapshotted on the spot with
the target options given here), or the word 'embedded' for ecekit's reference server. Each
difference is breaking, slower or compatible (the table: docs/diff.md).
Exit codes: 0 nothing breaking (nothing slower either, with --fail-on-slower), 1 something is,
2 a usage or configuration error.
"""


@click.command(name="diff", epilog=EPILOG)
@click.argument("a", metavar="A")
@click.argument("b", metavar="B")
@click.option("--xsd", "xsd", is_flag=True,
              help="A and B are XSD directories: compare their elements, attributes, types, facets and "
              "occurrences.")
@click.option("--latency-tolerance", default="20%", show_default=True, metavar="PCT",
              help="A latency percentile counts as slower when worse by more than this (and the floor).")
@click.option("--latency-floor", type=click.FloatRange(min=0), default=5.0, show_default=True,
              metavar="MS", help="... and by more than this many milliseconds.")
@click.option("--fail-on-slower", is_flag=True, help="Exit 1 when anything is slower, too.")
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
@click.option("--out", "out", type=click.Path(file_okay=False), metavar="DIR",
              help="Where diff.json, report.html and summary.md go (`ecekit report DIR` renders them "
              "again) [reports/diff-<timestamp>/].")
@click.option("--reads", type=click.IntRange(min=1, max=100), default=10, show_default=True,
              help="Reads per answer when A or B is snapshotted on the spot.")
@target_options
@reports_errors
def command(a: str, b: str, xsd: bool, latency_tolerance: str, latency_floor: float, fail_on_slower: bool,
            as_json: bool, out: str | None, reads: int, **kwargs: Any) -> None:
    """Compare two snapshots or servers (A before, B after), or two XSD sets with --xsd.

    Breaking: an element or attribute gone, a type changed, a status or content type changed, a
    value outside the documented enumeration, a contract that passed and now fails. Slower: a
    latency percentile worse beyond the tolerance. Compatible: a new optional element, another
    namespace prefix, values changed within their type.
    """
    from ecekit.diff import classify, compare, report

    try:
        tolerance = classify.Tolerance(classify.ratio(latency_tolerance), latency_floor)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--latency-tolerance") from None
    diff = compare.diff_sides(a, b, pop_target_options(kwargs), reads=reads, tolerance=tolerance,
                              xsd=xsd, say=lambda shown: click.echo(f"ecekit diff: snapshotting {shown}", err=True))
    changes, labels = diff.changes, diff.labels
    settings: dict[str, Any] = {"fail_on_slower": fail_on_slower,
                                "latency_tolerance": f"{tolerance.ratio:.0%} and at least {tolerance.floor_ms:g} ms"}
    click.echo(report.as_json(changes, *labels, **settings) if as_json else report.text(changes, *labels), nl=False)
    written = report.publish(changes, *labels, out, **settings)
    click.echo(f"ecekit diff: report {written['html']}", err=True)
    failed = bool(diff.breaking or (fail_on_slower and diff.slower))
    click.get_current_context().exit(EXIT_FAILED if failed else EXIT_OK)


for _param in command.params:  # A and B are the servers: --base-url has no place here
    if isinstance(_param, click.Option) and _param.name == "base_url":
        _param.hidden = True
