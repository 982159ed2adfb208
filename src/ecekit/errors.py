"""Errors of the toolkit itself: the tool was used wrong, or could not run.

"The server is wrong" is a :class:`ecekit.checks.Violation`, never an exception. "The tool was used
wrong" is a :class:`ToolkitError`; each subclass also inherits the matching built-in, so callers that
know nothing of ecekit can still catch it::

    ToolkitError (Exception)
    ├── ConfigError (ValueError)      a target file or flag is wrong; says file, key, expected value
    ├── UsageError (ValueError)       flags that cannot go together, a missing --allow-writes
    ├── SchemaError (ValueError)      an XSD directory that cannot be loaded
    └── TargetError (ConnectionError) the target cannot be reached at all (not a contract failure)

Every message says what happened, the likely cause and what to do (``remedy``). The CLI turns any of
these into a headline, the remedy and exit code 2.
"""

from __future__ import annotations

from collections.abc import Iterable


class ToolkitError(Exception):
    """Root of ecekit's own errors."""

    def __init__(self, message: str, *, remedy: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.remedy = remedy

    def __str__(self) -> str:
        return f"{self.message}\n  → {self.remedy}" if self.remedy else self.message


class ConfigError(ToolkitError, ValueError):
    """A value in a target file or on the command line is not what ecekit expects."""


class UsageError(ToolkitError, ValueError):
    """The command was asked for something it must not or cannot do."""


class SchemaError(ToolkitError, ValueError):
    """The XSD files could not be found or compiled."""


class TargetError(ToolkitError, ConnectionError):
    """The target server cannot be used at all (not a contract failure: nothing answered)."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"did you mean 'x'? "`` for the closest of ``choices`` to a misspelt ``word``, else ``""``:
    the start of a remedy that then lists the valid values."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"did you mean {close[0]!r}? " if close else ""
