"""Confidence intervals for a change between two sides, each side one or several runs.

Two sources of noise decide whether a change is real:

* **within a run**: a percentile of n answers is known only to its binomial order-statistic interval
  (``load.evidence.ranks``: distribution-free, read from the HDR histogram that holds every latency);
  an error rate to its Wilson interval.
* **between runs**: on a shared machine two runs of the same load differ far more than either run's
  own interval says (measured here: five runs' p50s spread over 2.9 to 3.9 ms, each known to ±0.05 ms).

Each run's estimate already carries its own sampling noise, so the spread of the runs' estimates
measures both at once: a side's per-run variance is that spread, floored at the runs' mean
within-run variance (five runs can agree by luck more closely than their samples allow). The change
of the side means then gets Welch's t interval. With one run on a side the spread cannot be measured:
the interval is the within-run one and says so (``between_runs`` False); the verdict module never
calls such a change slower or faster.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Estimate:
    """One run's value of a metric and its within-run standard error (None: not measurable)."""

    value: float
    se: float | None


@dataclass(frozen=True)
class Side:
    """A metric's estimates over one side's runs."""

    runs: tuple[Estimate, ...]

    @property
    def k(self) -> int:
        return len(self.runs)

    @property
    def mean(self) -> float:
        return statistics.fmean(r.value for r in self.runs)

    @property
    def within_var(self) -> float | None:
        """The runs' mean within-run variance (None if a run could not say)."""
        ses = [r.se for r in self.runs]
        if any(se is None for se in ses):
            return None
        return statistics.fmean(se * se for se in ses if se is not None)

    @property
    def between_var(self) -> float | None:
        """The sample variance of the runs' values (None with a single run)."""
        return statistics.variance([r.value for r in self.runs]) if self.k >= 2 else None

    @property
    def per_run_var(self) -> float | None:
        """What one run's value varies by: the spread between runs, never below their own sampling."""
        candidates = [v for v in (self.between_var, self.within_var) if v is not None]
        return max(candidates) if candidates else None


@dataclass(frozen=True)
class Change:
    """after - before, its interval and what the interval rests on."""

    change: float
    low: float
    high: float
    between_runs: bool  # the spread between runs was measured (on one side at least)
    per_run_sd: float | None  # the larger side's per-run standard deviation (what more runs divide)
    df: float | None  # Welch's degrees of freedom (None: a normal interval)

    def runs_to_decide(self, margin: float, have: int) -> int | None:
        """Runs a side that would make the interval narrow enough to decide, if the change and the
        spread stay what they are now: to clear zero and the margin, or to fit within the margin.
        None when no number of runs would (a change right at the margin)."""
        if self.per_run_sd is None or self.per_run_sd <= 0:
            return None
        room = abs(self.change) if abs(self.change) >= margin else margin - abs(self.change)
        if room <= 0:
            return None
        for k in range(max(2, have + 1), 201):
            half = t_quantile(2 * k - 2) * self.per_run_sd * math.sqrt(2 / k)
            if half < room:
                return k
        return None


def ranks(n: int, q: float, confidence: float = CONFIDENCE) -> tuple[int | None, int | None]:
    """``load.evidence.ranks`` (the same 1-based ranks, a test holds them equal) through scipy's binomial
    quantiles: a run of 100,000 answers takes milliseconds here, where the pure-Python sum the load
    processes use (they avoid importing scipy) takes seconds."""
    from scipy.stats import binom

    if n <= 0:
        return None, None
    tail = (1 - confidence) / 2
    m = int(binom.ppf(tail, n, q))
    low = m if binom.cdf(m, n, q) > tail else m + 1
    high = int(binom.ppf(1 - tail, n, q)) + 1
    return (low if low >= 1 else None), (high if high <= n else None)


def t_quantile(df: float, confidence: float = CONFIDENCE) -> float:
    """The two-sided t quantile (normal for large or unknown df)."""
    from scipy.stats import t

    return float(t.ppf(1 - (1 - confidence) / 2, df)) if df and df < 1e6 else Z95


def change_of(before: Side, after: Side) -> Change | None:
    """Welch's interval for after.mean - before.mean; None when neither side can say how much its
    values vary (no within-run error and a single run)."""
    diff = after.mean - before.mean
    vb, va = before.per_run_var, after.per_run_var
    between = before.k >= 2 or after.k >= 2  # measured on one side at least: both borrow it
    if vb is None and va is None:
        return None
    if before.k == 1 or after.k == 1:
        # a side of one run borrows the other side's per-run spread if it has one: the same load on
        # the same kind of machine varies alike; otherwise only sampling within the runs is known
        borrowed = [s.per_run_var for s in (before, after) if s.k >= 2 and s.per_run_var is not None]
        if borrowed:
            vb = va = max(borrowed[0], before.within_var or 0.0, after.within_var or 0.0)
    vb = vb if vb is not None else va
    va = va if va is not None else vb
    assert vb is not None and va is not None
    eb, ea = vb / before.k, va / after.k
    se = math.sqrt(eb + ea)
    if before.k >= 2 and after.k >= 2:
        denominator = (eb * eb / (before.k - 1) if eb else 0.0) + (ea * ea / (after.k - 1) if ea else 0.0)
        df = (eb + ea) ** 2 / denominator if denominator > 0 else None
    elif before.k + after.k >= 3:
        df = float(before.k + after.k - 2)
    else:
        df = None
    half = t_quantile(df) * se if df else Z95 * se
    return Change(diff, diff - half, diff + half, between, math.sqrt(max(vb, va)), df)


def wilson(failures: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for a proportion: honest at 0 failures, where the normal one is [0, 0]."""
    if n <= 0:
        return 0.0, 1.0
    p = failures / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def newcombe(before: tuple[int, int], after: tuple[int, int]) -> tuple[float, float, float]:
    """(change, low, high) of after's proportion minus before's, Newcombe's hybrid score interval
    (method 10): from the two Wilson intervals, so it neither collapses at zero nor leaves [-1, 1]."""
    (fb, nb), (fa, na) = before, after
    pb, pa = (fb / nb if nb else 0.0), (fa / na if na else 0.0)
    lb, ub = wilson(fb, nb)
    la, ua = wilson(fa, na)
    d = pa - pb
    low = d - math.sqrt((pa - la) ** 2 + (ub - pb) ** 2)
    high = d + math.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)
    return d, low, high


def proportion_change(before: Sequence[tuple[int, int]], after: Sequence[tuple[int, int]]) -> Change:
    """An error rate's change: Newcombe's interval on the pooled counts (sampling within the runs),
    widened to Welch's on the runs' rates when both sides have several runs and they vary more."""
    pooled_b = (sum(f for f, _ in before), sum(n for _, n in before))
    pooled_a = (sum(f for f, _ in after), sum(n for _, n in after))
    d, low, high = newcombe(pooled_b, pooled_a)
    between = len(before) >= 2 and len(after) >= 2
    sd = None
    df = None
    if between:
        side_b = Side(tuple(Estimate(f / n if n else 0.0, None) for f, n in before))
        side_a = Side(tuple(Estimate(f / n if n else 0.0, None) for f, n in after))
        welch = change_of(side_b, side_a)
        if welch is not None:
            sd, df = welch.per_run_sd, welch.df
            low, high = min(low, d - (welch.change - welch.low)), max(high, d + (welch.high - welch.change))
    return Change(d, low, high, between, sd, df)
