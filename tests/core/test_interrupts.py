"""A run stopped by a signal exits 130 whatever the signal's KeyboardInterrupt became on its way up."""

from __future__ import annotations

import os
import signal

import click
import pytest

from ecekit.cli import errors


def test_a_signal_during_an_import_exits_130_though_python_wrapped_the_interrupt() -> None:
    """Seen under load: SIGTERM landed while xmlschema built a class, and Python turned the handler's
    KeyboardInterrupt into "RuntimeError: Error calling __set_name__" (exit 1 with a traceback)."""

    class Builder:
        def __set_name__(self, owner: type, name: str) -> None:
            os.kill(os.getpid(), signal.SIGTERM)  # the handler raises KeyboardInterrupt right here

    @errors.stops_cleanly
    def run() -> None:
        type("Schema", (), {"builders": Builder()})

    with pytest.raises(click.exceptions.Exit) as stopped:
        run()
    assert stopped.value.exit_code == errors.EXIT_INTERRUPTED


def test_an_error_without_a_signal_stays_an_error() -> None:
    @errors.stops_cleanly
    def run() -> None:
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError, match="a bug"):
        run()
