"""The evidence rule: a percentile verdict from enough answers, a breach only when its interval clears
the limit. On synthetic HDR histograms of a server whose true p95 is 1 ms (97 % x 1 ms, 3 % x 60 ms)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from scipy.stats import binom

from ecekit.capacity import evidence
from ecekit.capacity.ladder import Ladder
from ecekit.capacity.search import INCONCLUSIVE, MAX, SERVER, search
from ecekit.load import evidence as stats
from ecekit.load import slo, summary
from ecekit.load.recorder import OpRecord, Recorder
from tests.capacity.fakes import summary as fake_summary

P95_50MS = slo.parse_all(["p95=50ms", "errors=1%"])


def _brute_ranks(n: int, q: float, tail: float = 0.025) -> tuple[int | None, int | None]:
    lower = max(j for j in range(0, n + 2) if binom.cdf(j - 1, n, q) <= tail)
    upper = min(j for j in range(1, n + 2) if binom.cdf(j - 1, n, q) >= 1 - tail)
    return (lower if lower >= 1 else None), (upper if upper <= n else None)


@pytest.mark.parametrize("q", [0.5, 0.9, 0.95, 0.99])
def test_order_statistic_ranks_are_the_binomial_interval(q: float) -> None:
    for n in range(1, 400, 29):
        assert stats.ranks(n, q) == _brute_ranks(n, q), n


def test_minimum_samples_is_where_the_interval_gets_an_upper_end() -> None:
    assert [stats.minimum_samples(q) for q in (0.5, 0.9, 0.95, 0.99)] == [6, 36, 72, 368]
    assert stats.ranks(71, 0.95)[1] is None and stats.ranks(72, 0.95)[1] == 72


def _noisy(n: int, rng: random.Random, slow: float = 0.03) -> Recorder:
    rec = Recorder()
    for _ in range(n):
        rec.record("chatAllowed", 0.060 if rng.random() < slow else 0.001)
    return rec


def _quick_summary(rec: Recorder, rate: float) -> dict[str, Any]:
    """Only what the search reads, the SLO section annotated by the load run's own code (building the
    whole summary.json thousands of times would make this test slow)."""
    total = rec.total()
    p95 = total.latency_ms()["p95"]
    checks = [{"name": "p95", "limit": 50.0, "actual": p95, "unit": "ms", "passed": p95 <= 50.0},
              {"name": "errors", "limit": 1.0, "actual": 0.0, "unit": "%", "passed": True}]
    stats.annotate(checks, P95_50MS, {None: total})
    data = fake_summary(rate=rate, p95=p95, limit=50.0, achieved=float(total.requests))
    data["slo"] = {"passed": all(c["passed"] for c in checks), "checks": checks}
    return data


def _summary(rec: Recorder, rate: float, slos: list[slo.Slo] = P95_50MS) -> dict[str, Any]:
    """A step's summary.json built by the load run's own code from a synthetic recorder."""
    rec.schedule["page_views"] = rec.requests
    data = summary.build(rec, offered_rate=rate, duration_s=1.0, slos=slos)
    data["generator"] = {"busy_max": 0.1, "answered_rps": float(rec.requests), "processes": []}
    return data


def test_the_summary_carries_counts_and_the_interval_read_from_the_histogram() -> None:
    rec = Recorder()
    for i in range(100):
        rec.record("chatAllowed", 0.060 if i % 25 == 0 else 0.001)  # 4 of 100 slow
    check = _summary(rec, 100)["slo"]["checks"][0]
    ev = check["evidence"]
    assert (ev["samples"], ev["exceeding"], ev["allowed_share"], ev["minimum_samples"]) == (100, 4, 0.05, 72)
    lo, hi = stats.ranks(100, 0.95)
    assert lo == 90 and hi == 100  # the 90th and the 100th answer: 1 ms and 60 ms
    assert ev["ci95_ms"] == [1.0, 60.0]
    assert stats.exceeding(rec.total(), 0.5) == 100 and stats.exceeding(rec.total(), 60.0) == 0


def test_a_p95_from_a_handful_of_answers_rarely_confirms_a_breach() -> None:
    """For the 3 %-slow server, the fewest slow answers that confirm a p95 breach are so many that a
    step shows them less than once in a thousand; a sample breach short of that is only unconfirmed
    (repeat), and a clean sample too small to bound p95 is too few answers."""
    for n in (20, 35, 40, 60, 80, 140, 160, 320, 640):
        k_min = next(k for k in range(n + 1)
                     if evidence.Count("p95", 50.0, "ms", n, k, 0.05, True).verdict == evidence.BREACHED)
        assert binom.sf(k_min - 1, n, 0.03) < 1e-3, (n, k_min)
        assert evidence.Count("p95", 50.0, "ms", n, k_min - 1, 0.05, True).verdict in (
            evidence.UNCONFIRMED, evidence.TOO_FEW, evidence.HELD)
        assert evidence.Count("p95", 50.0, "ms", n, 0, 0.05, True).verdict == (
            evidence.TOO_FEW if n < 72 else evidence.HELD)


def test_a_real_breach_is_confirmed() -> None:
    count = evidence.Count("p95", 50.0, "ms", 100, 15, 0.05, percentile=True)  # 15 % slower than the limit
    assert count.verdict == evidence.BREACHED and "wholly above" in count.describe()
    assert evidence.Count("p95", 50.0, "ms", 20, 6, 0.05, True).verdict == evidence.BREACHED  # even from 20
    assert evidence.Count("errors", 1.0, "%", 1000, 40, 0.01, False).verdict == evidence.BREACHED
    assert evidence.Count("errors", 1.0, "%", 100, 2, 0.01, False).verdict == evidence.UNCONFIRMED


def test_tries_of_a_rate_are_pooled() -> None:
    few = {"checks": [{"name": "p95", "limit": 50.0, "unit": "ms", "passed": False, "actual": 60.0,
                       "evidence": {"samples": 20, "exceeding": 2, "allowed_share": 0.05}}]}
    more = {"checks": [{"name": "p95", "limit": 50.0, "unit": "ms", "passed": True, "actual": 1.0,
                        "evidence": {"samples": 120, "exceeding": 2, "allowed_share": 0.05}}]}
    assert evidence.judge([few]).verdict == evidence.UNSETTLED
    pooled = evidence.judge([few, more])
    assert pooled.verdict == evidence.HELD and pooled.counts[0].samples == 140 and pooled.counts[0].exceeding == 4


class NoisyModel:
    """The 97 % x 1 ms / 3 % x 60 ms server as step summaries: each step's answers drawn afresh
    (rate x 1 s x scale of them), the counts and intervals computed by the load run's own code."""

    def __init__(self, seed: int, slow: float = 0.03) -> None:
        self.rng = random.Random(seed)
        self.slow = slow
        self.asked: list[tuple[float, str, float]] = []

    def __call__(self, rate: float, number: int, phase: str, scale: float = 1.0) -> tuple[dict[str, Any], str]:
        self.asked.append((rate, phase, scale))
        return _quick_summary(_noisy(int(rate * scale), self.rng, self.slow), rate), f"steps/{number:02d}/summary.json"


def test_the_noisy_server_is_never_the_limit_of_a_short_ladder() -> None:
    """The issue's command (20, 40, 80, 160 page views/s, 1 s steps, p95 <= 50 ms), 50 times over with
    different draws: never limited by the server."""
    seen = set()
    for seed in range(50):
        out = search(Ladder(20, 160, factor=2), NoisyModel(seed), refine=3, repeats=2)
        assert out.limited_by != SERVER, (seed, [s.evidence for s in out.steps])
        seen.add(out.limited_by)
    assert MAX in seen


def test_too_few_answers_are_repeated_longer_then_inconclusive() -> None:
    model = NoisyModel(1, slow=0.0)
    out = search(Ladder(5, 10, factor=2), model, refine=3, repeats=2)  # 5/s x 1 s: 5, 10, 20 answers
    assert [(r, p, s) for r, p, s in model.asked] == [(5, "ladder", 1), (5, "repeat", 2), (5, "repeat", 4)]
    assert out.limited_by == INCONCLUSIVE and out.unsettled_at == 5 and out.max_sustainable_rate is None
    assert out.first_breach is None
    assert "too few answers" in out.steps[-1].evidence["reasons"][0]


def test_an_unconfirmed_breach_that_repeats_hold_is_climbed_past() -> None:
    def run(rate: float, number: int, phase: str, scale: float = 1.0) -> tuple[dict[str, Any], str]:
        rec = Recorder()
        slow = 6 if phase == "ladder" and rate == 100 else 0  # 6 of 100: a sample breach, not a confirmed one
        for i in range(int(rate * scale)):
            rec.record("chatAllowed", 0.060 if i < slow else 0.001)
        return _summary(rec, rate), ""

    out = search(Ladder(100, 200, factor=2), run, refine=0, repeats=2)
    assert [(s.rate, s.phase, s.passed, s.verdict) for s in out.steps] == [
        (100, "ladder", False, "unsettled"), (100, "repeat", True, "held"), (200, "ladder", True, "held")]
    assert out.limited_by == MAX


def test_a_summary_without_counts_keeps_its_own_verdict() -> None:
    """Made-up summaries (and SLOs without counts: max, what visitors saw) are judged as the load run
    judged them."""
    held = evidence.judge([fake_summary(rate=10, p95=20)["slo"]])
    breached = evidence.judge([fake_summary(rate=10, p95=500)["slo"]])
    assert held.verdict == evidence.HELD and breached.verdict == evidence.BREACHED


def test_counts_read_the_histogram_to_its_precision() -> None:
    record = OpRecord()
    for us in (1000, 2000, 50_000, 50_010, 50_100, 70_000):
        record.record(us, None, ())
    # 50 ms itself holds (limits are inclusive), and so does 50.01 ms: the same bucket, equal to 0.1 %
    assert stats.exceeding(record, 50.0) == 2
    assert stats.value_at_rank(record, 1) == 1.0 and stats.value_at_rank(record, 6) == 70.0
    assert stats.exceeding(record, 70.0) == 0 and stats.exceeding(record, 0.5) == 6
