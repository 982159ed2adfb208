"""`ecekit load`: options and printing over :func:`ecekit.load.run.run_load` (docs/load.md).

Exit codes: 0 every SLO held, 1 one was breached, 2 a usage error or a server that cannot be reached,
130 interrupted (Ctrl-C, SIGTERM: locust and the embedded server are stopped). With ``--repeat`` or
``--ab`` (:func:`ecekit.load.repeat.run_repeated`): 1 if any run breached an SLO.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ecekit import redaction
from ecekit.cli.errors import reports_errors, stops_cleanly
from ecekit.cli.options import target_options
from ecekit.flags import pop_target_options, target_from
from ecekit.interrupts import raise_if_interrupted

if TYPE_CHECKING:
    from ecekit.run_summaries import ProgressCounts


class Progress:
    """The live line: on a terminal rewritten in place, elsewhere printed every few seconds."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, p: ProgressCounts) -> None:
        raise_if_interrupted()
        if self.quiet or (not self.tty and time.monotonic() - self.last < 5):
            return
        self.last = time.monotonic()
        from ecekit.load.summary import progress_line

        line = progress_line(p)
        click.echo(("\r" + line + "\033[K") if self.tty else line, err=True, nl=not self.tty)

    def done(self) -> None:
        if self.tty and not self.quiet:
            click.echo("", err=True)


def load_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The options of a locust run that `ecekit load` and `ecekit capacity` share (besides the target's)."""
    options = [
        click.option("--profile", default="default", show_default=True,
                     help="A bundled profile (default, one-call, spike, ramp, step, soak) or a .toml path."),
        click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
                     help="1: one process. N>1: a locust master and N local worker processes."),
        click.option("--slo", "slos", multiple=True, metavar="NAME=VALUE",
                     help="e.g. p95=50ms, chatAllowed.p99=1.5s, errors=1% (repeatable; adds to the profile's)."),
        click.option("--allow-writes", is_flag=True, help="Let the profile's share of visitors post surveys."),
        click.option("--allow-remote", is_flag=True, help="Allow a --base-url that is not on this machine."),
        click.option("--sid", help="A real chat session id for the surveys."),
        click.option("--seed", type=int, help="Random seed for arrivals and the mix."),
        click.option("-q", "--quiet", is_flag=True, help="No live progress line."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@click.command(name="load")
@target_options
@load_options
@click.option("--rate", type=float, help="Offered page views per second (default: the profile's).")
@click.option("--duration", type=float, help="Seconds of arrivals (default: the profile's).")
@click.option("--out", type=click.Path(file_okay=False), help="Output directory [reports/load-<timestamp>/].")
@click.option("--junit-xml", type=click.Path(dir_okay=False), help="JUnit report: one test case per SLO.")
@click.option("--repeat", type=click.IntRange(min=1), default=1, show_default=True,
              help="Make the same run K times into OUT/run-01 … with OUT/runs.json, for `ecekit compare`.")
@click.option("--pause", type=click.FloatRange(min=0), default=5.0, show_default=True,
              help="Seconds between the runs of --repeat / --ab.")
@click.option("--ab", nargs=2, metavar="URL_A URL_B",
              help="Load two servers alternately, A, B, A, B … (--repeat of each) into OUT/a and OUT/b.")
@reports_errors
@stops_cleanly
def command(**kwargs: Any) -> None:
    """Replay page-load traffic (open model, Poisson arrivals) and judge it against SLOs.

    Latencies are measured from each request's scheduled send time to its last byte, so a stalled
    server cannot hide its stall. Writes summary.json (and --junit-xml) to --out.
    """
    from ecekit.errors import UsageError
    from ecekit.load import summary
    from ecekit.load.run import LoadSetup
    from ecekit.load.schedule import describe
    from ecekit.report.publish import default_out

    if kwargs["ab"] and kwargs["base_url"]:
        raise UsageError("--ab URL_A URL_B names both servers: drop --base-url")
    if kwargs["ab"] or kwargs["repeat"] > 1:
        if kwargs["junit_xml"]:
            raise UsageError("--junit-xml is for one run", remedy="drop it: each run's SLO verdicts are in its "
                             "summary.json, and the exit code is 1 if any run breached one")
        repeated(kwargs)
        return
    setup = LoadSetup.checked(target_from(pop_target_options(kwargs)), profile_name=kwargs["profile"],
                              rate=kwargs["rate"], duration=kwargs["duration"], slos=kwargs["slos"],
                              workers=kwargs["workers"], allow_writes=kwargs["allow_writes"],
                              allow_remote=kwargs["allow_remote"], sid=kwargs["sid"], seed=kwargs["seed"],
                              junit_xml=kwargs["junit_xml"])
    out = (Path(kwargs["out"]) if kwargs["out"] else default_out("load")).resolve()
    progress = Progress(kwargs["quiet"])

    def headline(plan: Any) -> None:
        for line in setup.notices():
            click.echo(line, err=True)
        if not kwargs["quiet"]:
            click.echo(f"ecekit load: {setup.profile.name} profile, {describe(setup.arrivals)} against "
                       f"{redaction.url(plan.base_url)} ({setup.workers} worker(s))", err=True)

    result = setup.run(out, on_progress=progress, on_start=headline)
    progress.done()
    click.echo(summary.render(result.summary))
    click.echo(f"summary: {out / 'summary.json'}")
    if result.junit_xml:
        click.echo(f"junit:   {result.junit_xml}")
    sys.exit(result.exit_code)


def repeated(kwargs: dict[str, Any]) -> None:
    """``--repeat K`` / ``--ab``: the runs, a line for each, and where they are."""
    from ecekit.cli.errors import EXIT_INTERRUPTED
    from ecekit.load.repeat import RepeatedLoad, RunDone
    from ecekit.load.schedule import describe
    from ecekit.report.publish import default_out

    load = RepeatedLoad.checked(target_from(pop_target_options(kwargs)), repeat=kwargs["repeat"],
                                pause=kwargs["pause"], ab=kwargs["ab"], profile=kwargs["profile"],
                                rate=kwargs["rate"], duration=kwargs["duration"], slos=kwargs["slos"],
                                workers=kwargs["workers"], allow_writes=kwargs["allow_writes"],
                                allow_remote=kwargs["allow_remote"], sid=kwargs["sid"], seed=kwargs["seed"])
    out = (Path(kwargs["out"]) if kwargs["out"] else default_out("load")).resolve()
    progress = Progress(kwargs["quiet"])

    def headline(plans: dict[str | None, Any]) -> None:
        setup = load.first
        for line in setup.notices():
            click.echo(line, err=True)
        if kwargs["quiet"]:
            return
        servers = " and ".join((f"{side.upper()} " if side else "") + redaction.url(p.base_url)
                               for side, p in plans.items())
        click.echo(f"ecekit load: {setup.profile.name} profile, {describe(setup.arrivals)} against {servers}, "
                   f"{len(load.order())} runs {load.pause:g} s apart ({setup.workers} worker(s))", err=True)

    def on_run(done: RunDone) -> None:
        progress.done()
        click.echo(done.line())

    try:
        result = load.run(out, on_progress=progress, on_start=headline, on_run=on_run)
    except KeyboardInterrupt:
        progress.done()
        click.echo(f"interrupted; the runs so far are in {out / 'runs.json'}", err=True)
        sys.exit(EXIT_INTERRUPTED)
    click.echo(f"runs:    {result.runs_json} ({len(result.runs)} run directories beside it)")
    click.echo(f"compare with: {result.compare_command()}" + ("" if kwargs["ab"] else
               "  (OTHER_OUT: the --out of another --repeat run, e.g. after a change)"))
    sys.exit(result.exit_code)
