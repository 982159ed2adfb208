"""Stopping ``ecekit serve`` on SIGTERM or SIGINT at any moment, start-up included.

One handler covers the process from before the app is built until it ends. It only sets flags: a
signal that comes before the server exists is remembered, one during uvicorn's start-up lets it finish
starting and then shut down at once. It never raises, so no signal can surface as an exception inside
the event loop's or uvicorn's own set-up (where a raised SystemExit becomes a traceback and exit 1).
This module imports nothing heavy, so the handler is in place before uvicorn and the app are loaded.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType
from typing import Any, Protocol


class Stoppable(Protocol):
    """What a signal sets on the server (uvicorn.Server has both)."""

    should_exit: bool
    force_exit: bool


class StopSignals:
    """SIGTERM and SIGINT ask the server to stop, from ``__enter__`` on (main thread only; elsewhere
    signals cannot be handled and the caller stops the server itself).

    :attr:`requested` says a signal came; :meth:`attach` routes later ones to the server and passes on
    one that came already. A second SIGINT while shutting down stops waiting for open connections, as
    uvicorn's own handler does. ``__exit__`` puts the previous handlers back.
    """

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self) -> None:
        self.requested = False
        self._server: Stoppable | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> StopSignals:
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        again = self.requested
        self.requested = True
        server = self._server
        if server is not None:
            server.should_exit = True
            if again and signum == signal.SIGINT:
                server.force_exit = True

    def attach(self, server: Stoppable) -> None:
        """Route later signals to ``server``, and pass on one that came already."""
        self._server = server
        if self.requested:
            server.should_exit = True
