"""`ecekit capacity`: the highest page-view rate a server holds within an SLO, and what set the limit.

Steps the offered rate up (``--start``, ``--step`` or ``--factor``, ``--max``), each step an ordinary
``ecekit load`` run (same profiles, SLOs, ``--workers`` and target options) in ``steps/NN-RATE/``
under ``--out``, repeats a step whose answers do not settle the SLO (``--repeat``), stops after the
first rate that breaches it beyond doubt, bisects between the last good and the first bad rate, and
writes capacity.json. Exit codes: 0 a sustainable rate was found (whatever limited it: server,
generator, --max or inconclusive evidence), 1 the server breached the SLO even at --start, 2 usage
error, or nothing was learned at --start (the generator could not keep up, or the answers did not
settle the SLO). See docs/capacity.md.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ecekit import redaction
from ecekit.cli.errors import reports_errors
from ecekit.cli.load import (
    HARD_CAP_MARGIN_S,
    Progress,
    _server,
    checked_target,
    headers_env,
    load_options,
    locust_options,
)
from ecekit.cli.options import target_options
from ecekit.errors import ConfigError, TargetError
from ecekit.flags import pop_target_options

STEADY_SHAPES = ("steady", "soak")
EXIT_INTERRUPTED = 130
DEFAULT_ERRORS_SLO = "errors=1%"


def nothing_answered(summary: dict[str, Any], base_url: str) -> None:
    """A first step in which every request failed to connect is a setup problem, not a capacity."""
    total = summary["total"]
    kinds = set(total.get("failures_by_kind", {}))
    if total["requests"] and total["failures"] == total["requests"] and kinds <= {"connection"}:
        raise TargetError(f"nothing answered at {redaction.url(base_url)}: every request of the first step "
                          "failed to connect",
                          remedy="start the server, or check --base-url (host, port and context root)")


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
@reports_errors
def command(**kwargs: Any) -> None:
    """Find the highest page-view rate a server holds within the SLO, and whether the server or the
    load generator set that limit.

    Every step is an open-model load run at a steady rate, its latencies measured from scheduled send
    times. Writes capacity.json (steps, knee, Universal Scalability Law fit) and each step's
    summary.json to --out.
    """
    from ecekit.capacity import report, search
    from ecekit.capacity.ladder import Ladder
    from ecekit.capacity.step import Step
    from ecekit.load import launch, profile, slo
    from ecekit.report import publish, run_info

    target_opts = pop_target_options(kwargs)
    target = checked_target(target_opts, kwargs["allow_remote"])
    if target.base_url:
        from ecekit.reachability import ensure_reachable

        ensure_reachable(target)  # nothing listening, untrusted TLS, no context root: exit 2 before any step
    prof = profile.load(kwargs["profile"])
    if prof.arrivals.shape not in STEADY_SHAPES:
        raise ConfigError(f"profile {prof.name!r} has {prof.arrivals.shape} arrivals; capacity steps a steady rate",
                          remedy="use a profile with a steady shape (default, one-call, or your own .toml)")
    if not (prof.slos or kwargs["slos"]):
        raise ConfigError(f"no SLO to hold: profile {prof.name!r} sets none",
                          remedy="pass one, e.g. --slo p95=200ms --slo errors=1%")
    slos = slo.parse_all(prof.slos, kwargs["slos"])
    if not any(s.name == "errors" for s in slos):  # a rate at which visitors get no answer is not sustainable
        kwargs["slos"] = (*kwargs["slos"], DEFAULT_ERRORS_SLO)
        slos = slo.parse_all(prof.slos, kwargs["slos"])
    ladder = Ladder(kwargs["start"], kwargs["maximum"], kwargs["step"], kwargs["factor"])
    step_s, warmup = kwargs["step_duration"], kwargs["warmup"]
    if not step_s > 0:
        raise ConfigError(f"--step-duration {step_s:g} is not a positive number of seconds", remedy="e.g. 20")
    if not warmup >= 0:
        raise ConfigError(f"--warmup {warmup:g} is negative", remedy="e.g. --warmup 5, or 0 for none")
    out = Path(kwargs["out"]) if kwargs["out"] else publish.default_out("capacity")
    out.mkdir(parents=True, exist_ok=True)
    quiet, workers = kwargs["quiet"], kwargs["workers"]
    embedded = target.base_url is None
    outcome = search.Outcome()
    settings: dict[str, Any] = {"profile": prof.name, "workers": workers, "step_duration_s": step_s,
                                "warmup_s": warmup, "ladder": ladder.rates(), "refine": kwargs["refine"],
                                "repeat": kwargs["repeat"]}

    def say(text: str) -> None:
        if not quiet:
            click.echo(text, err=True)

    with _server(target.base_url, target.origin) as (base_url, default_eps):
        target = target.replace(base_url=base_url, entry_points=target.entry_points or default_eps)
        base = locust_options(kwargs, target, out, embedded, widget=target_opts.get("widget"))
        env = headers_env(target)
        cap = warmup + step_s + prof.timeout + HARD_CAP_MARGIN_S + 15 * workers
        live = Progress(quiet or not sys.stderr.isatty())

        def run_step(rate: float, number: int, phase: str, scale: float = 1.0) -> tuple[dict[str, Any], str]:
            directory = out / "steps" / f"{number:02d}-{rate:g}"
            length = step_s * scale
            options = {**base, "ece_rate": repr(rate), "ece_duration": repr(warmup + length),
                       "ece_warmup": repr(warmup), "ece_out": str(directory.resolve())}
            say(f"step {number} ({phase}): {rate:g} page views/s for {length:g} s"
                + (f" after {warmup:g} s warm-up" if warmup else ""))
            result = launch.run(launch.Launch(host=base_url, options=options, out=directory, workers=workers,
                                              hard_cap_s=cap + length - step_s, env=env), on_progress=live)
            live.done()
            if number == 1:
                nothing_answered(result, base_url)
            return result, str((directory / "summary.json").relative_to(out))

        def on_step(step: Step) -> None:
            say("  " + report.step_line(step))

        say(f"ecekit capacity: {prof.name} profile against {redaction.url(base_url)}, ladder "
            f"{', '.join(f'{r:g}' for r in ladder.rates())} page views/s, then up to {kwargs['refine']} "
            f"bisection steps; {step_s:g} s each ({workers} worker(s))")
        header = run_info.header(target, seed=kwargs["seed"])
        try:
            search.search(ladder, run_step, refine=kwargs["refine"], repeats=kwargs["repeat"], on_step=on_step,
                          outcome=outcome)
        except KeyboardInterrupt:
            data = {**header, **report.build(outcome, slos, {**settings, "interrupted": True})}
            publish.write_json(data, out / "capacity.json")
            click.echo(f"interrupted; the steps so far are in {out / 'capacity.json'}", err=True)
            sys.exit(EXIT_INTERRUPTED)
    data = {**header, **report.build(outcome, slos, settings)}
    path = publish.write_json(data, out / "capacity.json")
    written = publish.write_reports("capacity", data, out)
    click.echo(report.render(data))
    click.echo(f"capacity: {path}")
    click.echo(f"report:   {written['html']}")
    if outcome.found:
        sys.exit(0)
    if outcome.limited_by == search.INCONCLUSIVE:
        raise TargetError(f"the answers did not settle the SLO even at --start {kwargs['start']:g} page views/s",
                          remedy=report.UNSETTLED_REMEDY)
    if outcome.limited_by == search.GENERATOR:
        raise TargetError(f"the load generator could not keep up even at --start {kwargs['start']:g} page views/s",
                          remedy=report.GENERATOR_REMEDY + ", or a lower --start")
    sys.exit(1)
