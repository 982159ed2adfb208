"""The ``outcomes`` section of summary.json, computed from hand-fed page views (no load run).

Latencies below 2.048 ms are exact in the histogram, so every share, window and percentile below is
known to the digit.
"""

from __future__ import annotations

from ecekit.load.outcomes import WINDOW_S, EntryOutcomes, Outcomes, summary

ZERO = {"available": 0.0, "unavailable": 0.0, "busy": 0.0, "closed": 0.0, "error": 0.0}


def _shares(**shares: float) -> dict[str, float]:
    return {**ZERO, **shares}


def _seen() -> Outcomes:
    """Three page views of widget ``w`` on two entry points over three windows, and two state changes."""
    o = Outcomes(origin=100.0)
    o.first("w", "1001", "available", arrival=100.0, seconds=0.001)
    o.first("w", "1001", "error", arrival=125.0, seconds=0.002)
    o.first("w", "1002", "busy", arrival=101.0, seconds=0.0015)
    o.change("w", "1001", "available", "error", arrival=100.0, first_error=True)
    o.change("w", "1001", "error", "available", arrival=100.0, first_error=False)
    return o


def test_the_run_the_entry_points_and_the_windows_to_the_digit() -> None:
    got = summary(_seen())
    assert list(got) == ["w"]
    w = got["w"]
    assert w["page_views"] == 3
    assert w["first_state"] == _shares(available=0.333333, busy=0.333333, error=0.333333)
    assert w["ever_error"] == 0.666667  # the first error on load, and one seen while polling
    assert w["first_state_ms"] == {"p50": 1.5, "p95": 2.0, "p99": 2.0}
    assert w["state_changes"] == {"available>error": 1, "error>available": 1}
    assert w["window_s"] == WINDOW_S == 10
    assert w["windows"] == [
        {"t": 0, "page_views": 2, "first_state": _shares(available=0.5, busy=0.5), "ever_error": 0.5},
        {"t": 10, "page_views": 0, "first_state": ZERO, "ever_error": 0.0},  # empty, kept for the chart's scale
        {"t": 20, "page_views": 1, "first_state": _shares(error=1.0), "ever_error": 1.0},
    ]
    assert w["by_entry_point"] == {
        "1001": {"page_views": 2, "first_state": _shares(available=0.5, error=0.5), "ever_error": 1.0,
                 "first_state_ms": {"p50": 1.0, "p95": 2.0, "p99": 2.0},
                 "state_changes": {"available>error": 1, "error>available": 1}},
        "1002": {"page_views": 1, "first_state": _shares(busy=1.0), "ever_error": 0.0,
                 "first_state_ms": {"p50": 1.5, "p95": 1.5, "p99": 1.5}, "state_changes": {}},
    }


def test_widgets_are_kept_apart_and_sorted() -> None:
    o = Outcomes()
    o.first("zeta", "1", "closed", arrival=0.0, seconds=0.001)
    o.first("alpha", "1", "unavailable", arrival=0.0, seconds=0.001)
    got = summary(o)
    assert list(got) == ["alpha", "zeta"]
    assert got["alpha"]["first_state"] == _shares(unavailable=1.0)
    assert got["zeta"]["first_state"] == _shares(closed=1.0)
    assert got["alpha"]["page_views"] == got["zeta"]["page_views"] == 1


def test_windows_count_from_the_origin_and_never_before_it() -> None:
    o = Outcomes(origin=50.0)
    assert [o._window(t) for t in (50.0, 59.999, 60.0, 85.0, 10.0)] == [0, 0, 1, 3, 0]
    assert Outcomes()._window(1234.0) == 0  # no origin yet: everything in the first window


def test_a_page_view_that_only_changed_state_has_no_first_state_times() -> None:
    """An entry seen only through a change (its first state was counted by another process)."""
    o = Outcomes()
    o.change("w", "1001", "available", "busy", arrival=0.0, first_error=False)
    got = summary(o)["w"]
    assert got["page_views"] == 0 and got["ever_error"] == 0.0
    assert got["first_state"] == ZERO
    assert got["first_state_ms"] == {"p50": None, "p95": None, "p99": None}
    assert got["state_changes"] == {"available>busy": 1}
    assert got["windows"] == []


def test_a_first_error_while_polling_counts_in_its_window() -> None:
    o = Outcomes(origin=0.0)
    o.first("w", "1", "available", arrival=15.0, seconds=0.001)
    o.change("w", "1", "available", "error", arrival=15.0, first_error=True)
    o.change("w", "1", "error", "available", arrival=15.0, first_error=False)
    e = o.by[("w", "1")]
    assert e.ever_error == 1
    assert e.windows == {1: {"page_views": 1, "available": 1, "ever_error": 1}}


def test_the_wire_form_merges_exactly() -> None:
    one, merged = _seen(), Outcomes()
    merged.add_wire(one.to_wire())
    merged.add_wire(Outcomes().to_wire())  # an idle worker adds nothing
    assert summary(merged) == summary(one)
    twice = Outcomes()
    twice.add_wire(one.to_wire())
    twice.add_wire(one.to_wire())
    w = summary(twice)["w"]
    assert w["page_views"] == 6 and w["ever_error"] == 0.666667
    assert w["state_changes"] == {"available>error": 2, "error>available": 2}
    assert [win["page_views"] for win in w["windows"]] == [4, 0, 2]
    assert twice.by[("w", "1001")].max_us == 2000
    assert twice.by[("w", "1001")].first_state_time.get_total_count() == 4


def test_an_entry_without_times_travels_without_a_histogram() -> None:
    e = EntryOutcomes()
    e.changes["a>b"] += 1
    wire = e.to_wire()
    assert wire["first_state_time"] is None and wire["windows"] == {}
    back = EntryOutcomes()
    back.add_wire(wire)
    assert back.changes == {"a>b": 1} and back.first_state_time.get_total_count() == 0


def test_max_is_the_largest_of_the_merged() -> None:
    small, large = EntryOutcomes(), EntryOutcomes()
    small.max_us, large.max_us = 5, 9
    small.add(large)
    assert small.max_us == 9
    large.add(EntryOutcomes())
    assert large.max_us == 9


def test_reset_and_empty() -> None:
    o = _seen()
    assert not o.empty()
    o.reset()
    assert o.empty() and o.by == {}
