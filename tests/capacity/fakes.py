"""Made-up step summaries with the fields capacity reads, for testing its decisions without locust."""

from __future__ import annotations

from typing import Any


def summary(*, rate: float, p95: float, limit: float = 100.0, late: int = 0, busy: float = 0.1, unsent: int = 0,
            lag_p50: float = 0.01, lag_p99: float = 0.5, errors: int = 0, duration: float = 10.0,
            achieved: float | None = None, mean: float | None = None,
            kinds: dict[str, int] | None = None) -> dict[str, Any]:
    page_views = int(rate * duration)
    answered = achieved if achieved is not None else rate
    check = {"name": "p95", "limit": limit, "actual": p95, "unit": "ms", "passed": p95 <= limit}
    return {
        "offered_rate": rate, "duration_s": duration,
        "total": {"requests": page_views, "failures": errors, "contract_violations": 0, "rps": rate,
                  "latency_ms": {"p50": p95 / 2, "p90": p95 * 0.9, "p95": p95, "p99": p95 * 1.2, "p999": p95 * 1.5,
                                 "max": p95 * 2},
                  "mean_latency_ms": mean if mean is not None else p95 / 2,
                  "failures_by_kind": kinds if kinds is not None else ({"http_503": errors} if errors else {})},
        "schedule": {"page_views": page_views, "sent_late": late, "late_after_ms": 10.0, "unsent": unsent,
                     "lag_ms": {"p50": lag_p50, "p90": lag_p99 / 2, "p95": lag_p99 * 0.8, "p99": lag_p99,
                                "max": lag_p99 * 2}},
        "generator": {"busy_max": busy, "answered_rps": answered, "processes": []},
        "slo": {"passed": check["passed"], "checks": [check]},
    }


class Model:
    """A server that holds p95 <= 100 ms up to ``capacity`` page views/s, and a generator that keeps up
    to ``generator_limit``; records the rates it was asked for."""

    def __init__(self, capacity: float, generator_limit: float = float("inf")) -> None:
        self.capacity, self.generator_limit = capacity, generator_limit
        self.asked: list[tuple[float, str]] = []

    def __call__(self, rate: float, number: int, phase: str, scale: float = 1.0) -> tuple[dict[str, Any], str]:
        self.asked.append((rate, phase))
        assert number == len(self.asked)
        p95 = 20.0 if rate <= self.capacity else 500.0
        if rate <= self.generator_limit:
            return summary(rate=rate, p95=p95), f"steps/{number:02d}-{rate:g}/summary.json"
        return (summary(rate=rate, p95=p95, late=int(rate * 10 * 0.7), lag_p50=300, lag_p99=900),
                f"steps/{number:02d}-{rate:g}/summary.json")
