"""`ecekit fuzz`: fuzz the survey operation with hypothesis and report every failure, shrunk.

Without --base-url it starts the reference server in-process and fuzzes that (``--fault NAME``, a
hidden option, starts it with a fault mode, so the fuzzer can be seen finding it). Against any other
server it needs --allow-writes: every valid survey it sends is stored by the server.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import click

from ecekit.cli.errors import reports_errors, stops_cleanly
from ecekit.cli.options import canary_option, fault_option, target_options
from ecekit.flags import pop_target_options, target_from
from ecekit.fuzz.runner import DEFAULT_DATABASE
from ecekit.fuzz.strategies import SID_PREFIX
from ecekit.interrupts import raise_if_interrupted

EXIT_OK, EXIT_FAILED = 0, 1
PROGRESS_EVERY = 5.0  # seconds between progress lines on long runs


def _progress_printer(quiet: bool) -> Any:
    last = [time.monotonic()]

    def show(progress: Any) -> None:
        raise_if_interrupted()  # after every example: an interrupt is never lost
        now = time.monotonic()
        if quiet or now - last[0] < PROGRESS_EVERY:
            return
        last[0] = now
        click.echo(progress.line(), err=True)

    return show


@click.command(name="fuzz")
@target_options
@click.option("--max-examples", type=click.IntRange(min=1), default=500, show_default=True,
              help="Examples per search; a new search starts after each new kind of failure.")
@click.option("--max-time", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Stop sending requests after this long (failures found so far are still shrunk).")
@click.option("--rate-limit", type=click.FloatRange(min=0, min_open=True), metavar="PER_SECOND",
              help="At most this many requests per second, evenly spaced (for shared servers).")
@click.option("--seed", type=int, help="Hypothesis seed; every run prints the one it used (default: "
              "random, fixed when CI is set).")
@click.option("--strict-surveys/--no-strict-surveys", default=None,
              help="A survey only a lenient (JAXB-like) server accepts is a failure, not a finding "
              "(default: strict against the embedded server; target key strict_surveys).")
@click.option("--replay", is_flag=True,
              help="Only re-send the failures remembered from earlier runs (see --database).")
@click.option("--allow-writes", is_flag=True,
              help=f"Allow posting surveys (stored by the server, sids start {SID_PREFIX}) to --base-url.")
@click.option("--sid", help="A real chat session id: valid surveys use it and must get 204.")
@canary_option
@click.option("--database", "database", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_DATABASE, show_default=True,
              help="Hypothesis example database where failures are remembered and replayed first.")
@click.option("--no-database", is_flag=True, help="Remember nothing, replay nothing.")
@click.option("--junit-xml", type=click.Path(dir_okay=False, path_type=Path), help="Write a JUnit report.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Where fuzz.json, exchanges.har, report.html and summary.md go [reports/fuzz-<timestamp>/].")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@fault_option
@reports_errors
@stops_cleanly
def command(**kwargs: Any) -> None:
    """Fuzz the survey operation with valid and hostile bodies; every failure is shrunk to its
    minimal payload and printed with a curl line and the seed.

    Exit 0: no failure; 1: failures found; 2: usage error; 130: interrupted (Ctrl-C, SIGTERM).
    """
    from ecekit import seeds
    from ecekit.fuzz import report
    from ecekit.fuzz.run import FuzzRun, explained
    from ecekit.live import ensure_reachable
    from ecekit.report.publish import default_out
    from ecekit.transport import warning

    extra = {k: kwargs[k] for k in ("sid", "canary_url", "strict_surveys") if kwargs[k] is not None}
    target = target_from(pop_target_options(kwargs), **extra)
    database = None if kwargs["no_database"] else kwargs["database"]
    run = FuzzRun.checked(target, out=kwargs["out"] or default_out("fuzz"), faults=kwargs["faults"],
                          allow_writes=kwargs["allow_writes"], max_examples=kwargs["max_examples"],
                          max_time=kwargs["max_time"], rate_limit=kwargs["rate_limit"], seed=kwargs["seed"],
                          replay=kwargs["replay"], database=database, junit_xml=kwargs["junit_xml"])
    if not target.is_embedded:  # nothing listening, untrusted TLS, no context root: exit 2 before fuzzing
        ensure_reachable(target)
        run.probed = True
    click.echo(f"Fuzzing the survey operation of {run.where}"
               + (" (replaying remembered failures)" if run.config.replay else ""), err=True)
    lenient = "fails (strict surveys)" if target.lenient_acceptance_fails else "is a finding (--strict-surveys to fail)"
    click.echo(f"ecekit fuzz: {seeds.describe(run.config.seed or 0, run.seed_how)}; lenient acceptance {lenient}")
    if warning(target):
        click.echo(warning(target), err=True)
    outcome = run.run(on_progress=_progress_printer(kwargs["quiet"]))
    for line in explained(outcome, run.faults, target.is_embedded):
        click.echo(line)
    for note in outcome.result.notes:
        click.echo(note, err=True)
    click.echo(report.summary(outcome.result))
    if warning(target):
        click.echo(warning(target))
    click.echo(f"report: {outcome.written['html']}")
    sys.exit(EXIT_OK if outcome.result.ok else EXIT_FAILED)
