"""Every worker judged on its own share, every step: a worker that fell behind while the merged
schedule looks healthy is named with what it lacked, and a worker lost mid-step makes the step the
generator's (never a server verdict)."""

from __future__ import annotations

from typing import Any

from ecekit.capacity import report, search, step
from tests.capacity.fakes import summary

SETTINGS = {"profile": "one-call", "workers": 2, "step_duration_s": 2.0, "warmup_s": 0.0, "ladder": [100.0],
            "refine": 0, "repeat": 0}


def worker(pid: int, *, page_views: int = 500, late: int = 0, unsent: int = 0, lag_p50: float = 0.2,
           busy: float = 0.3, pool_full: int = 0, share: float = 0.5, rate: float = 100.0) -> dict[str, Any]:
    return {"role": "worker", "cpu_s": busy * 10, "wall_s": 10.0, "busy": busy, "answered_in_window": page_views,
            "id": f"load1_{pid:032x}", "host": "load1", "pid": pid,
            "schedule": {"streams": 1, "total_streams": 2, "share": share, "offered_rps": rate * share,
                         "page_views": page_views, "sent_late": late, "unsent": unsent, "no_free_worker": pool_full,
                         "lag_ms": {"p50": lag_p50, "p90": lag_p50, "p95": lag_p50, "p99": lag_p50,
                                    "p999": lag_p50, "max": lag_p50}}}


def with_workers(*workers: dict[str, Any], lost: tuple[str, ...] = ()) -> dict[str, Any]:
    data = summary(rate=100, p95=20)
    data["generator"]["processes"] = [{"role": "master", "cpu_s": 0.1, "wall_s": 10.0, "busy": 0.01,
                                       "answered_in_window": 0}, *workers]
    data["workers"] = data["workers_reported"] = len(workers)
    if lost:
        data["lost_workers"] = list(lost)
    return data


def test_healthy_workers_have_no_problems() -> None:
    assert step.generator_problems(with_workers(worker(11), worker(12))) == []


def test_a_worker_starved_of_cpu_is_named_though_the_merged_schedule_looks_fine() -> None:
    # 60 of 1000 page views late in all (6 %, under the step's 10 % mark), all of them one worker's
    data = with_workers(worker(11), worker(12, late=60, lag_p50=0.4, busy=0.2, page_views=500))
    data["schedule"]["sent_late"] = 60
    assert step.generator_problems(data) == [
        "worker load1 pid 12 (its share 50 page views/s) could not keep up: 12% of its page views started late "
        "(median lag 0.4 ms), while it used only 20% of a core: its machine is short of CPU"]
    data["generator"]["processes"] = data["generator"]["processes"][:1]  # the merged figures alone: not seen
    assert step.generator_problems(data) == []
    data = with_workers(worker(11), worker(12, late=300, lag_p50=45, busy=0.2))
    assert step.generator_problems(data) == [
        "worker load1 pid 12 (its share 50 page views/s) could not keep up: 60% of its page views started late "
        "(median lag 45 ms), while it used only 20% of a core: its machine is short of CPU"]


def test_a_worker_late_on_more_than_a_tenth_of_its_share_is_named() -> None:
    assert step.generator_problems(with_workers(worker(11, late=50), worker(12))) == []  # exactly 10 %
    assert step.generator_problems(with_workers(worker(11, late=51), worker(12))) == [
        "worker load1 pid 11 (its share 50 page views/s) could not keep up: 10% of its page views started late "
        "(median lag 0.2 ms), while it used only 30% of a core: its machine is short of CPU"]


def test_a_few_late_page_views_of_a_short_step_are_no_falter() -> None:
    assert step.generator_problems(with_workers(worker(11, page_views=12, late=4))) == []
    assert step.generator_problems(with_workers(worker(11, page_views=12, late=5))) == [
        "worker load1 pid 11 (its share 50 page views/s) could not keep up: 42% of its page views started late "
        "(median lag 0.2 ms), while it used only 30% of a core: its machine is short of CPU"]


def test_what_a_worker_lacked_its_pool_its_core_its_sends() -> None:
    problems = step.generator_problems(with_workers(
        worker(11, late=300, lag_p50=30, pool_full=151, busy=0.5), worker(12, busy=0.86),
        worker(13, unsent=7, share=0.25, rate=100.0)))
    assert problems == [
        "worker load1 pid 11 (its share 50 page views/s) could not keep up: 60% of its page views started late "
        "(median lag 30 ms); its max_in_flight page-view workers were all busy",
        "worker load1 pid 12 (its share 50 page views/s) could not keep up: it used 86% of a CPU core",
        "worker load1 pid 13 (its share 25 page views/s) could not keep up: 7 of its page views could not be sent"]
    # a busy core and a slipped schedule together: the core is not called short
    assert step.generator_problems(with_workers(worker(11, late=300, lag_p50=30, busy=0.9))) == [
        "worker load1 pid 11 (its share 50 page views/s) could not keep up: 60% of its page views started late "
        "(median lag 30 ms); it used 90% of a CPU core"]


def test_a_lost_worker_makes_the_step_the_generators() -> None:
    data = with_workers(worker(11), lost=("load2 pid 99 (load2_abc)",))
    problems = step.generator_problems(data)
    assert problems == ["worker load2 pid 99 (load2_abc) was lost during the step: its share of the load stopped, "
                        "so the step is inconclusive (the search ends here)"]
    result = step.from_summary(100, data)
    assert not result.generator_ok and step.verdict(result) == "WORKER LOST: inconclusive"
    table = report.render(report.build(search.Outcome(steps=[result]), [], SETTINGS))  # type: ignore[arg-type]
    assert "WORKER LOST: inconclusive" in table


def test_a_local_run_without_worker_figures_is_judged_as_before() -> None:
    data = with_workers({"role": "worker", "cpu_s": 1.0, "wall_s": 10.0, "busy": 0.1, "answered_in_window": 5})
    assert step.generator_problems(data) == []


def test_a_worker_whose_page_views_all_ended_after_the_step_is_judged_without_a_crash() -> None:
    """Late is counted when a page view starts, page views when it ends: a worker stalled to the end of a
    step may report late page views and none ended (hostile timing, never a ZeroDivisionError)."""
    problems = step.generator_problems(with_workers(worker(11), worker(12, page_views=0, late=8, lag_p50=0.2)))
    assert len(problems) == 1 and problems[0].startswith("worker load1 pid 12 ")
