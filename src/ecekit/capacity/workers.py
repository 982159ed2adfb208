"""How many load workers a rate needs: one worker's ceiling here, from the steps a search ran.

A load worker is one gevent process: it runs on one core and is at its limit near ``step.BUSY_MAX`` of
it (the event loop then delays its own timers). Its CPU per page view is nearly constant, so a step
on which the workers kept up, each sending R page views/s at a busy share B, says that one worker
sustains about R x BUSY_MAX / B page views/s against this server from this machine. The busiest such
step extrapolates least, so it is the one used; a step below MIN_BUSY is mostly fixed costs
(heartbeats, reports) and is not used. The estimate is the CPU's only: a profile's max_in_flight, or
a slow network, can stop a worker sooner (the search then says so by the worker's name).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ecekit.capacity.step import BUSY_MAX, Step
from ecekit.run_summaries import GeneratorCeiling

MIN_BUSY = 0.05


def ceiling(steps: Sequence[Step], target_rate: float) -> GeneratorCeiling | None:
    """One worker's page views/s here and the workers ``target_rate`` needs (None: no step to tell)."""
    usable = [(i, s) for i, s in enumerate(steps, 1)
              if s.generator_ok and s.generator_busy >= MIN_BUSY and s.duration_s > 0 and s.page_views]
    if not usable:
        return None
    number, best = max(usable, key=lambda item: item[1].generator_busy)
    per_worker = best.page_views / best.duration_s / best.load_processes
    rps = round(per_worker * BUSY_MAX / best.generator_busy, 1)
    return {"per_worker_rps": rps, "from_step": number,
            "measured": f"step {number}: each of {best.load_processes} worker(s) sent {per_worker:.1f} page views/s "
                        f"with its busiest at {100 * best.generator_busy:.0f}% of a core; a worker tops out near "
                        f"{100 * BUSY_MAX:.0f}%",
            "target_rate": target_rate, "workers_needed": max(1, math.ceil(target_rate / rps))}


def sentence(data: GeneratorCeiling) -> str:
    return (f"one worker sustains about {data['per_worker_rps']:g} page views/s here ({data['measured']}); "
            f"{data['target_rate']:g} page views/s needs {data['workers_needed']} worker(s)")
