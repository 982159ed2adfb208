"""What the visitors saw: the widget's state per page view, recorded like latencies, merged like them.

Per (widget, entry point): how many page views first showed each state, how many ever showed an
error (on load or while polling), the time until the first state (an HDR histogram, from the page
view's *scheduled* arrival, like every latency of ecekit), the state changes seen while polling, and
the same over 10 s windows (by arrival). Workers ship deltas to the master exactly as the Recorder
does (the histogram in hdrhistogram's compressed encoding); this module imports neither locust nor gevent.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from hdrh.histogram import HdrHistogram

from ecekit.load.recorder import PERCENTILES, encoded, new_histogram, to_us
from ecekit.run_summaries import FirstStateMs, VisitorShares, VisitorWindow, WidgetOutcomes
from ecekit.widgets import STATES

WINDOW_S = 10


@dataclass
class EntryOutcomes:
    page_views: int = 0
    first_state: Counter[str] = field(default_factory=Counter)
    ever_error: int = 0
    changes: Counter[str] = field(default_factory=Counter)  # "available>busy": n
    first_state_time: HdrHistogram = field(default_factory=new_histogram)
    max_us: int = 0
    windows: dict[int, Counter[str]] = field(default_factory=dict)  # window -> page_views, <state>, ever_error

    def window(self, index: int) -> Counter[str]:
        win = self.windows.get(index)
        if win is None:
            win = self.windows[index] = Counter()
        return win

    def to_wire(self) -> dict[str, Any]:
        return {"page_views": self.page_views, "first_state": dict(self.first_state), "ever_error": self.ever_error,
                "changes": dict(self.changes), "max_us": self.max_us,
                "first_state_time": encoded(self.first_state_time)
                if self.first_state_time.get_total_count() else None,
                "windows": {str(i): dict(c) for i, c in self.windows.items()}}

    def add_wire(self, wire: dict[str, Any]) -> None:
        self.page_views += wire["page_views"]
        self.first_state.update(wire["first_state"])
        self.ever_error += wire["ever_error"]
        self.changes.update(wire["changes"])
        self.max_us = max(self.max_us, wire["max_us"])
        if wire.get("first_state_time"):
            self.first_state_time.decode_and_add(wire["first_state_time"].encode("ascii"))
        for index, counts in wire.get("windows", {}).items():
            self.window(int(index)).update(counts)

    def add(self, other: EntryOutcomes) -> None:
        self.add_wire(other.to_wire())


@dataclass
class Outcomes:
    """Every widget's outcomes in one process (or, merged, the run). Keyed (widget, entry point)."""

    by: dict[tuple[str, str], EntryOutcomes] = field(default_factory=dict)
    origin: float | None = None  # the schedule's start on this process's clock, for the windows

    def entry(self, widget: str, entry_point: str) -> EntryOutcomes:
        key = (widget, entry_point)
        found = self.by.get(key)
        if found is None:
            found = self.by[key] = EntryOutcomes()
        return found

    def _window(self, arrival: float) -> int:
        return 0 if self.origin is None else max(0, int((arrival - self.origin) // WINDOW_S))

    def first(self, widget: str, entry_point: str, state: str, arrival: float, seconds: float) -> None:
        """A page view's first state, ``seconds`` after its scheduled arrival."""
        e = self.entry(widget, entry_point)
        e.page_views += 1
        e.first_state[state] += 1
        us = to_us(seconds)
        e.first_state_time.record_value(us)
        e.max_us = max(e.max_us, us)
        win = e.window(self._window(arrival))
        win["page_views"] += 1
        win[state] += 1
        if state == "error":
            e.ever_error += 1
            win["ever_error"] += 1

    def change(self, widget: str, entry_point: str, old: str, new: str, arrival: float, first_error: bool) -> None:
        """A state change seen while polling (``first_error``: this page view shows its first error)."""
        e = self.entry(widget, entry_point)
        e.changes[f"{old}>{new}"] += 1
        if first_error:
            e.ever_error += 1
            e.window(self._window(arrival))["ever_error"] += 1

    def to_wire(self) -> dict[str, Any]:
        return {f"{w}\t{ep}": e.to_wire() for (w, ep), e in self.by.items()}

    def add_wire(self, wire: dict[str, Any]) -> None:
        for key, data in wire.items():
            widget, _, ep = key.partition("\t")
            self.entry(widget, ep).add_wire(data)

    def reset(self) -> None:
        self.by.clear()

    def empty(self) -> bool:
        return not self.by


def _first_state_ms(e: EntryOutcomes) -> FirstStateMs:
    h = e.first_state_time
    if not h.get_total_count():
        return {"p50": None, "p95": None, "p99": None}
    at = {name: round(min(h.get_value_at_percentile(p), e.max_us) / 1000, 3)
          for name, p in PERCENTILES.items() if name in ("p50", "p95", "p99")}
    return {"p50": at["p50"], "p95": at["p95"], "p99": at["p99"]}


def _shares(e: EntryOutcomes) -> VisitorShares:
    n = e.page_views or 1
    return {
        "page_views": e.page_views,
        "first_state": {s: round(e.first_state.get(s, 0) / n, 6) for s in STATES},
        "ever_error": round(e.ever_error / n, 6),
        "first_state_ms": _first_state_ms(e),
        "state_changes": dict(sorted(e.changes.items())),
    }


def _windows(e: EntryOutcomes) -> list[VisitorWindow]:
    if not e.windows:
        return []
    out: list[VisitorWindow] = []
    for index in range(max(e.windows) + 1):
        counts = e.windows.get(index, Counter())
        n = counts.get("page_views", 0)
        out.append({"t": index * WINDOW_S, "page_views": n,
                    "first_state": {s: round(counts.get(s, 0) / n, 6) if n else 0.0 for s in STATES},
                    "ever_error": round(counts.get("ever_error", 0) / n, 6) if n else 0.0})
    return out


def summary(outcomes: Outcomes) -> dict[str, WidgetOutcomes]:
    """The ``outcomes`` section of summary.json, per widget: the whole run, by entry point, over time."""
    out: dict[str, WidgetOutcomes] = {}
    for widget in sorted({w for w, _ in outcomes.by}):
        total = EntryOutcomes()
        by_ep: dict[str, VisitorShares] = {}
        for (w, ep), e in sorted(outcomes.by.items()):
            if w != widget:
                continue
            total.add(e)
            by_ep[ep] = _shares(e)
        # the whole histogram, not only its percentiles: ecekit compare tests two runs' distributions
        out[widget] = {**_shares(total), "by_entry_point": by_ep, "windows": _windows(total),
                       "window_s": WINDOW_S, "first_state_histogram": encoded(total.first_state_time)}
    return out
