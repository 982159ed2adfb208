"""Ctrl-C and SIGTERM stop a run cleanly, in the CLI and in library calls alike.

A signal's KeyboardInterrupt can land where Python swallows it (a garbage-collector callback prints
"Exception ignored" and carries on), so a run also asks :func:`raise_if_interrupted` at safe points.
A contract run goes through pytest, which turns an interrupt into an exit status other errors share:
:class:`InterruptWatch` is the one place that notes it, for ``pytest contracts/`` and ``run_checks`` alike.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pytest

_signalled = threading.Event()


def raise_if_interrupted() -> None:
    """Raise KeyboardInterrupt if a signal came: called at safe points of a run (after each fuzz
    example, each progress tick), because the KeyboardInterrupt a signal raises can land where Python
    swallows it (a garbage-collector callback prints "Exception ignored" and carries on)."""
    if _signalled.is_set():
        raise KeyboardInterrupt


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """SIGTERM raises KeyboardInterrupt, as Ctrl-C does, so every ``finally`` and ``with`` of the run
    stops what it started (locust, the embedded server, temporary folders). After the first signal
    both are ignored until the run has cleaned up, so a second one cannot cut the cleanup short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def interrupt(signum: int, frame: FrameType | None) -> None:
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        _signalled.set()
        raise KeyboardInterrupt

    _signalled.clear()
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGINT, interrupt)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        _signalled.clear()


def signalled() -> bool:
    """True once a signal came during the current run (until its ``sigterm_interrupts`` block ends)."""
    return _signalled.is_set()


class InterruptWatch:
    """A pytest plugin for one contract run: notes a Ctrl-C / SIGTERM, which pytest reports with an exit
    status other errors share (so the summary gives no verdict and ``run_checks`` raises
    KeyboardInterrupt), and stops the run before the next test when an interrupt was swallowed."""

    def __init__(self) -> None:
        self.interrupted = False

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        raise_if_interrupted()

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        if isinstance(excinfo.value, KeyboardInterrupt):  # not pytest.exit(), which arrives here too
            self.interrupted = True
