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

import contextlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from ecekit import redaction, transport
from ecekit.cli.errors import raise_if_interrupted, reports_errors, stops_cleanly
from ecekit.cli.options import target_options
from ecekit.cli.paths import writable_dir, writable_file
from ecekit.errors import ConfigError, UsageError
from ecekit.flags import pop_target_options, target_from
from ecekit.reachability import ensure_reachable
from ecekit.target import Target

HARD_CAP_MARGIN_S = 60.0


def is_loopback(url: str) -> bool:
    from ecekit.server.access import is_loopback as host_is_loopback

    return host_is_loopback(urlsplit(url).hostname or "")


def default_out() -> Path:
    return Path("reports") / time.strftime("load-%Y%m%d-%H%M%S")


@contextlib.contextmanager
def _server(base_url: str | None, origin: str | None = None) -> Iterator[tuple[str, tuple[str, ...]]]:
    """The base URL to load and the default entry points: the given URL, or a fresh reference server
    (which allows the site's ``origin`` cross-origin, as the site's real server must)."""
    if base_url:
        yield base_url, ()
        return
    from ecekit.server.testing import default_roles, running_server

    with running_server(subprocess=True, cors_origins=(origin,) if origin else ()) as srv:
        yield srv.base_url, default_roles().entry_points


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


def checked_target(target_opts: dict[str, Any], allow_remote: bool) -> Target:
    """The target to load: never a remote host unless allowed, always with entry points."""
    target = target_from(target_opts)
    if target.base_url and not allow_remote and not is_loopback(target.base_url):
        raise UsageError(f"refusing to load {target.shown_base_url}: it is not on this machine",
                         remedy="load tests hit real servers hard; pass --allow-remote if this one is yours "
                                "and you mean it, or use 127.0.0.1")
    if target.base_url and not target.entry_points:
        raise UsageError("no entry point to load", remedy="pass --entry-point ID (repeatable)")
    if target.xsd_dir:  # locust runs inside the output directory: every path the user gave is absolute
        from ecekit.xmlsafe import schemas

        target = target.replace(xsd_dir=str(Path(target.xsd_dir).resolve()))
        schemas(target.xsd_dir)  # a directory that cannot be loaded: exit 2 now, not in locust's log
    return target


def locust_options(kwargs: dict[str, Any], target: Target, out: Path, embedded: bool,
                   widget: str | None = None) -> dict[str, str]:
    """The ``ece_*`` options of the locust processes; writes the target file they read to ``out``."""
    from ecekit.load.settings import target_json

    (out / "target.json").write_text(json.dumps(target_json(target), indent=2), encoding="utf-8")
    junit = kwargs.get("junit_xml")
    prof = kwargs["profile"]
    if prof and Path(prof).is_file():  # locust runs in the output directory: a relative path would break
        prof = str(Path(prof).resolve())
    options = {
        "ece_profile": prof, "ece_rate": kwargs.get("rate"), "ece_duration": kwargs.get("duration"),
        "ece_entry_points": ",".join(target.entry_points), "ece_slo": ",".join(kwargs["slos"]),
        "ece_out": str(out.resolve()), "ece_target": str((out / "target.json").resolve()),
        "ece_junit_xml": str(Path(junit).resolve()) if junit else None,
        "ece_allow_writes": "true" if (kwargs["allow_writes"] or embedded) else None,
        "ece_sid": kwargs["sid"], "ece_seed": kwargs["seed"],
        "ece_embedded": "true" if embedded else None,
        "ece_widget": widget, "ece_origin": target.origin,
    }
    return {k: str(v) for k, v in options.items() if v is not None}


def headers_env(target: Target) -> dict[str, str]:
    """Request headers travel to the locust processes in the environment, never on a command line."""
    from ecekit.load.settings import HEADERS_ENV

    return {HEADERS_ENV: json.dumps(dict(target.headers))} if target.headers else {}


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
    from ecekit.load import launch, profile, slo, summary
    from ecekit.load.schedule import describe, with_overrides

    target_opts = pop_target_options(kwargs)
    target = checked_target(target_opts, kwargs["allow_remote"])
    prof = profile.load(kwargs["profile"])
    arrivals = with_overrides(prof.arrivals, kwargs["rate"], kwargs["duration"])
    if not arrivals.bounded:
        raise ConfigError("--duration must be positive for `ecekit load`",
                          remedy="e.g. --duration 60 (run until stopped only with locust's web UI)")
    slo.parse_all(prof.slos, kwargs["slos"])  # a bad SLO is a usage error before anything starts
    if target.base_url and transport.warning(target):
        click.echo(transport.warning(target), err=True)
    out = (Path(kwargs["out"]) if kwargs["out"] else default_out()).resolve()
    junit = Path(kwargs["junit_xml"]).resolve() if kwargs["junit_xml"] else None
    writable_dir(out, "--out")
    writable_file(junit, "--junit-xml")
    if target.base_url:
        ensure_reachable(target)  # nothing listening or no context root: exit 2, not a breached SLO
    if target.base_url and kwargs["allow_writes"] is False and prof.survey_share:
        click.echo("note: surveys are skipped (pass --allow-writes to send them)", err=True)
    embedded = target.base_url is None
    with _server(target.base_url, target.origin) as (base_url, default_eps):
        target = target.replace(base_url=base_url, entry_points=target.entry_points or default_eps)
        options = locust_options(kwargs, target, out, embedded, widget=target_opts.get("widget"))
        env = headers_env(target)
        cap = arrivals.duration + prof.timeout + HARD_CAP_MARGIN_S + 15 * kwargs["workers"]
        progress = Progress(kwargs["quiet"])
        if not kwargs["quiet"]:
            click.echo(f"ecekit load: {prof.name} profile, {describe(arrivals)} against {redaction.url(base_url)} "
                       f"({kwargs['workers']} worker(s))", err=True)
        result = launch.run(launch.Launch(host=base_url, options=options, out=out, workers=kwargs["workers"],
                                          hard_cap_s=cap, env=env),
                            on_progress=progress)
        progress.done()
    click.echo(summary.render(result))
    click.echo(f"summary: {out / 'summary.json'}")
    if junit:
        click.echo(f"junit:   {junit}")
    sys.exit(0 if result["slo"]["passed"] else 1)
