"""Turning a ToolkitError into a headline + remedy and exit 2, at the edge of every sub-command."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import click

from ecekit.errors import ToolkitError

P = ParamSpec("P")
R = TypeVar("R")


class ToolkitClickError(click.ClickException):
    exit_code = 2

    def __init__(self, exc: ToolkitError) -> None:
        super().__init__(exc.message)
        self.remedy = exc.remedy

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
