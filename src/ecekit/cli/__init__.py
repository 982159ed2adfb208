"""The ``ecekit`` command: a click group with one module per sub-command, loaded only when used.

Exit codes are fixed for every sub-command: 0 all passed, 1 the server broke the contract or an SLO,
2 the tool was used wrong or could not run (a :class:`ecekit.errors.ToolkitError`, shown as a headline
and a remedy, never a traceback).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from ecekit.__about__ import __version__
from ecekit.errors import ToolkitError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

# name -> (module, one-line help). Help is here so `ecekit --help` imports none of the modules.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("ecekit.cli.check", "Run the contract suites against a server (or the embedded one)."),
    "fuzz": ("ecekit.cli.fuzz", "Fuzz the survey operation with hypothesis."),
    "load": ("ecekit.cli.load", "Replay page-load traffic with locust and judge it against SLOs."),
    "capacity": ("ecekit.cli.capacity", "Find the highest page-view rate held within an SLO, and what limits it."),
    "snapshot": ("ecekit.cli.snapshot", "Record every status answer of a server, for ecekit diff."),
    "diff": ("ecekit.cli.diff", "Compare two snapshots, servers or XSD sets: breaking, slower, compatible."),
    "compare": ("ecekit.cli.compare", "Is AFTER slower than BEFORE? Load or capacity runs, with confidence intervals."),
    "serve": ("ecekit.cli.serve", "Run the reference ECE server."),
    "report": ("ecekit.cli.report", "Render a run's report.html and summary.md again from its JSON."),
}


class LazyGroup(click.Group):
    """Imports a sub-command's module only when that sub-command runs (locust must never load early)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module = importlib.import_module(COMMANDS[cmd_name][0])
        command: click.Command = module.command
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, short) in COMMANDS.items()])

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            import difflib

            close = difflib.get_close_matches(name, COMMANDS, n=1)
            hint = f" Did you mean '{close[0]}'?" if close else ""
            raise click.UsageError(f"No such command '{name}'.{hint} Commands: {', '.join(COMMANDS)}")
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ecekit")
def cli() -> None:
    """Contract tests, survey fuzzing and load tests for the Chat Web Service APIs of Cisco
    Enterprise Chat and Email (ECE).

    Every command runs against ecekit's reference ECE server unless given --base-url.
    """


def main(argv: list[str] | None = None) -> Any:
    """Console entry point: the edge where ToolkitErrors become a message and exit code 2."""
    try:
        return cli.main(args=argv, prog_name="ecekit", standalone_mode=True)
    except ToolkitError as exc:  # pragma: no cover - click's standalone mode re-raises only these
        click.echo(f"ecekit: error: {exc.message}", err=True)
        if exc.remedy:
            click.echo(f"  → {exc.remedy}", err=True)
        sys.exit(EXIT_USAGE)
