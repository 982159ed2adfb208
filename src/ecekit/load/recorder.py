"""Latency and outcome recording: HDR histograms at microsecond resolution, mergeable across processes.

Percentiles cannot be averaged: the p99 of two workers is not the mean of their p99s. Each process
records every latency in an HDR histogram per operation (1 µs to 1 h, 3 significant digits, so a value
is exact below 2.048 ms and within 0.1 % above), and a worker ships its histograms to the master as
hdrhistogram's compressed encoding, where ``decode_and_add`` merges them exactly. Workers send deltas
(what was recorded since the last report) and reset, the way locust ships its own stats, so a report
lost to nothing is counted twice and nothing is double counted.

This module imports neither locust nor gevent: the pytest process can test it.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any

from hdrh.histogram import HdrHistogram

from ecekit.run_summaries import Latencies, WindowOpStats, WindowStats

LOWEST_US = 1
HIGHEST_US = 3_600_000_000  # one hour: nothing in a bounded run waits longer
SIGNIFICANT_DIGITS = 3
PERCENTILES: dict[str, float] = {"p50": 50.0, "p90": 90.0, "p95": 95.0, "p99": 99.0, "p999": 99.9}


WINDOW_DIGITS = 2  # per-window histograms only draw charts: 1 % is plenty, at a seventh of the memory
MAX_WINDOWS = 120
NICE_WIDTHS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600)


def new_histogram(digits: int = SIGNIFICANT_DIGITS) -> HdrHistogram:
    return HdrHistogram(LOWEST_US, HIGHEST_US, digits)


def encoded(histogram: HdrHistogram) -> str:
    """hdrhistogram's compressed base64 encoding as text: how a histogram travels between processes
    and how summary.json keeps it at full precision (``HdrHistogram.decode`` reads it back)."""
    return histogram.encode().decode("ascii")


def window_width(duration_s: float | None) -> int:
    """Seconds per window: the smallest nice width that keeps a run under MAX_WINDOWS windows."""
    if not duration_s or not math.isfinite(duration_s):
        return 10
    return next((w for w in NICE_WIDTHS_S if duration_s / w <= MAX_WINDOWS), NICE_WIDTHS_S[-1])


def to_us(seconds: float) -> int:
    """A latency in whole microseconds, clamped to what the histogram tracks."""
    return min(HIGHEST_US, max(LOWEST_US, round(seconds * 1_000_000)))


@dataclass
class OpRecord:
    """What happened to one operation's requests: latencies and outcomes."""

    histogram: HdrHistogram = field(default_factory=new_histogram)
    requests: int = 0
    failures: int = 0  # no usable answer: transport error or HTTP error status
    contract_violations: int = 0  # a usable answer (below HTTP 400) that broke the contract
    max_us: int = 0  # exact, where the histogram's max is its bucket's upper edge
    failures_by_kind: Counter[str] = field(default_factory=Counter)
    violations_by_check: Counter[str] = field(default_factory=Counter)

    def record(self, latency_us: int, failure: str | None, checks: tuple[str, ...]) -> None:
        self.histogram.record_value(latency_us)
        self.requests += 1
        if latency_us > self.max_us:
            self.max_us = latency_us
        if failure is not None:
            self.failures += 1
            self.failures_by_kind[failure] += 1
        if checks:
            self.contract_violations += 1
            for name in checks:
                self.violations_by_check[name] += 1

    def add(self, other: OpRecord) -> None:
        self.histogram.add(other.histogram)
        self._add_counts(other.requests, other.failures, other.contract_violations, other.max_us,
                         other.failures_by_kind, other.violations_by_check)

    def _add_counts(self, requests: int, failures: int, violations: int, max_us: int,
                    by_kind: dict[str, int], by_check: dict[str, int]) -> None:
        self.requests += requests
        self.failures += failures
        self.contract_violations += violations
        self.max_us = max(self.max_us, max_us)
        self.failures_by_kind.update(by_kind)
        self.violations_by_check.update(by_check)

    def to_wire(self) -> dict[str, Any]:
        return {"histogram": encoded(self.histogram), "requests": self.requests,
                "failures": self.failures, "contract_violations": self.contract_violations,
                "max_us": self.max_us, "failures_by_kind": dict(self.failures_by_kind),
                "violations_by_check": dict(self.violations_by_check)}

    def add_wire(self, wire: dict[str, Any]) -> None:
        self.histogram.decode_and_add(wire["histogram"].encode("ascii"))
        self._add_counts(wire["requests"], wire["failures"], wire["contract_violations"], wire["max_us"],
                         wire["failures_by_kind"], wire["violations_by_check"])

    def latency_ms(self) -> Latencies:
        """Percentiles and max in milliseconds with microsecond precision."""
        h = self.histogram
        # a bucket's upper edge can exceed the exact max: never report a percentile above it
        return latencies({name: round(min(h.get_value_at_percentile(p), self.max_us) / 1000, 3)
                          for name, p in PERCENTILES.items()}, round(self.max_us / 1000, 3))


def latencies(percentiles: dict[str, float], max_ms: float) -> Latencies:
    """summary.json's latency block from the PERCENTILES read by name, and the max, in that order."""
    return {"p50": percentiles["p50"], "p90": percentiles["p90"], "p95": percentiles["p95"],
            "p99": percentiles["p99"], "p999": percentiles["p999"], "max": max_ms}


@dataclass
class Recorder:
    """Everything one process (or, merged, the whole run) measured, by operation name."""

    ops: dict[str, OpRecord] = field(default_factory=dict)
    schedule: Counter[str] = field(default_factory=Counter)  # page_views, late, unsent, polls...
    lag: HdrHistogram = field(default_factory=new_histogram)  # scheduled -> actually started, µs
    # The same over time, for the report's charts: window index -> what was scheduled in it. Windows
    # are counted from this process's first arrival (``start_clock``); workers start together to
    # within a fraction of a window.
    window_s: int = 10
    windows: dict[int, Window] = field(default_factory=dict)
    origin: float | None = None
    answered: int = 0  # usable answers since the process started; never reset or shipped (see load.generator)
    # The measured window on the arrival clock (perf_counter seconds): an answer counts towards the
    # server's throughput when its last byte arrived inside it. Set by the arrival stream when its
    # clock starts, so the window is the arrivals' own [first + warm-up, first + duration), not a
    # timer of locust's that started before the first arrival and so closed before the last one.
    window_from: float = -math.inf
    window_until: float = math.inf
    answered_in_window: int = 0  # never reset or shipped, like ``answered``

    def start_clock(self, at: float | None = None) -> None:
        if self.origin is None:
            self.origin = perf_counter() if at is None else at

    def measure_between(self, start: float, end: float) -> None:
        """The measured window on the arrival clock: answers received in [start, end) are throughput."""
        self.window_from, self.window_until = start, end

    def window(self, due: float | None) -> Window | None:
        if due is None or self.origin is None:
            return None
        index = max(0, int((due - self.origin) // self.window_s))
        win = self.windows.get(index)
        if win is None:
            win = self.windows[index] = Window()
        return win

    def op(self, name: str) -> OpRecord:
        record = self.ops.get(name)
        if record is None:
            record = self.ops[name] = OpRecord()
        return record

    def record(self, operation: str, latency_s: float, failure: str | None = None,
               checks: tuple[str, ...] = (), due: float | None = None) -> None:
        us = to_us(latency_s)
        self.op(operation).record(us, failure, checks)
        win = self.window(due)
        if win is not None:
            win.op(operation).record(us, failure, checks)
        if failure is None:
            self.answered += 1
            received = due + latency_s if due is not None else perf_counter()
            if self.window_from <= received < self.window_until:
                self.answered_in_window += 1

    def record_lag(self, lag_s: float, due: float | None = None, late: bool = False) -> None:
        self.lag.record_value(to_us(max(lag_s, 0.0)))
        win = self.window(due)
        if win is not None:
            win.schedule["started"] += 1
            if late:
                win.schedule["sent_late"] += 1

    def count_in_window(self, name: str, n: int = 1, due: float | None = None) -> None:
        """Add to a schedule counter of the window of ``due`` (default: now)."""
        win = self.window(perf_counter() if due is None else due)
        if win is not None and n:
            win.schedule[name] += n

    def total(self) -> OpRecord:
        total = OpRecord()
        for record in self.ops.values():
            total.add(record)
        return total

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.ops.values())

    def empty(self) -> bool:
        return not self.ops and not self.schedule

    def to_wire(self) -> dict[str, Any]:
        """A JSON-safe form for locust's worker->master messages."""
        return {"ops": {name: r.to_wire() for name, r in self.ops.items() if r.requests},
                "schedule": dict(self.schedule),
                "lag": encoded(self.lag) if self.lag.get_total_count() else None,
                "window_s": self.window_s,
                "windows": {str(i): w.to_wire() for i, w in self.windows.items()}}

    def add_wire(self, wire: dict[str, Any]) -> None:
        for name, data in wire["ops"].items():
            self.op(name).add_wire(data)
        self.schedule.update(wire["schedule"])
        if wire.get("lag"):
            self.lag.decode_and_add(wire["lag"].encode("ascii"))
        self.window_s = int(wire.get("window_s") or self.window_s)
        for index, data in (wire.get("windows") or {}).items():
            win = self.windows.get(int(index))
            if win is None:
                win = self.windows[int(index)] = Window()
            win.add_wire(data)

    def windows_summary(self) -> list[WindowStats]:
        """The windows for summary.json, in time order, empty ones included so charts keep their scale."""
        if not self.windows:
            return []
        out = []
        for index in range(max(self.windows) + 1):
            win = self.windows.get(index) or Window()
            out.append(win.summary(index * self.window_s, self.window_s))
        return out

    def take_wire(self) -> dict[str, Any]:
        """The delta since the last call, then reset: what a worker sends in each report."""
        wire = self.to_wire()
        self.reset()
        return wire

    def reset(self) -> None:
        self.ops.clear()
        self.schedule.clear()
        self.lag.reset()
        self.windows.clear()


@dataclass
class Window:
    """One window of a run: per-operation latencies (coarser histograms) and schedule counters."""

    ops: dict[str, OpRecord] = field(default_factory=dict)
    schedule: Counter[str] = field(default_factory=Counter)  # started, sent_late, unsent, unfinished

    def op(self, name: str) -> OpRecord:
        record = self.ops.get(name)
        if record is None:
            record = self.ops[name] = OpRecord(histogram=new_histogram(WINDOW_DIGITS))
        return record

    def to_wire(self) -> dict[str, Any]:
        return {"ops": {name: r.to_wire() for name, r in self.ops.items() if r.requests},
                "schedule": dict(self.schedule)}

    def add_wire(self, wire: dict[str, Any]) -> None:
        for name, data in wire["ops"].items():
            self.op(name).add_wire(data)
        self.schedule.update(wire["schedule"])

    def summary(self, start_s: float, width_s: float) -> WindowStats:
        ops: dict[str, WindowOpStats] = {}
        kinds: Counter[str] = Counter()
        checks: Counter[str] = Counter()
        for name, record in sorted(self.ops.items()):
            lat = record.latency_ms()
            ops[name] = {"requests": record.requests, "failures": record.failures,
                         "violations": record.contract_violations,
                         "p50": lat["p50"], "p95": lat["p95"], "p99": lat["p99"], "max": lat["max"]}
            kinds.update(record.failures_by_kind)
            checks.update(record.violations_by_check)
        return {"t": start_s, "width_s": width_s, "ops": ops,
                "failures_by_kind": dict(sorted(kinds.items())),
                "violations_by_check": dict(sorted(checks.items())),
                "started": self.schedule.get("started", 0), "sent_late": self.schedule.get("sent_late", 0),
                "unsent": self.schedule.get("unsent", 0), "unfinished": self.schedule.get("unfinished", 0)}
