"""`ecekit snapshot`: record what a server answers, so that a later `ecekit diff` can say what changed."""

from __future__ import annotations

from typing import Any

import click

from ecekit.cli.errors import reports_errors
from ecekit.cli.options import fault_option, target_options
from ecekit.flags import pop_target_options, target_from

EPILOG = """\b
Examples:
  ecekit snapshot --out reports/before.json      # the embedded reference server
  ecekit snapshot --base-url https://ece.example.com/system --entry-point 1001 \\
      --inactive-entry-point 1005 --invalid-entry-point 999999 --out reports/before-upgrade.json
  ecekit diff reports/before-upgrade.json https://ece.example.com/system --entry-point 1001

\b
The file is JSON with sorted keys (format: docs/diff.md). Two snapshots of an unchanged server differ
only in taken_at and latency_ms. Exit codes: 0 written, 2 a usage or configuration error.
"""


@click.command(name="snapshot", epilog=EPILOG)
@target_options
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), metavar="FILE",
              help="Where to write the snapshot ('-' for standard output).")
@click.option("--reads", type=click.IntRange(min=1, max=100), default=10, show_default=True,
              help="Back-to-back reads of every answer: latency percentiles and consistency verdicts.")
@click.option("--max-response-time", type=float, metavar="SECONDS",
              help="Slower answers fail the response_time check (default 2).")
@click.option("--agents-not-required", is_flag=True,
              help="The entry points do not require agents: leave out the consistency rules that assume so.")
@fault_option
@reports_errors
def command(out: str, reads: int, max_response_time: float | None, agents_not_required: bool,
            faults: tuple[str, ...], **kwargs: Any) -> None:
    """Record every status answer of a server (or the embedded reference server): the normalised
    response, the contract verdicts and latency percentiles, for `ecekit diff`.

    For each status operation and configured entry point: status, content type, root, elements and
    attributes by namespace URI (never prefix) with typed values, every registered check's verdict,
    p50/p90/max latency over --reads reads; plus the target (header values redacted), ecekit's
    version, the time and the hashes of the XSDs. The survey is not recorded (it writes).
    """
    from ecekit.diff import snapshot

    extra: dict[str, Any] = {"max_response_time": max_response_time}
    if agents_not_required:
        extra["agents_required"] = False
    target = target_from(pop_target_options(kwargs), **extra)
    taken = snapshot.take(target, reads=reads, faults=faults,
                          progress=lambda line: click.echo(f"ecekit snapshot: {line}", err=True))
    if out == "-":
        click.echo(snapshot.dumps(taken), nl=False)
        return
    snapshot.write(taken, out)
    click.echo(f"ecekit snapshot: {snapshot.Snapshot(taken).describe()} written to {out}")
