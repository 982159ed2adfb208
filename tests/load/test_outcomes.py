"""What visitors saw under load, proven against a server's own log, and the polling arithmetic."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from ecekit import operations
from ecekit.load.profile import from_mapping as profile_from
from ecekit.load.settings import Settings
from ecekit.load.visitor import poll_times
from ecekit.server import render
from ecekit.target import Target

pytestmark = pytest.mark.slow
BODY = render.xml(operations.CHAT_ALLOWED, {"allowed": True})
STALL_S = 2.0  # each stalled answer, against a widget timeout of 1 s


class StallingServer:
    """chatAllowed answers at once, except in [stall_from, stall_to) after the first request (the load
    generator's unrecorded warm-up call), when each answer waits STALL_S. Logs each later request's arrival
    and when its answer was released: its wait, as the server saw it."""

    def __init__(self, stall_from: float, stall_to: float) -> None:
        self.stall = (stall_from, stall_to)
        self.log: list[tuple[float, float]] = []
        self.t0 = 0.0
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if b"/chatAllowed/" not in head.split(b"\r\n", 1)[0]:
                    release = arrival = 0.0  # ecekit's reachability probe before the run: not logged
                elif not self.t0:
                    self.t0 = time.monotonic()  # the warm-up call: not a page view, not logged
                    release = arrival = 0.0
                else:
                    arrival = time.monotonic() - self.t0
                    start, end = self.stall
                    # every request of the stretch is held STALL_S, well past the widget's timeout, and every
                    # other one answered at once: no answer lands near the timeout, where the generator's own
                    # lag on a busy machine (not the server) would decide which side it falls
                    release = arrival + STALL_S if start <= arrival < end else arrival
                    self.log.append((arrival, release))
                if release > arrival:
                    await asyncio.sleep(release - arrival)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: "
                             + str(len(BODY)).encode() + b"\r\n\r\n" + BODY)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()

    def start(self) -> None:
        def run() -> None:
            loop = self._loop = asyncio.new_event_loop()
            server = loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
            self.port = server.sockets[0].getsockname()[1]
            self._ready.set()
            loop.run_forever()

        threading.Thread(target=run, daemon=True).start()
        self._ready.wait(10)

    def stop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)


@pytest.mark.timing
def test_error_share_matches_the_server_log_of_a_stall(tmp_path: Path) -> None:
    """A stall longer than the widget's timeout for a known stretch: the share of page views whose first
    state was `error` equals the share of requests the server held longer than the timeout (+-1 point)."""
    profile = tmp_path / "stall.toml"
    profile.write_text('description = "one call, 1 s widget"\ntimeout = 1.0\n'
                       '[widget]\nname = "quick"\noperation = "chatAllowed"\ntimeout = 1.0\npoll_interval = 0\n'
                       'rules = [["allowed", "true", "available"], ["allowed", "false", "unavailable"]]\n'
                       '[arrivals]\nshape = "steady"\nrate = 40\nduration = 6\n'
                       '[[call]]\noperation = "chatAllowed"\n')
    server = StallingServer(2.0, 2.6)
    server.start()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "ecekit", "load", "-q",
             "--base-url", f"http://127.0.0.1:{server.port}/system", "--entry-point", "1001", "--profile",
             str(profile), "--out", str(tmp_path / "out"), "--seed", "3"],
            capture_output=True, text=True, timeout=120, env={**os.environ, "NO_COLOR": "1"})
    finally:
        server.stop()
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    outcome = summary["outcomes"]["quick"]
    late = sum(1 for arrival, release in server.log if release - arrival > 1.0)
    truth = late / len(server.log)
    assert outcome["page_views"] == len(server.log) == summary["total"]["requests"], proc.stderr[-2000:]
    assert truth > 0.05  # the stall really hit a share of the run
    print(f"first state error {outcome['first_state']['error']:.4f}, server log {truth:.4f} "
          f"({late} of {len(server.log)})")
    assert abs(outcome["first_state"]["error"] - truth) <= 0.01, (outcome["first_state"], truth)
    assert summary["total"]["failures_by_kind"] == {"timeout": late}  # timeouts are timeouts
    assert outcome["ever_error"] == outcome["first_state"]["error"]


POLLING = {"description": "widget polls", "widget": "chat-allowed",
           "arrivals": {"shape": "steady", "rate": 10, "duration": 600},
           "call": [{"operation": "chatAllowed"}],
           "poll": {"interval": 15, "dwell": 60, "dwell_distribution": "fixed"}}


def test_polling_arithmetic_10_views_60_s_dwell_15_s_interval() -> None:
    """10 page views/s x (1 call on load + 60 s / 15 s of polls) = 50 requests/s, implied and drawn."""
    prof = profile_from(POLLING, "polling", "<test>")
    settings = Settings(profile=prof, arrivals=prof.arrivals, slos=(), target=Target(), out=None, junit_xml=None,
                        survey_sid=None, seed=None, embedded=True)
    assert settings.implied_request_rate() == pytest.approx(50.0)
    rng = random.Random(1)
    t, arrivals = 0.0, []
    while t < 600:
        t += rng.expovariate(10)
        arrivals.append(t)
    requests = [*arrivals, *(p for a in arrivals for p in poll_times(prof, a, rng, 600.0, 15))]
    steady = [r for r in requests if 120 <= r < 600]  # after the first dwell, before the end
    assert len(steady) / 480 == pytest.approx(50.0, rel=0.05)


def test_lognormal_dwell_has_the_median_it_is_given() -> None:
    prof = profile_from({**POLLING, "poll": {"interval": 1, "dwell": 20, "dwell_distribution": "lognormal",
                                             "dwell_spread": 1.0}}, "lognormal", "<test>")
    rng = random.Random(2)
    counts = sorted(len(poll_times(prof, 0.0, rng, None, 1.0)) for _ in range(4001))
    assert 18 <= counts[2000] <= 20  # polls at 1 s .. dwell: the median dwell 20 s gives ~19-20 polls
    assert prof.poll is not None and prof.poll.mean_dwell() == pytest.approx(20 * 1.6487, rel=1e-3)
