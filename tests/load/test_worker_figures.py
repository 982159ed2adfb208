"""A worker's own figures, kept as its deltas leave for the master: what it was asked to send (its
streams' share of the rate) and what it did (page views, late, unsent, its lag), from the measured
window only (the warm-up forgotten, as the recorder forgets it)."""

from __future__ import annotations

from types import SimpleNamespace

from ecekit.load import runstate
from ecekit.load.recorder import Recorder


def state(streams: int) -> runstate.RunState:
    opts = SimpleNamespace(**{**dict.fromkeys(runstate.OPTIONS), "ece_profile": "one-call",
                              "ece_entry_points": "1001", "ece_rate": "300", "ece_streams": str(streams)})
    env = SimpleNamespace(parsed_options=opts, host="http://127.0.0.1:9/system", runner=None)
    return runstate.start(env, with_checker=False)


def delta(page_views: int, late: int, lags_ms: list[float], unsent: int = 0) -> dict:
    rec = Recorder()
    rec.schedule.update(page_views=page_views, late=late, unsent=unsent)
    for lag in lags_ms:
        rec.record_lag(lag / 1000)
    return rec.take_wire()


def test_a_workers_own_schedule_adds_up_its_deltas() -> None:
    s = state(streams=3)
    s.tally(delta(100, 5, [1.0] * 90 + [30.0] * 10))
    s.tally(delta(50, 20, [40.0] * 50, unsent=2))
    own = s.own_figures(streams=1)
    assert (own["streams"], own["total_streams"], own["share"], own["offered_rps"]) == (1, 3, 0.3333, 100.0)
    assert (own["page_views"], own["sent_late"], own["unsent"]) == (150, 25, 2)
    assert 0.99 <= own["lag_ms"]["p50"] <= 1.01 and 39.9 <= own["lag_ms"]["p95"] <= 40.1  # HDR, 3 digits


def test_the_warm_up_is_forgotten_as_the_recorder_forgets_it() -> None:
    s = state(streams=2)
    s.tally(delta(10, 10, [50.0] * 10))
    s.forget_own()
    s.tally(delta(20, 0, [0.5] * 20))
    own = s.own_figures(streams=1)
    assert (own["page_views"], own["sent_late"], own["share"]) == (20, 0, 0.5)
    assert own["lag_ms"]["max"] < 1.0
