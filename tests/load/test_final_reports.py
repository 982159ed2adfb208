"""A distributed run's master waits for every worker's last report before it writes the summary.

Seen on a busy machine: a 1-second capacity step with two workers ended before the master had heard of
any user, locust did not wait for the workers, and the summary had no answer at all.
"""

from __future__ import annotations

from ecekit.load import runstate


def _master(workers: int, shape_ended: bool) -> runstate.RunState:
    state = runstate.RunState(settings=None, environment=None)  # type: ignore[arg-type]
    state.workers, state.shape_ended = workers, shape_ended
    return state


def _workers_reporting(state: runstate.RunState, at: dict[int, str]):  # type: ignore[no-untyped-def]
    """A sleep that lets worker ``at[n]``'s last delta arrive during the n-th nap."""
    naps = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) in at:
            state.final_reports.add(at[len(naps)])

    return sleep, naps


def test_the_master_waits_for_each_workers_last_delta() -> None:
    state = _master(2, shape_ended=True)
    sleep, naps = _workers_reporting(state, {3: "w1", 7: "w2"})
    state.await_final_reports(sleep, seconds=60)
    assert state.final_reports == {"w1", "w2"} and len(naps) == 7


def test_a_worker_that_never_reports_is_waited_for_once() -> None:
    """The summary is written on test_stop and again on quitting: the second write does not wait again."""
    state = _master(2, shape_ended=True)
    sleep, naps = _workers_reporting(state, {1: "w1"})
    state.await_final_reports(sleep, seconds=0.3)
    waited = len(naps)
    state.await_final_reports(sleep, seconds=0.3)
    assert state.final_reports == {"w1"} and waited > 1 and len(naps) == waited


def test_a_stop_by_signal_does_not_wait() -> None:
    state = _master(2, shape_ended=False)
    sleep, naps = _workers_reporting(state, {1: "w1"})
    state.await_final_reports(sleep, seconds=60)
    assert naps == []


def test_the_wait_is_bounded() -> None:
    state = _master(2, shape_ended=True)
    sleep, naps = _workers_reporting(state, {1: "w1"})
    state.await_final_reports(sleep, seconds=0)
    assert state.final_reports == set() and naps == []
