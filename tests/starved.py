"""A capacity search that a machine short of CPU stopped: the right answer on a busy machine.

On two cores shared with the rest of the suite (or with the hogs of a stress run), the load generator
may fall behind its schedule at the first rate; ``ecekit capacity`` then says so and exits 2, blaming
neither the server nor the test. Tests that run a real search for something else (a report, a docs
command) accept that outcome, and only that one."""

from __future__ import annotations


def machine_short_of_cpu(code: int, output: str) -> bool:
    return code == 2 and "limited by: generator" in output and "the machine is short of CPU" in output


def compare_refused_a_starved_run(code: int, output: str) -> bool:
    """``ecekit compare`` of runs made on a machine short of CPU refuses them (exit 2): their latencies
    hold the generator's own lag. The right answer there, and the only one a docs command accepts."""
    return code == 2 and "the load generator faltered" in output and "the machine is short of CPU" in output
