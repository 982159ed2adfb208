"""The recorder's windows and measured window, exactly (pure: explicit times, no clock read)."""

from __future__ import annotations

import pytest

from ecekit.load import generator
from ecekit.load.recorder import MAX_WINDOWS, OpRecord, Recorder, Window, to_us, window_width


@pytest.mark.parametrize(("duration", "width"), [
    (None, 10), (0.0, 10), (float("inf"), 10), (float("nan"), 10), (30.0, 1), (120.0, 1), (121.0, 2),
    (240.0, 2), (600.0, 5), (1200.0, 10), (3600.0, 30), (72_000.0, 600), (10 ** 6, 600),
])
def test_window_width_keeps_a_run_under_max_windows(duration: float | None, width: int) -> None:
    assert window_width(duration) == width
    assert MAX_WINDOWS == 120


def test_to_us_rounds_to_the_microsecond() -> None:
    assert [to_us(s) for s in (0.0000014, 0.0000016, 0.0015, -1.0)] == [1, 2, 1500, 1]


def test_answers_count_as_throughput_inside_the_measured_window_only() -> None:
    rec = Recorder()
    rec.measure_between(10.0, 20.0)
    rec.record("chatAllowed", 1.0, due=8.0)  # received at 9.0: before the window
    rec.record("chatAllowed", 1.0, due=9.0)  # received at 10.0: the window's first instant
    rec.record("chatAllowed", 1.0, due=18.0)  # received at 19.0
    rec.record("chatAllowed", 1.0, due=19.0)  # received at 20.0: the window has closed
    rec.record("chatAllowed", 0.5, "timeout", due=15.0)  # no usable answer: not throughput
    assert (rec.answered, rec.answered_in_window) == (4, 2)
    always = Recorder()
    always.record("chatAllowed", 0.001)  # no window set: every usable answer counts
    assert (always.answered, always.answered_in_window) == (1, 1)


def test_windows_count_from_the_first_arrival() -> None:
    rec = Recorder(window_s=5)
    assert rec.window(3.0) is None  # no clock yet
    rec.start_clock(100.0)
    rec.start_clock(200.0)  # the first start wins
    assert rec.origin == 100.0
    assert rec.window(None) is None
    rec.record("capacity", 0.001, due=99.0)  # before the origin: the first window
    rec.record("capacity", 0.002, "http_503", due=104.999)
    rec.record("capacity", 0.003, None, ("xsd", "semantics"), due=105.0)
    rec.record("chatAllowed", 0.001, "timeout", due=116.0)
    rec.record_lag(0.0002, due=100.0, late=True)
    rec.record_lag(-0.5, due=101.0)  # early is recorded as no lag
    rec.count_in_window("unsent", 2, due=111.0)
    rec.count_in_window("unfinished", 0, due=111.0)  # nothing to add: the window stays as it is
    assert sorted(rec.windows) == [0, 1, 2, 3]
    assert (rec.lag.get_total_count(), rec.lag.get_min_value()) == (2, 1)
    got = rec.windows_summary()
    assert [w["t"] for w in got] == [0, 5, 10, 15] and all(w["width_s"] == 5 for w in got)
    assert got[0] == {"t": 0, "width_s": 5,
                      "ops": {"capacity": {"requests": 2, "failures": 1, "violations": 0, "p50": 1.003,  # 1 % buckets
                                           "p95": 2.0, "p99": 2.0, "max": 2.0}},
                      "failures_by_kind": {"http_503": 1}, "violations_by_check": {},
                      "started": 2, "sent_late": 1, "unsent": 0, "unfinished": 0}
    assert got[1]["ops"]["capacity"]["violations"] == 1
    assert got[1]["violations_by_check"] == {"semantics": 1, "xsd": 1}
    assert got[2] == {"t": 10, "width_s": 5, "ops": {}, "failures_by_kind": {}, "violations_by_check": {},
                      "started": 0, "sent_late": 0, "unsent": 2, "unfinished": 0}
    assert got[3]["failures_by_kind"] == {"timeout": 1}


def test_a_gap_in_the_windows_is_an_empty_window() -> None:
    rec = Recorder(window_s=1)
    rec.start_clock(0.0)
    rec.record("capacity", 0.001, due=0.5)
    rec.record("capacity", 0.001, due=3.5)
    assert [(w["t"], w["ops"].get("capacity", {}).get("requests", 0)) for w in rec.windows_summary()] == [
        (0, 1), (1, 0), (2, 0), (3, 1)]
    assert Recorder().windows_summary() == []


def test_window_wire_keeps_only_operations_with_requests() -> None:
    win = Window()
    win.op("capacity")
    win.op("chatAllowed").record(1000, None, ())
    win.schedule["started"] += 1
    wire = win.to_wire()
    assert list(wire["ops"]) == ["chatAllowed"] and wire["schedule"] == {"started": 1}
    back = Window()
    back.add_wire(wire)
    back.add_wire(wire)
    assert back.ops["chatAllowed"].requests == 2 and back.schedule["started"] == 2
    assert back.ops["chatAllowed"].histogram.get_total_count() == 2


def test_a_merged_report_takes_the_window_width_it_carries() -> None:
    worker = Recorder(window_s=30)
    master = Recorder()
    master.add_wire(worker.to_wire())
    assert master.window_s == 30
    master.add_wire({"ops": {}, "schedule": {}})  # an old report without windows
    assert master.window_s == 30 and master.windows == {}


def test_an_op_record_counts_each_answer_once() -> None:
    record = OpRecord()
    record.record(5, "timeout", ())
    record.record(3, None, ("xsd", "semantics"))
    record.record(9, None, ())
    assert (record.requests, record.failures, record.contract_violations, record.max_us) == (3, 1, 1, 9)
    assert dict(record.violations_by_check) == {"xsd": 1, "semantics": 1}
    other = OpRecord()
    other.record(4, None, ())
    other.add(record)
    assert (other.requests, other.failures, other.contract_violations, other.max_us) == (4, 1, 1, 9)
    assert other.histogram.get_total_count() == 4


def test_total_and_requests_sum_every_operation() -> None:
    rec = Recorder()
    rec.record("capacity", 0.001, "timeout")
    rec.record("chatAllowed", 0.003, None, ("xsd",))
    rec.record("chatAllowed", 0.002)
    total = rec.total()
    assert (rec.requests, total.requests, total.failures, total.contract_violations, total.max_us) == (
        3, 3, 1, 1, 3000)
    rec.reset()
    assert rec.empty() and rec.requests == 0


def test_generator_figures_on_a_zero_length_window() -> None:
    assert generator.figures("local", 0.5, 0.0, 3) == {"role": "local", "cpu_s": 0.5, "wall_s": 0.0,
                                                        "busy": 0.0, "answered_in_window": 3}
    assert generator.figures("w", 0.12345, 0.5, 1)["busy"] == 0.247
    sec = generator.section([], duration_s=0.0)
    assert (sec["busy_max"], sec["answered_in_window"], sec["answered_rps"], sec["processes"]) == (0.0, 0, 0.0, [])
    assert generator.section([generator.figures("w", 1, 3, 10)], duration_s=3.0)["answered_rps"] == 3.333


def test_a_stopped_meter_keeps_its_first_stop() -> None:
    meter = generator.GeneratorMeter(cpu0=0.0, wall0=0.0)
    meter.stopped = (1.0, 2.0, 10)
    meter.stop(answered=99)
    assert meter.figures("local", answered=50) == {"role": "local", "cpu_s": 1.0, "wall_s": 2.0, "busy": 0.5,
                                                   "answered_in_window": 10}
