"""When a run's arrival shape is over: a local run when its stream drained, a distributed run's master
when every worker's last delta is in.

Seen on a busy machine: a 1-second capacity step with two workers ended before the master had heard of
any user (locust learns of them from reports every few seconds), and the summary had no answer at all.
"""

from __future__ import annotations

from ecekit.load import runstate

END, DRAIN_END = 1.0, 6.0


def _state(workers: int = 1, reported: tuple[str, ...] = ()) -> runstate.RunState:
    state = runstate.RunState(settings=None, environment=None)  # type: ignore[arg-type]
    state.workers = workers
    state.final_reports.update(reported)
    return state


def _over(state: runstate.RunState, t: float, *, master: bool, users: int = 0) -> bool:
    return state.shape_over(master=master, t=t, end=END, drain_end=DRAIN_END, users=users)


def test_a_master_ends_when_every_worker_has_sent_its_last_delta() -> None:
    # it knows of no user at all (no report yet): that is no reason to stop
    assert not _over(_state(2), END + 1.5, master=True, users=0)
    assert not _over(_state(2, ("w1",)), DRAIN_END + 1, master=True)
    assert _over(_state(2, ("w1", "w2")), END + 0.2, master=True, users=2)


def test_a_master_gives_up_on_a_silent_worker_after_the_drain_and_a_grace() -> None:
    state = _state(2, ("w1",))
    assert not _over(state, DRAIN_END + runstate.FINAL_REPORT_GRACE_S - 0.1, master=True)
    assert _over(state, DRAIN_END + runstate.FINAL_REPORT_GRACE_S + 0.1, master=True)


def test_a_local_run_ends_when_its_users_are_done_or_the_drain_is_over() -> None:
    assert not _over(_state(), END + 0.5, master=False, users=0)  # a second after the last arrival at least
    assert not _over(_state(), END + 1.5, master=False, users=1)
    assert _over(_state(), END + 1.5, master=False, users=0)
    assert _over(_state(), DRAIN_END + 0.1, master=False, users=1)
    assert not _over(_state(), DRAIN_END, master=False, users=1)
