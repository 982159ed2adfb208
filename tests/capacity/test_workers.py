"""How many load workers a rate needs, from the steps of a search: one worker's page views/s at the
busiest healthy step, scaled to the 85 % of a core where a worker tops out; the workers a target
needs rounded up; steps that tell nothing (a faltering generator, an idle one) never used."""

from __future__ import annotations

from ecekit.capacity import report, search, step, workers
from ecekit.load import slo
from tests.capacity.fakes import summary


def made(rate: float, busy: float, processes: int = 1, late: int = 0) -> step.Step:
    data = summary(rate=rate, p95=20, busy=busy, late=late)
    data["workers"] = data["workers_reported"] = processes
    return step.from_summary(rate, data)


def test_one_workers_ceiling_comes_from_the_busiest_healthy_step() -> None:
    steps = [made(100, 0.10, 2), made(400, 0.34, 2), made(800, 0.9, 2)]  # the last: a core used up
    found = workers.ceiling(steps, 5000)
    assert found is not None
    assert found["from_step"] == 2 and found["per_worker_rps"] == 500.0  # 200/s per worker at 34 % -> 85 %
    assert found["workers_needed"] == 10
    assert workers.sentence(found) == (
        "one worker sustains about 500 page views/s here (step 2: each of 2 worker(s) sent 200.0 page views/s "
        "with its busiest at 34% of a core; a worker tops out near 85%); 5000 page views/s needs 10 worker(s)")
    assert workers.ceiling(steps, 5001)["workers_needed"] == 11  # type: ignore[index]  # rounded up
    assert workers.ceiling(steps, 1)["workers_needed"] == 1  # type: ignore[index]


def test_no_step_that_tells_gives_no_ceiling() -> None:
    assert workers.ceiling([], 100) is None
    assert workers.ceiling([made(10, 0.049)], 100) is None  # mostly fixed costs
    assert workers.ceiling([made(10, 0.3, late=900)], 100) is None  # the generator faltered
    assert workers.ceiling([made(10, 0.05)], 100) is not None


def test_capacity_json_and_its_text_say_it_for_the_target_or_the_max() -> None:
    outcome = search.Outcome(steps=[made(100, 0.17)], max_sustainable_rate=100)
    settings = {"profile": "one-call", "workers": 1, "step_duration_s": 10.0, "warmup_s": 0.0,
                "ladder": [100.0, 1000.0], "refine": 3, "repeat": 2}
    data = report.build(outcome, slo.parse_all([], ["p95=1s"]), settings)  # type: ignore[arg-type]
    assert data["generator_ceiling"]["target_rate"] == 1000.0 and data["generator_ceiling"]["workers_needed"] == 2
    data = report.build(outcome, slo.parse_all([], ["p95=1s"]), {**settings, "target_rate": 1500})  # type: ignore[typeddict-item]
    assert data["generator_ceiling"]["workers_needed"] == 3
    text = report.render(data)
    assert "generator: one worker sustains about 500 page views/s here" in text
    assert "lost worker" not in text
    lost = report.render({**data, "lost_workers": ["load2 pid 7"]})
    assert "lost worker(s): load2 pid 7; the search ended there" in lost
