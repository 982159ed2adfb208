"""How much an SLO verdict rests on: counts and the distribution-free confidence interval of a percentile.

A p95 taken from 20 answers is the 19th of them: one or two unlucky answers decide it. Whatever the
latency distribution, the number of answers at or below the true q-quantile is Binomial(n, q), so the
order statistics X_(l) and X_(u) with

    l = max { j : P(B <= j - 1) <= alpha/2 },   u = min { j : P(B <= j - 1) >= 1 - alpha/2 },  B ~ Bin(n, q)

bracket the true quantile with probability at least 1 - alpha (the binomial order-statistic interval).
Against a limit L only two counts matter: n answers and k of them slower than L. The interval lies
wholly above L exactly when P(B <= n - k) <= alpha/2, wholly at or below L when
P(B <= n - k - 1) >= 1 - alpha/2; a rate SLO (errors <= 1 %) is the same test with q = 1 - 1 %. The
HDR histograms hold every latency (to 0.1 %), so k and the order statistics are read from them exactly
as the percentiles are. Pure functions of counts and histograms: no locust, testable on synthetic data.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from ecekit.load import slo as slo_mod
from ecekit.load.recorder import OpRecord
from ecekit.run_summaries import CheckEvidence, SloCheck

CONFIDENCE = 0.95
"""Two-sided: 2.5 % on each side: the interval shown, and the one a held percentile needs an upper end of."""
BLAME_CONFIDENCE = 0.99
"""A breach is blamed on the server only when the 99 % interval lies wholly above the limit: were the
true percentile at the limit, that happens at most 0.5 % of the time. Blame needs stronger evidence
than credit, because a red verdict must mean the server broke it; a search asks at several rates."""
PERCENTILE_METRICS = ("p50", "p90", "p95", "p99", "p999")


def _binom_cdf(j: int, n: int, q: float) -> float:
    """P(Bin(n, q) <= j), exactly (log-space terms), summed over the only terms that matter: those
    within 12 standard deviations of the mean (the rest add less than 1e-30). Pure Python: importing
    scipy.stats would cost the load run seconds at the end of every step on a busy machine."""
    if j < 0:
        return 0.0
    if j >= n or q <= 0.0:
        return 1.0
    if q >= 1.0:
        return 0.0
    mean, sd = n * q, math.sqrt(n * q * (1 - q))
    lo, hi = max(0, math.floor(mean - 12 * sd - 10)), math.ceil(mean + 12 * sd + 10)
    if j < lo:
        return 0.0
    if j >= hi:
        return 1.0
    head = math.lgamma(n + 1)
    log_q, log_p = math.log(q), math.log1p(-q)
    total = sum(math.exp(head - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_q + (n - i) * log_p)
                for i in range(lo, j + 1))
    return min(1.0, total)


def ranks(n: int, q: float, confidence: float = CONFIDENCE) -> tuple[int | None, int | None]:
    """The 1-based ranks (l, u) of the order statistics that bracket the q-quantile of n answers; None
    where the interval has no end inside the data (too few answers to bound it on that side)."""
    if n <= 0:
        return None, None
    tail = (1 - confidence) / 2
    mean, sd = n * q, math.sqrt(n * q * (1 - q))
    start = max(-1, math.floor(mean - 12 * sd - 12))
    lower = upper = None
    i = start
    while i <= n:
        cdf = _binom_cdf(i, n, q)
        if cdf <= tail:
            lower = i + 1  # the largest l with P(B <= l - 1) <= tail, once the loop passes it
        if cdf >= 1 - tail:
            upper = i + 1  # the smallest u with P(B <= u - 1) >= 1 - tail
            break
        i += 1
    return (lower if lower is not None and lower >= 1 else None), (upper if upper is not None and upper <= n else None)


def minimum_samples(q: float, confidence: float = CONFIDENCE) -> int:
    """The fewest answers whose interval for the q-quantile has an upper end inside the data even when
    none exceeded the limit (q**n <= alpha/2): below that, no sample can show that the percentile holds.
    p50: 6, p90: 36, p95: 72, p99: 368, p999: 3688 at 95 %."""
    return max(1, math.ceil(math.log((1 - confidence) / 2) / math.log(q)))


def breach_confirmed(n: int, k: int, q: float, confidence: float = BLAME_CONFIDENCE) -> bool:
    """The interval lies wholly above the limit: fewer answers within it than its lower rank."""
    return n > 0 and _binom_cdf(n - k, n, q) <= (1 - confidence) / 2


def hold_confirmed(n: int, k: int, q: float, confidence: float = CONFIDENCE) -> bool:
    """The interval lies wholly at or below the limit: its upper rank is among the answers within it."""
    return n > 0 and _binom_cdf(n - k - 1, n, q) >= 1 - (1 - confidence) / 2


def sample_breached(n: int, k: int, q: float) -> bool:
    """The sample's own percentile is above the limit, as hdrh reads it: the value at rank round(q n)."""
    rank = max(1, int(q * n + 0.5))
    return n - k < rank


def _counts(record: OpRecord) -> Any:
    import numpy as np

    return np.ctypeslib.as_array(record.histogram.counts)[: record.histogram.counts_len]


def exceeding(record: OpRecord, limit_ms: float) -> int:
    """How many recorded latencies are above ``limit_ms``. The histogram's bucket holding the limit
    counts as within it (its values equal the limit to 0.1 %, the histogram's precision); above the
    exact max nothing exceeds."""
    limit_us = limit_ms * 1000
    if record.max_us <= limit_us:
        return 0
    h = record.histogram
    index = h.get_counts_array_index(max(1, int(limit_us)))
    within = int(_counts(record)[: index + 1].sum())
    return int(h.get_total_count()) - within


def value_at_rank(record: OpRecord, rank: int) -> float:
    """The rank-th smallest latency (1-based), in ms, read as the percentiles are (a bucket's upper
    edge, capped at the exact max)."""
    import numpy as np

    h = record.histogram
    index = int(np.searchsorted(np.cumsum(_counts(record)), rank))
    if index >= h.counts_len:
        return round(record.max_us / 1000, 3)
    value = h.get_highest_equivalent_value(h.get_value_from_index(index))
    return round(min(value, record.max_us) / 1000, 3)


def check(slo: slo_mod.Slo, record: OpRecord | None) -> CheckEvidence | None:
    """The evidence of one SLO check for summary.json, or None where it is not a count against a limit
    (max, what visitors saw): ``samples`` n, ``exceeding`` k (answers slower than the limit, or
    failures), ``allowed_share`` (1 - q, or the rate's limit), the interval in ms of a percentile."""
    if record is None or not record.requests:
        return None
    n = record.requests
    if slo.metric in PERCENTILE_METRICS:
        q = slo_mod.LATENCIES[slo.metric] / 100
        k = exceeding(record, slo.limit)
        lo, hi = ranks(n, q)
        interval = [value_at_rank(record, lo) if lo is not None else None,
                    value_at_rank(record, hi) if hi is not None else None]
        return {"samples": n, "exceeding": k, "allowed_share": round(1 - q, 6), "ci95_ms": interval,
                "minimum_samples": minimum_samples(q)}
    if slo.metric in slo_mod.RATES:
        k = int(getattr(record, slo_mod.RATES[slo.metric]))
        return {"samples": n, "exceeding": k, "allowed_share": round(slo.limit / 100, 6)}
    return None


def annotate(checks: Iterable[SloCheck], slos: Iterable[slo_mod.Slo],
             records: Mapping[str | None, OpRecord]) -> None:
    """Add each check's ``evidence`` (when it has some) in place; ``records`` by operation, None the total."""
    by_name = {s.name: s for s in slos}
    for entry in checks:
        slo = by_name.get(entry["name"])
        if slo is None or slo.metric in slo_mod.OUTCOME_RATES or slo.metric in slo_mod.OUTCOME_LATENCIES:
            continue
        found = check(slo, records.get(slo.operation))
        if found is not None:
            entry["evidence"] = found
