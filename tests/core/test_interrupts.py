"""A run stopped by a signal exits 130 whatever the signal's KeyboardInterrupt became on its way up, and a
contract run's pytest session notes the interrupt (ecekit.interrupts.InterruptWatch)."""

from __future__ import annotations

import contextlib
import os
import signal

import click
import pytest

from ecekit.cli import errors
from ecekit.interrupts import InterruptWatch, sigterm_interrupts


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


class Excinfo:
    """What pytest hands ``pytest_keyboard_interrupt``: its ``value`` is the exception."""

    def __init__(self, value: BaseException) -> None:
        self.value = value


def test_the_watch_notes_an_interrupt_but_not_a_pytest_exit() -> None:
    watch = InterruptWatch()
    watch.pytest_keyboard_interrupt(Excinfo(pytest.exit.Exception("ecekit: no server", 2)))  # type: ignore[arg-type]
    assert not watch.interrupted
    watch.pytest_keyboard_interrupt(Excinfo(KeyboardInterrupt()))  # type: ignore[arg-type]
    assert watch.interrupted


def test_the_watch_stops_the_next_test_once_a_signal_came() -> None:
    watch = InterruptWatch()
    with sigterm_interrupts():
        watch.pytest_runtest_setup(None)  # type: ignore[arg-type]  # no signal: the test runs
        with contextlib.suppress(KeyboardInterrupt):  # swallowed, as a gc callback would
            os.kill(os.getpid(), signal.SIGTERM)
        with pytest.raises(KeyboardInterrupt):
            watch.pytest_runtest_setup(None)  # type: ignore[arg-type]
    watch.pytest_runtest_setup(None)  # type: ignore[arg-type]  # the next run starts afresh
