"""The edge of every sub-command: a ToolkitError becomes a headline + remedy and exit 2; an interrupted
run (Ctrl-C, SIGTERM) cleans up and exits 130."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

from ecekit import redaction
from ecekit.errors import ToolkitError
from ecekit.interrupts import signalled, sigterm_interrupts

P = ParamSpec("P")
R = TypeVar("R")

EXIT_INTERRUPTED = 130
"""Exit code of a run stopped by Ctrl-C or SIGTERM (the shell's 128 + SIGINT convention)."""


class ToolkitClickError(click.ClickException):
    exit_code = 2

    def __init__(self, exc: ToolkitError) -> None:
        # the last line of defence: a URL's password in any message is hidden (ecekit.redaction)
        super().__init__(redaction.text(exc.message))
        self.remedy = redaction.text(exc.remedy) if exc.remedy else exc.remedy

    def format_message(self) -> str:
        return f"{self.message}\n  → {self.remedy}" if self.remedy else self.message


def reports_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a command so ToolkitErrors show as 'Error: … → remedy' with exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ToolkitError as exc:
            raise ToolkitClickError(exc) from exc

    return wrapper


def interrupted() -> click.exceptions.Exit:
    """What an interrupted run ends with: one line, and exit code 130 (never 1, which is a breach)."""
    click.echo("ecekit: interrupted: stopped, nothing left running (exit code 130)", err=True)
    return click.exceptions.Exit(EXIT_INTERRUPTED)


def stops_cleanly(func: Callable[P, R]) -> Callable[P, R]:
    """Decorate a long-running command: Ctrl-C and SIGTERM stop it cleanly with exit code 130."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            with sigterm_interrupts():
                try:
                    return func(*args, **kwargs)
                except Exception as exc:
                    # the signal's KeyboardInterrupt can reach here wrapped: raised inside a class body
                    # being built (an import in progress), Python turns it into "RuntimeError: Error
                    # calling __set_name__"; a run a signal stopped exits 130 whatever it became
                    if signalled():
                        raise KeyboardInterrupt from exc
                    raise
        except KeyboardInterrupt:
            raise interrupted() from None

    return wrapper
