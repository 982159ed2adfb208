"""HDR recording and its merge across processes (what the master does with worker reports)."""

from __future__ import annotations

import json
import random

from ecekit.load.recorder import Recorder, to_us


def _fill(rec: Recorder, rng: random.Random, n: int) -> list[float]:
    values = []
    for _ in range(n):
        v = rng.choice((0.002, 0.010, 0.040)) + rng.random() * 0.001
        values.append(v)
        rec.record("chatAllowed", v, "timeout" if v > 0.0405 else None,
                   ("xsd",) if v < 0.0021 else ())
    return values


def test_merged_workers_equal_one_process() -> None:
    rng = random.Random(7)
    single, w1, w2, master = Recorder(), Recorder(), Recorder(), Recorder()
    for worker in (w1, w2):
        for _ in range(3):  # several reports per worker, each a delta
            state = rng.getstate()
            _fill(worker, rng, 500)
            rng.setstate(state)
            _fill(single, rng, 500)
            wire = json.loads(json.dumps(worker.take_wire()))  # travels as JSON-safe data
            master.add_wire(wire)
            assert worker.empty()
    a, b = master.total(), single.total()
    assert (a.requests, a.failures, a.contract_violations, a.max_us) == (b.requests, b.failures,
                                                                         b.contract_violations, b.max_us)
    assert a.latency_ms() == b.latency_ms()
    assert a.violations_by_check == b.violations_by_check == {"xsd": b.contract_violations}


def test_microsecond_resolution_and_exact_max() -> None:
    rec = Recorder()
    for us in (1500, 1501, 1502, 40_123):
        rec.record("capacity", us / 1e6)
    lat = rec.op("capacity").latency_ms()
    assert lat["p50"] == 1.501
    assert lat["max"] == 40.123  # exact, not the bucket's upper edge
    assert lat["p999"] <= lat["max"]


def test_to_us_clamps() -> None:
    assert to_us(0) == 1
    assert to_us(1e9) == 3_600_000_000


def test_windows_merge_across_workers_like_the_totals() -> None:
    """Per-window counts from two workers, shipped as deltas, add up to the merged totals."""
    master = Recorder(window_s=1)
    rng = random.Random(7)
    expected = 0
    for _worker in range(2):
        rec = Recorder(window_s=1)
        rec.start_clock(100.0)
        for i in range(300):
            due = 100.0 + i * 0.01  # three one-second windows
            rec.record("chatAllowed", 0.002 + rng.random() / 1000, None, (), due=due)
            rec.record_lag(0.0001, due, late=i % 100 == 0)
            expected += 1
            if i == 150:
                master.add_wire(json.loads(json.dumps(rec.take_wire())))
        master.add_wire(json.loads(json.dumps(rec.take_wire())))
    windows = master.windows_summary()
    assert [w["t"] for w in windows] == [0, 1, 2]
    assert sum(w["ops"]["chatAllowed"]["requests"] for w in windows) == expected == master.requests
    assert [w["started"] for w in windows] == [200, 200, 200]
    assert [w["sent_late"] for w in windows] == [2, 2, 2]
    assert all(2.0 <= w["ops"]["chatAllowed"]["p50"] <= 3.1 for w in windows)


def test_a_worker_report_carries_everything_and_resets() -> None:
    """What a worker sends (take_wire, through JSON as locust does) is what the master adds: counts by
    kind and check, the schedule and the lag histogram; the worker starts again from nothing."""
    import json

    worker = Recorder()
    assert worker.empty()
    worker.schedule["late"] += 1
    assert not worker.empty()  # a schedule count alone is worth a report
    for failure in ("timeout", "timeout", None):
        worker.record("capacity", 0.004, failure, ("xsd",) if failure is None else ())
    worker.schedule.update({"page_views": 3, "unsent": 2})
    worker.record_lag(0.0015)
    worker.record_lag(0.0005)
    master = Recorder()
    master.add_wire(json.loads(json.dumps(worker.take_wire())))
    assert worker.empty() and worker.lag.get_total_count() == 0
    cap = master.ops["capacity"]
    assert (cap.requests, cap.failures, cap.contract_violations, cap.max_us) == (3, 2, 1, 4000)
    assert dict(cap.failures_by_kind) == {"timeout": 2} and dict(cap.violations_by_check) == {"xsd": 1}
    assert dict(master.schedule) == {"late": 1, "page_views": 3, "unsent": 2}
    assert (master.lag.get_total_count(), master.lag.get_max_value()) == (2, 1500)
    master.add_wire(json.loads(json.dumps(Recorder().to_wire())))  # an empty report changes nothing
    assert master.lag.get_total_count() == 2 and master.ops["capacity"].requests == 3
