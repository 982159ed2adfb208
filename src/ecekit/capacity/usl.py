"""The Universal Scalability Law (Gunther): throughput X as a function of concurrency N,

    X(N) = lambda * N / (1 + sigma * (N - 1) + kappa * N * (N - 1))

lambda the throughput of one request in flight, sigma contention (the serial share: queueing for a
lock, a pool, a single thread), kappa coherency (cross-talk that makes throughput *fall* past a peak).
With kappa > 0 throughput peaks at N* = sqrt((1 - sigma) / kappa). N comes from Little's law, N = X·R with R the mean
latency, so it needs no instrumentation of the server. Everything past the measured concurrency is an
extrapolation of a three-parameter model, and the result says so.

A pure function of (N, X) points: scipy's bounded least squares (``curve_fit``, trust region
reflective) with lambda > 0, 0 <= sigma <= 1, kappa >= 0.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

MIN_POINTS = 3
NEGLIGIBLE = 1e-3
NOTE = ("extrapolation: the peak is predicted by a three-parameter model fitted to the measured steps; "
        "it is not a measurement, and only as good as the model's fit (r2) and the range of N measured")


def throughput(n: Any, lam: float, sigma: float, kappa: float) -> Any:
    """X(N) for a number or a numpy array of N."""
    return lam * n / (1 + sigma * (n - 1) + kappa * n * (n - 1))


def fit(points: Sequence[tuple[float, float]]) -> dict[str, Any]:
    """Fit the USL to (concurrency, throughput) points; ``fitted`` False with a reason when it cannot."""
    pts = sorted((float(n), float(x)) for n, x in points if n > 0 and x > 0 and math.isfinite(n * x))
    if len({round(n, 6) for n, _ in pts}) < MIN_POINTS:
        return {"fitted": False, "points": len(pts),
                "reason": f"needs at least {MIN_POINTS} steps of different concurrency the server (not the "
                          "generator) answered"}
    import numpy as np
    from scipy.optimize import curve_fit

    n = np.array([p[0] for p in pts])
    x = np.array([p[1] for p in pts])
    lam0 = float(max(x / n))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "covariance could not be estimated": no error bars are reported
            params, _ = curve_fit(throughput, n, x, p0=(lam0, 0.05, 1e-4),
                                  bounds=([1e-12, 0.0, 0.0], [np.inf, 1.0, np.inf]), x_scale="jac", max_nfev=20000)
    except (RuntimeError, ValueError) as exc:
        return {"fitted": False, "points": len(pts), "reason": f"the fit did not converge: {exc}"}
    lam, sigma, kappa = (float(v) for v in params)
    predicted = throughput(n, lam, sigma, kappa)
    ss_res = float(np.sum((x - predicted) ** 2))
    ss_tot = float(np.sum((x - x.mean()) ** 2))
    result: dict[str, Any] = {
        "fitted": True, "points": len(pts), "lambda": round(lam, 6), "sigma": round(sigma, 6),
        "kappa": round(kappa, 9), "r2": round(1 - ss_res / ss_tot, 4) if ss_tot > 0 else 1.0,
        "measured_concurrency": [round(float(n.min()), 3), round(float(n.max()), 3)],
        "extrapolation": True, "note": NOTE,
    }
    n_max = float(n.max())
    # a term worth less than 0.1 % of the denominator anywhere measured is the optimizer's dust, not a
    # finding: extrapolating a peak from it would put one wherever the noise says
    # (in magnitude: below one request in flight, N - 1 is negative and the terms are too)
    if abs(kappa * n_max * (n_max - 1)) < NEGLIGIBLE:
        result["kappa"] = kappa = 0.0
    if abs(sigma * (n_max - 1)) < NEGLIGIBLE:
        result["sigma"] = sigma = 0.0
    if kappa > 0 and sigma < 1:
        peak_n = math.sqrt((1 - sigma) / kappa)
        result.update(peak_concurrency=round(peak_n, 3),
                      peak_throughput_rps=round(throughput(peak_n, lam, sigma, kappa), 3),
                      peak_beyond_measured=bool(peak_n > n_max))
    else:
        ceiling = lam / sigma if sigma > 0 else math.inf
        result.update(peak_concurrency=None, peak_throughput_rps=None,
                      ceiling_rps=round(ceiling, 3) if math.isfinite(ceiling) else None,
                      reason_no_peak=("no coherency cost (kappa = 0): throughput approaches lambda/sigma and "
                                      "never falls" if sigma > 0 else
                                      "linear scaling over the measured range: no limit predicted"))
    return result
