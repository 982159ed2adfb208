"""`ecekit fuzz`: fuzz the survey operation with hypothesis and report every failure, shrunk.

Without --base-url it starts the reference server in-process and fuzzes that (``--fault NAME``, a
hidden option, starts it with a fault mode, so the fuzzer can be seen finding it). Against any other
server it needs --allow-writes: every valid survey it sends is stored by the server.
"""

from __future__ import annotations

import contextlib
import shlex
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from ecekit import caches, redaction
from ecekit.cli.errors import raise_if_interrupted, reports_errors, stops_cleanly
from ecekit.cli.options import canary_option, target_options
from ecekit.cli.paths import writable_dir, writable_file
from ecekit.errors import UsageError
from ecekit.flags import pop_target_options, target_from
from ecekit.fuzz.strategies import SID_PREFIX
from ecekit.live import ensure_reachable, live_target
from ecekit.target import Target

DEFAULT_DATABASE = Path(".ecekit") / "fuzz-db"

EXIT_OK, EXIT_FAILED = 0, 1
PROGRESS_EVERY = 5.0  # seconds between progress lines on long runs
MAX_LOGGED = 20_000  # exchanges kept for exchanges.har


def _progress_printer(quiet: bool) -> Any:
    last = [time.monotonic()]

    def show(progress: Any) -> None:
        raise_if_interrupted()  # after every example: an interrupt is never lost
        now = time.monotonic()
        if quiet or now - last[0] < PROGRESS_EVERY:
            return
        last[0] = now
        rate = progress.examples / progress.elapsed if progress.elapsed else 0.0
        click.echo(f"… {progress.examples} examples, {progress.requests} requests, "
                   f"{progress.failing} failing so far, {rate:.0f}/s, {progress.elapsed:.0f}s", err=True)

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
@click.option("--fault", "faults", multiple=True, hidden=True, metavar="NAME",
              help="Start the embedded server with this fault mode (repeatable; testing aid).")
@reports_errors
@stops_cleanly
def command(**kwargs: Any) -> None:
    """Fuzz the survey operation with valid and hostile bodies; every failure is shrunk to its
    minimal payload and printed with a curl line and the seed.

    Exit 0: no failure; 1: failures found; 2: usage error; 130: interrupted (Ctrl-C, SIGTERM).
    """
    from ecekit.fuzz import report
    from ecekit.fuzz.runner import FuzzConfig, fuzz
    from ecekit.report import har, publish, run_info
    from ecekit.report.publish import default_out

    options = pop_target_options(kwargs)
    extra = {"sid": kwargs["sid"]} if kwargs["sid"] else {}
    if kwargs["canary_url"]:
        extra["canary_url"] = kwargs["canary_url"]
    if kwargs["strict_surveys"] is not None:
        extra["strict_surveys"] = kwargs["strict_surveys"]
    target = target_from(options, **extra)
    faults: tuple[str, ...] = kwargs["faults"]
    if not target.is_embedded:
        if faults:
            raise UsageError("--fault sets up the embedded reference server; it cannot go with --base-url",
                             remedy="leave out --base-url to fuzz the reference server with that fault")
        if not kwargs["allow_writes"]:
            raise UsageError(
                f"refusing to fuzz {target.shown_base_url} without --allow-writes: every valid survey ecekit "
                "sends is stored by the server",
                remedy=f"add --allow-writes if its survey table may take test data (every sid starts "
                f"{SID_PREFIX!r}; add --rate-limit for a shared server), or leave out --base-url to "
                "fuzz the embedded reference server")
    database = None if kwargs["no_database"] else kwargs["database"]
    if kwargs["replay"] and database is None:
        raise UsageError("--replay re-sends the remembered failures, but --no-database remembers none",
                         remedy="leave out --no-database (or point --database at the folder used before)")
    out: Path = kwargs["out"] or default_out("fuzz")
    writable_dir(database, "--database")
    writable_dir(out, "--out")
    writable_file(kwargs["junit_xml"], "--junit-xml")
    if not target.is_embedded:  # nothing listening, untrusted TLS, no context root: exit 2 before fuzzing
        ensure_reachable(target)
    key = target.base_url or ("embedded" + "".join(f"+{f}" for f in sorted(faults)))
    from ecekit import seeds

    seed, seed_how = seeds.choose(kwargs["seed"])
    config = FuzzConfig(max_examples=kwargs["max_examples"], max_time=kwargs["max_time"],
                        rate_limit=kwargs["rate_limit"], seed=seed, replay=kwargs["replay"],
                        database=database, database_key=key)
    strict = target.is_embedded or target.sid is not None
    where = target.shown_base_url or "the embedded reference server" + (f" (faults: {', '.join(faults)})"
                                                                   if faults else "")
    strict_surveys = target.surveys_strict
    click.echo(f"Fuzzing the survey operation of {where}"
               + (" (replaying remembered failures)" if config.replay else ""), err=True)
    click.echo(f"ecekit fuzz: {seeds.describe(seed, seed_how)}; lenient acceptance "
               + ("fails (strict surveys)" if strict_surveys else "is a finding (--strict-surveys to fail)"))
    log: list[Any] = []

    def keep(ex: Any) -> None:
        if len(log) < MAX_LOGGED:
            log.append(ex)

    from ecekit.transport import properties, warning

    if warning(target):
        click.echo(warning(target), err=True)
    with _hypothesis_home(), live_target(target, faults=faults, probe=False) as live:
        result = fuzz(live, config, strict=strict, strict_surveys=strict_surveys,
                      on_progress=_progress_printer(kwargs["quiet"]), on_exchange=keep)
    payloads = database.parent / "fuzz-payloads" if database is not None else None
    rerun = _rerun_command(target, faults, kwargs["database"], database is None)
    for failure in result.failures:
        click.echo(report.explain(failure, result.seed, payloads, rerun))
        click.echo("")
    for finding in result.findings:
        click.echo(report.explain_finding(finding, payloads))
        click.echo("")
    if result.failures and target.is_embedded:
        port = urlsplit(live.base_url or "").port
        serve = shlex.join(["ecekit", "serve", "--port", str(port),
                            *[arg for f in faults for arg in ("--fault", f)]])
        click.echo(f"The embedded server has stopped; to send the curl lines above, start the same "
                   f"server again with:\n  {serve}\n")
    for note in result.notes:
        click.echo(note, err=True)
    click.echo(report.summary(result))
    if warning(target):
        click.echo(warning(target))
    if kwargs["junit_xml"]:
        report.junit_xml(result, kwargs["junit_xml"], payloads, rerun, properties=properties(target))
    data = {**run_info.header(target, faults=faults, seed=result.seed), **report.to_data(result, payloads)}
    publish.write_json(data, out / "fuzz.json")
    har.write(log, out, comment=f"ecekit fuzz: {len(log)} exchanges")
    written = publish.write_reports("fuzz", data, out)
    click.echo(f"report: {written['html']}")
    sys.exit(EXIT_OK if result.ok else EXIT_FAILED)


@contextlib.contextmanager
def _hypothesis_home() -> Iterator[None]:
    """hypothesis keeps caches of its own (its Unicode tables): in ecekit's cache directory
    (ecekit.caches), never in a ./.hypothesis of whatever directory the command runs from."""
    from hypothesis import configuration

    previous = getattr(configuration, "__hypothesis_home_directory", None)
    configuration.set_hypothesis_home_dir(caches.hypothesis_home())
    try:
        yield
    finally:
        configuration.set_hypothesis_home_dir(previous)


def _rerun_command(target: Target, faults: tuple[str, ...], database: Path, no_database: bool) -> str:
    """`ecekit fuzz` with the flags that pick the same server and the same remembered failures."""
    line = "ecekit fuzz"
    if target.base_url:  # a password in the URL becomes $ECE_PASSWORD (ecekit.redaction)
        line += f" --base-url {redaction.shell_url(target.base_url)} --allow-writes"
    args = []
    for fault in faults:
        args += ["--fault", fault]
    if not no_database and database != DEFAULT_DATABASE:
        args += ["--database", str(database)]
    return " ".join([line, *map(shlex.quote, args)])
