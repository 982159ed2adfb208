"""`ecekit serve` stops cleanly on SIGTERM/SIGINT at any moment: exit 0, no traceback, and says
"listening" only once it accepts connections."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess as sp
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest

from ecekit.server.embedded import LISTENING, serve_command
from ecekit.server.scenario import DEFAULT_SCENARIO
from ecekit.server.stopping import StopSignals

AFTER_LISTENING = -1.0  # a delay meaning: once the "listening" line is read
WHILE_READING_SCENARIO = -2.0  # a delay meaning: while start-up waits on reading its scenario


@dataclass
class Stopped:
    delay: float
    sig: int
    code: int
    out: str
    err: str
    surveys_written: bool
    seconds: float  # from start to the signal

    @property
    def started_serving(self) -> bool:
        return "listening on" in self.out


def _serve_and_signal(work: Path, delay: float, sig: int = signal.SIGTERM) -> Stopped:
    """Start ``ecekit serve``, send ``sig`` ``delay`` seconds later (or once it says it listens;
    then it must also answer a connection), and collect how it ended."""
    work.mkdir()
    db = work / "surveys.sqlite3"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    env.pop("ECEKIT_ADMIN_TOKEN", None)
    args = ["--port", "0", "--surveys", str(db), "--fault", "capacity-500"]
    if delay == WHILE_READING_SCENARIO:
        fifo = work / "scenario.toml"
        os.mkfifo(fifo)
        args += ["--scenario", str(fifo)]
    started = time.monotonic()
    proc = sp.Popen(serve_command(*args), stdout=sp.PIPE, stderr=sp.PIPE, text=True, env=env)
    try:
        if delay == WHILE_READING_SCENARIO:
            writer = _writer_once_read(fifo, proc)
            seconds = time.monotonic() - started
            proc.send_signal(sig)  # it is blocked reading the scenario: mid start-up, handlers installed
            try:
                with os.fdopen(writer, "w", encoding="utf-8") as pipe:
                    pipe.write(DEFAULT_SCENARIO.read_text(encoding="utf-8"))
            except BrokenPipeError:
                pass  # the signal killed it before it read: the assertions below say so
            out, err = proc.communicate(timeout=30)
            return Stopped(delay, sig, proc.returncode, out, err, db.exists(), seconds)
        if delay == AFTER_LISTENING:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            match = LISTENING.search(line)
            assert match, line
            with socket.create_connection(("127.0.0.1", int(match.group(2))), timeout=5):
                pass  # it said it listens: it accepts
            out_first = line
        else:
            time.sleep(delay)
            out_first = ""
        seconds = time.monotonic() - started
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    return Stopped(delay, sig, proc.returncode, out_first + out, err, db.exists(), seconds)


def _writer_once_read(fifo: Path, proc: sp.Popen[str]) -> int:
    """The write end of ``fifo`` once the server has opened it to read its scenario. The server then
    waits for data inside ``read``, a moment of start-up after its signal handlers are installed:
    a signal there is not left to chance as a sleep would leave it."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)  # ENXIO until a reader has it open
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
        time.sleep(0.005)
    raise AssertionError(f"ecekit serve never opened its scenario (exit {proc.poll()})")


def _clean(s: Stopped) -> bool:
    """Exit 0 with no traceback; or killed by the signal's default action before ecekit's code ran
    (Python's own start-up, which no program can handle): then nothing printed and nothing written."""
    if s.code == 0:
        return "Traceback" not in s.err
    return (s.sig == signal.SIGTERM and s.code == -signal.SIGTERM and not s.out and not s.err
            and not s.surveys_written)


@pytest.mark.slow
def test_a_signal_at_any_moment_of_start_up_exits_0_without_a_traceback(tmp_path: Path) -> None:
    first = _serve_and_signal(tmp_path / "first", AFTER_LISTENING)
    assert _clean(first), first
    sweep = [0.0, 0.05] + [first.seconds * f for f in (0.2, 0.35, 0.5, 0.65, 0.8, 0.95)]
    moments = [(d, signal.SIGTERM) for d in sweep] + [(AFTER_LISTENING, signal.SIGINT),
                                                      (WHILE_READING_SCENARIO, signal.SIGTERM),
                                                      (WHILE_READING_SCENARIO, signal.SIGINT)]
    with ThreadPoolExecutor(2) as pool:  # two at a time: start-up slows down, the moments still spread
        runs = list(pool.map(lambda i: _serve_and_signal(tmp_path / f"r{i}", *moments[i]), range(len(moments))))
    bad = [s for s in runs if not _clean(s)]
    assert not bad, "\n\n".join(f"{signal.Signals(s.sig).name} after {s.delay:.3f} s: exit {s.code}\n"
                                f"{s.out}{s.err[-2000:]}" for s in bad)
    # the start-up itself, not left to the sweep's timing: handled before "listening" was said
    during = [s for s in runs if s.delay == WHILE_READING_SCENARIO]
    assert all(s.code == 0 and not s.started_serving and s.surveys_written for s in during), during


def test_stop_signals_remember_a_signal_before_the_server_and_restore_the_handlers() -> None:
    before = {sig: signal.getsignal(sig) for sig in StopSignals.SIGNALS}
    with StopSignals() as stop:
        signal.raise_signal(signal.SIGTERM)
        assert stop.requested
        server = SimpleNamespace(should_exit=False, force_exit=False)
        stop.attach(server)  # type: ignore[arg-type]
        assert server.should_exit and not server.force_exit
        signal.raise_signal(signal.SIGINT)  # a second Ctrl-C: stop waiting for open connections
        assert server.force_exit
    assert {sig: signal.getsignal(sig) for sig in StopSignals.SIGNALS} == before


def test_stop_signals_reach_an_attached_server() -> None:
    with StopSignals() as stop:
        server = SimpleNamespace(should_exit=False, force_exit=False)
        stop.attach(server)  # type: ignore[arg-type]
        assert not server.should_exit
        signal.raise_signal(signal.SIGINT)
        assert server.should_exit and not server.force_exit
