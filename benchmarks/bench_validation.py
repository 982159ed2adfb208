"""Cost of validating one response on each path, as a ratio measured in the same run.

    python3 benchmarks/bench_validation.py [--seconds 2]

Paths: parse only (the baseline both share), fast (lxml/libxml2 compiled schema, used under load) and
thorough (xmlschema, every error with its XPath, used by the contract suite). The ratio is what
matters: absolute times depend on the machine and its neighbours.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecekit import xmlsafe
from tests.core.corpus import BROKEN, GUIDE_SAMPLES


def per_call(func: Callable[[], object], seconds: float) -> float:
    """Median seconds per call over ~10 rounds sharing ``seconds``."""
    rounds = []
    n = 1
    while True:  # size a round to ~seconds/10
        start = time.perf_counter()
        for _ in range(n):
            func()
        if time.perf_counter() - start > seconds / 10 or n > 1 << 20:
            break
        n *= 2
    for _ in range(10):
        start = time.perf_counter()
        for _ in range(n):
            func()
        rounds.append((time.perf_counter() - start) / n)
    return statistics.median(rounds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=2.0, help="time per measurement")
    args = parser.parse_args()
    schema = xmlsafe.schemas().bosh
    cases = {
        "valid (chatAllowed sample)": GUIDE_SAMPLES["chatAllowed"].encode(),
        "valid (sessionStatus sample)": GUIDE_SAMPLES["liveSessionStatus"].encode(),
        "invalid (count negative)": next(c.body for c in BROKEN if c.label == "count negative"),
    }
    print(f"{'document':32} {'parse µs':>9} {'fast µs':>9} {'thorough µs':>12} {'thorough/fast':>14}")
    ratios = []
    for label, body in cases.items():
        parse = per_call(lambda body=body: xmlsafe.parse(body), args.seconds)
        fast = per_call(lambda body=body: xmlsafe.validate(body, schema, fast=True), args.seconds)
        thorough = per_call(lambda body=body: xmlsafe.validate(body, schema), args.seconds)
        ratios.append(thorough / fast)
        print(f"{label:32} {parse * 1e6:9.1f} {fast * 1e6:9.1f} {thorough * 1e6:12.1f} {thorough / fast:13.1f}x")
    bomb = next(c.body for c in BROKEN if c.label == "entity bomb")
    refused = per_call(lambda: xmlsafe.parse(bomb), args.seconds / 4)
    print(f"\nentity bomb refused in {refused * 1e6:.1f} µs (never expanded)")
    print(f"thorough path costs {statistics.median(ratios):.1f}x the fast path (median over {len(ratios)} documents)")


if __name__ == "__main__":
    main()
