"""How hard the load generator itself worked in the measured window: CPU busy share, answers received.

A generator that needs a whole core to keep up sends late and stretches every latency it measures;
capacity planning must tell that from a slow server (docs/capacity.md). ``time.process_time`` is the
process's user + system CPU time, so this needs neither psutil nor a sampling thread: one mark when
the measured window opens (after any warm-up), one when the arrivals end, so the idle drain does not
dilute it. A gevent process runs on one core, so ``busy`` near 1.0 means the generator set the pace.

``answered`` counts usable answers received inside the window: the server's throughput. Requests
counted in summary.json also include those answered during the drain, so an overloaded server's
backlog would otherwise pass for throughput.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ecekit.run_summaries import GeneratorProcess, GeneratorSection


@dataclass
class GeneratorMeter:
    """CPU, wall time and answers of this process between :meth:`start` and :meth:`stop` (or now)."""

    cpu0: float = field(default_factory=time.process_time)
    wall0: float = field(default_factory=time.perf_counter)
    answered0: int = 0
    stopped: tuple[float, float, int] | None = None

    def start(self, answered: int) -> None:
        self.cpu0, self.wall0, self.answered0, self.stopped = time.process_time(), time.perf_counter(), answered, None

    def stop(self, answered: int) -> None:
        if self.stopped is None:
            self.stopped = (time.process_time(), time.perf_counter(), answered)

    def figures(self, role: str, answered: int) -> GeneratorProcess:
        cpu1, wall1, answered1 = self.stopped or (time.process_time(), time.perf_counter(), answered)
        return figures(role, cpu1 - self.cpu0, wall1 - self.wall0, answered1 - self.answered0)


def figures(role: str, cpu_s: float, wall_s: float, answered: int) -> GeneratorProcess:
    """One process's entry in summary.json's ``generator.processes``."""
    busy = cpu_s / wall_s if wall_s > 0 else 0.0
    return {"role": role, "cpu_s": round(cpu_s, 3), "wall_s": round(wall_s, 3), "busy": round(busy, 3),
            "answered_in_window": answered}


def section(processes: list[GeneratorProcess], duration_s: float) -> GeneratorSection:
    """summary.json's ``generator``: every load process, the busiest one's share of a core, and the
    answers per second received inside the measured window (all processes together)."""
    answered = sum(p["answered_in_window"] for p in processes)
    return {"processes": processes, "busy_max": max((p["busy"] for p in processes), default=0.0),
            "answered_in_window": answered,
            "answered_rps": round(answered / duration_s, 3) if duration_s > 0 else 0.0,
            "measured": "per process over the measured arrivals: CPU time / wall time (1.0 = one core busy); "
                        "usable answers received before the arrivals ended"}
