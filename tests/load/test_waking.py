"""The leader's wake-up (ecekit.load.waking): never before the page view's time, by the timerfd on
Linux and by the spin elsewhere. How *soon after* is a benchmark's business (bench_load_accuracy),
not a timed unit test's. Runs in a child process: the waits need a gevent hub of their own."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the timerfd is Linux-only")

SCRIPT = r"""
from time import perf_counter
import gevent
from ecekit.load.waking import Waker

def never_early(waker):
    late = []
    for i in range(20):
        due = perf_counter() + 0.0005 * (i % 5)  # 0 to 2 ms ahead, the past included
        waker.wait_until(due)
        now = perf_counter()
        assert now >= due, (now, due)
        late.append(now - due)
    return late

timer = Waker()
assert timer.precise
ticks = []
beat = gevent.spawn(lambda: [ticks.append(gevent.sleep(0.001)) for _ in range(5)])
never_early(timer)  # other greenlets keep running meanwhile: the loop is not blocked
beat.join(1)
assert len(ticks) == 5
timer.close()
assert not timer.precise
never_early(timer)  # the fallback: the spin
print("OK")
"""


def test_waker_never_wakes_before_the_time() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "OK"
