"""`ecekit capacity`: options and printing over :class:`ecekit.capacity.run.CapacitySearch` (docs/capacity.md).

Exit codes: 0 a sustainable rate was found (whatever limited it), 1 the server breached the SLO even at
--start, 2 a usage error or nothing learned at --start (a starved generator, unsettled answers).
"""

from __future__ import annotations

import sys
from typing import Any

import click

from ecekit import redaction
from ecekit.cli.errors import reports_errors
from ecekit.cli.load import Progress, load_options
from ecekit.cli.options import target_options
from ecekit.flags import pop_target_options, target_from

EXIT_INTERRUPTED = 130


@click.command(name="capacity")
@target_options
@load_options
@click.option("--start", type=float, default=10.0, show_default=True, help="First offered rate, page views/s.")
@click.option("--step", "step", type=float, help="Add this many page views/s per step.")
@click.option("--factor", type=float, help="Multiply the rate by this per step [default: 2 unless --step].")
@click.option("--max", "maximum", type=float, default=1000.0, show_default=True,
              help="Highest rate offered, page views/s.")
@click.option("--step-duration", type=float, default=20.0, show_default=True, help="Measured seconds per step.")
@click.option("--warmup", type=float, default=0.0, show_default=True,
              help="Seconds at the step's rate before each step's measured window (sent, not recorded).")
@click.option("--refine", type=click.IntRange(0, 10), default=3, show_default=True,
              help="Bisection steps between the last good and the first breaching rate.")
@click.option("--repeat", type=click.IntRange(0, 5), default=2, show_default=True,
              help="Repeats of a rate whose answers do not settle the SLO (too few, or an unconfirmed breach); "
                   "each twice as long as the try before, the tries pooled.")
@click.option("--out", type=click.Path(file_okay=False), help="Output directory [reports/capacity-<timestamp>/].")
@click.option("--target-rate", type=float,
              help="The page views/s you mean to reach: the report says how many load workers it needs [--max].")
@click.option("--distributed", is_flag=True,
              help="Run every step on one locust master and the workers you start on load machines "
                   "(locust -f loadtests/locustfile.py --worker --master-host HOST); see docs/capacity.md.")
@click.option("--expect-workers", type=int, help="With --distributed: the workers to wait for before the first step.")
@click.option("--master-bind-host", default="127.0.0.1", show_default=True,
              help="With --distributed: the address the master listens on (0.0.0.0: every interface).")
@click.option("--master-bind-port", type=int, default=5557, show_default=True,
              help="With --distributed: the port the master listens on.")
@click.option("--expect-workers-max-wait", type=float, default=60.0, show_default=True,
              help="With --distributed: seconds to wait for the expected workers.")
@reports_errors
def command(**kwargs: Any) -> None:
    """Find the highest page-view rate a server holds within the SLO, and whether the server or the
    load generator set that limit.

    Every step is an open-model load run at a steady rate, its latencies measured from scheduled send
    times. Writes capacity.json (steps, knee, Universal Scalability Law fit) and each step's
    summary.json to --out.
    """
    from ecekit.capacity import report
    from ecekit.capacity.run import CapacitySearch
    from ecekit.errors import UsageError
    from ecekit.load.stepped import Distributed
    from ecekit.report import publish

    distributed = None
    if kwargs["distributed"]:
        distributed = Distributed.checked(kwargs["expect_workers"], kwargs["master_bind_host"],
                                          kwargs["master_bind_port"], kwargs["expect_workers_max_wait"])
    elif kwargs["expect_workers"] is not None:
        raise UsageError("--expect-workers needs --distributed",
                         remedy="pass --distributed --expect-workers N, or --workers N for local processes")

    capacity = CapacitySearch.checked(
        target_from(pop_target_options(kwargs)), start=kwargs["start"], maximum=kwargs["maximum"],
        step=kwargs["step"], factor=kwargs["factor"], step_duration=kwargs["step_duration"],
        warmup=kwargs["warmup"], refine=kwargs["refine"], repeat=kwargs["repeat"], slos=kwargs["slos"],
        profile=kwargs["profile"], workers=kwargs["workers"], allow_writes=kwargs["allow_writes"],
        allow_remote=kwargs["allow_remote"], sid=kwargs["sid"], seed=kwargs["seed"], distributed=distributed,
        target_rate=kwargs["target_rate"])
    quiet = kwargs["quiet"]
    out = kwargs["out"] or publish.default_out("capacity")

    def say(text: str) -> None:
        if not quiet:
            click.echo(text, err=True)

    live = Progress(quiet or not sys.stderr.isatty())

    def on_start(plan: Any) -> None:
        for line in capacity.setup.notices():
            click.echo(line, err=True)
        say(f"ecekit capacity: {capacity.setup.profile.name} profile against {redaction.url(plan.base_url)}, "
            f"ladder {', '.join(f'{r:g}' for r in capacity.ladder.rates())} page views/s, then up to "
            f"{capacity.refine} bisection steps; {capacity.step_duration:g} s each "
            + (f"(locust master at {distributed.bind_host}:{distributed.bind_port}, "
               f"{distributed.expect_workers} worker(s) connected)" if distributed
               else f"({capacity.setup.workers} worker(s))"))

    def on_step(step: Any) -> None:
        live.done()
        say("  " + report.step_line(step))

    try:
        result = capacity.run(out, on_progress=live, on_start=on_start, on_step_start=say, on_step=on_step)
    except KeyboardInterrupt:
        click.echo(f"interrupted; the steps so far are in {out}/capacity.json", err=True)
        sys.exit(EXIT_INTERRUPTED)
    click.echo(report.render(result.data))
    click.echo(f"capacity: {result.out / 'capacity.json'}")
    click.echo(f"report:   {result.reports['html']}")
    failure = result.failure(kwargs["start"])
    if failure is not None:
        raise failure
    sys.exit(result.exit_code)
