"""`ecekit load`: replay page-load traffic at an offered rate and judge it against SLOs.

Runs locust (``loadtests/locustfile.py``) in child processes, one or a master and ``--workers`` N,
against ``--base-url`` or, without it, against the reference server started in its own process.
Exit codes: 0 every SLO held, 1 one was breached, 2 usage error (bad SLO, profile or target, a
non-loopback URL without --allow-remote, a server that cannot be reached, a run that could not
start), 130 interrupted (Ctrl-C, SIGTERM: locust and the embedded server are stopped). Every path the
user gives is resolved against the directory ecekit runs from (locust runs inside the output
directory). See docs/load.md.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ecekit import redaction, transport
from ecekit.cli.errors import raise_if_interrupted, reports_errors, stops_cleanly
from ecekit.cli.options import target_options
from ecekit.cli.paths import writable_dir, writable_file
from ecekit.flags import pop_target_options, target_from


class Progress:
    """The live line: on a terminal rewritten in place, elsewhere printed every few seconds."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def __call__(self, p: dict[str, Any]) -> None:
        raise_if_interrupted()
        if self.quiet or (not self.tty and time.monotonic() - self.last < 5):
            return
        self.last = time.monotonic()
        duration = float(p["duration_s"])
        elapsed = float(p["elapsed_s"])
        # after the last arrival the run waits for answers in flight: say so, never "[11/10 s]"
        clock = (f"[{min(elapsed, duration):>5.0f}/{duration:g} s]" if duration <= 0 or elapsed <= duration
                 else f"[{duration:>5.0f}/{duration:g} s, draining]")
        line = (f"{clock} page views {p['page_views']}, requests "
                f"{p['requests']}, failures {p['failures']}, violations {p['violations']}, sent late "
                f"{p['late']}")
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


def setup_from(kwargs: dict[str, Any], **arrivals: float | None) -> Any:
    """The checked ``LoadSetup`` of `ecekit load` or `ecekit capacity` from their options; exit 2 on
    anything wrong, before any process starts."""
    from ecekit.load.run import LoadSetup

    setup = LoadSetup.checked(target_from(pop_target_options(kwargs)), profile_name=kwargs["profile"],
                              slos=kwargs["slos"], workers=kwargs["workers"], allow_writes=kwargs["allow_writes"],
                              allow_remote=kwargs["allow_remote"], sid=kwargs["sid"], seed=kwargs["seed"],
                              junit_xml=kwargs.get("junit_xml"), **arrivals)  # type: ignore[arg-type]
    return setup


def started_lines(setup: Any) -> list[str]:
    """Said once the server is reached (a setup error before that is one line, exit 2)."""
    warning = transport.warning(setup.target) if setup.target.base_url else None
    lines = [warning] if warning else []
    if setup.skips_surveys:
        lines.append("note: surveys are skipped (pass --allow-writes to send them)")
    return lines


@click.command(name="load")
@target_options
@load_options
@click.option("--rate", type=float, help="Offered page views per second (default: the profile's).")
@click.option("--duration", type=float, help="Seconds of arrivals (default: the profile's).")
@click.option("--out", type=click.Path(file_okay=False), help="Output directory [reports/load-<timestamp>/].")
@click.option("--junit-xml", type=click.Path(dir_okay=False), help="JUnit report: one test case per SLO.")
@reports_errors
@stops_cleanly
def command(**kwargs: Any) -> None:
    """Replay page-load traffic (open model, Poisson arrivals) and judge it against SLOs.

    Latencies are measured from each request's scheduled send time to its last byte, so a stalled
    server cannot hide its stall. Writes summary.json (and --junit-xml) to --out.
    """
    from ecekit.load import summary
    from ecekit.load.schedule import describe
    from ecekit.report.publish import default_out

    setup = setup_from(kwargs, rate=kwargs["rate"], duration=kwargs["duration"])
    out = (Path(kwargs["out"]) if kwargs["out"] else default_out("load")).resolve()
    writable_dir(out, "--out")
    writable_file(setup.junit_xml, "--junit-xml")
    progress = Progress(kwargs["quiet"])

    def headline(plan: Any) -> None:
        for line in started_lines(setup):
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
