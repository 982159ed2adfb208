"""`ecekit diff`: what changed between two servers, two snapshots, or two sets of XSDs."""

from __future__ import annotations

from typing import Any

import click

from ecekit import redaction
from ecekit.cli.errors import reports_errors
from ecekit.cli.options import target_options
from ecekit.errors import UsageError
from ecekit.flags import pop_target_options, target_from

EXIT_OK, EXIT_FAILED = 0, 1
EMBEDDED = "embedded"

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


def _tolerance(value: str) -> float:
    text = value.strip()
    try:
        ratio = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        ratio = -1.0
    if ratio < 0:
        raise click.BadParameter(f"{value!r} is not a percentage; write e.g. 20% or 0.2")
    return ratio


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
    from ecekit.diff import classify, report

    options = pop_target_options(kwargs)
    tolerance = classify.Tolerance(_tolerance(latency_tolerance), latency_floor)
    if xsd:
        from ecekit.diff import xsdiff

        changes = xsdiff.compare_dirs(a, b)
        labels = (f"XSDs in {a}", f"XSDs in {b}")
    else:
        from ecekit.diff import compare

        if options.get("base_url"):
            raise UsageError("--base-url does not apply to ecekit diff",
                             remedy="give the URLs as A and B: ecekit diff before.json https://ece…/system")
        first, a_label = _resolve(a, options, reads)
        second, b_label = _resolve(b, options, reads)
        changes = compare.compare(first, second, tolerance)
        labels = (a_label, b_label)
    settings: dict[str, Any] = {"fail_on_slower": fail_on_slower,
                                "latency_tolerance": f"{tolerance.ratio:.0%} and at least {tolerance.floor_ms:g} ms"}
    if as_json:
        click.echo(report.as_json(changes, *labels, **settings), nl=False)
    else:
        click.echo(report.text(changes, *labels), nl=False)
    from ecekit.report import publish

    folder = out or str(publish.default_out("diff"))
    data = report.document(changes, *labels, **settings)
    publish.write_json(data, f"{folder}/diff.json")
    written = publish.write_reports("diff", data, folder)
    click.echo(f"ecekit diff: report {written['html']}", err=True)
    severities = {c.severity for c in changes}
    failed = classify.Severity.BREAKING in severities or (
        fail_on_slower and classify.Severity.SLOWER in severities)
    click.get_current_context().exit(EXIT_FAILED if failed else EXIT_OK)


for _param in command.params:  # A and B are the servers: --base-url has no place here
    if isinstance(_param, click.Option) and _param.name == "base_url":
        _param.hidden = True


def _resolve(where: str, options: dict[str, Any], reads: int) -> tuple[dict[str, Any], str]:
    """A snapshot from a file, or taken now from a URL or the embedded server; and its label."""
    from ecekit.diff import snapshot

    if where == EMBEDDED or where.startswith(("http://", "https://")):
        base = None if where == EMBEDDED else where
        target = target_from({**options, "base_url": base})
        shown = redaction.url(where)  # a password in the URL is shown nowhere
        click.echo(f"ecekit diff: snapshotting {shown}", err=True)
        taken = snapshot.take(target, reads=reads)
        return taken, f"{shown} (snapshotted now)"
    data = snapshot.load(where)
    return data, f"{where} (taken {data.get('taken_at', '?')})"
