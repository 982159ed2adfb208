"""The Universal Scalability Law (Gunther), and only as much of it as the steps support.

    X(N) = lambda * N / (1 + sigma * (N - 1) + kappa * N * (N - 1))

lambda the throughput of one request in flight, sigma contention (the serial share: queueing for a
lock, a pool, a single thread), kappa coherency (cross-talk that makes throughput *fall* past a peak,
at N* = sqrt((1 - sigma) / kappa)). N comes from Little's law, N = X·R with R the mean latency.

Three nested models compete: linear (kappa = sigma = 0, one parameter), Amdahl (kappa = 0, two) and the
full USL (three). Each is fitted by scipy's bounded least squares and scored by AICc (Akaike's
criterion corrected for few points; the noise variance counts as a parameter, so a model needs at least
two more points than it has parameters: the USL six, Amdahl five, linear four). A richer model is
chosen only when it lowers AICc by more than 2 (less is no real support, Burnham & Anderson). Five
steps far from saturation therefore select linear or Amdahl, and no peak is invented from them.

A peak is reported only when the USL is chosen, the 95 % bootstrap interval of kappa excludes 0, and
the highest concurrency measured reaches PEAK_REACH of the predicted peak's: a peak extrapolated far
past the data, or from a kappa the data cannot tell from 0, is not a finding. Otherwise the result says
"no saturation seen up to X req/s; the data do not support a peak", and the reported model is the best
one without a retrograde term. Coefficients come with 95 % intervals from a residual bootstrap (the
fitted curve plus resampled residuals, refitted; a fixed seed, so a result is reproducible).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ecekit.run_summaries import ModelScore, UslFit

MIN_POINTS = 3
BOOTSTRAP = 200
AICC_MARGIN = 2.0
NEGLIGIBLE = 1e-3
PEAK_REACH = 0.75
"""The highest measured concurrency must reach this share of the predicted peak's for a peak to be
reported: the curve must have visibly bent, not be extrapolated from its rising part."""
NOTE = ("extrapolation: the peak is predicted by a three-parameter model fitted to the measured steps; "
        "it is not a measurement, and only as good as the model's fit (r2) and the range of N measured")
MODELS = ("linear", "amdahl", "usl")
PARAMS = {"linear": 1, "amdahl": 2, "usl": 3}


def throughput(n: Any, lam: float, sigma: float, kappa: float) -> Any:
    """X(N) for a number or a numpy array of N."""
    return lam * n / (1 + sigma * (n - 1) + kappa * n * (n - 1))


def _amdahl(n: Any, lam: float, sigma: float) -> Any:
    return throughput(n, lam, sigma, 0.0)


def _linear(n: Any, lam: float) -> Any:
    return lam * n


@dataclass
class Fit:
    model: str
    lam: float
    sigma: float
    kappa: float
    rss: float
    aicc: float | None

    def predict(self, n: Any) -> Any:
        return throughput(n, self.lam, self.sigma, self.kappa)


def _fit_model(model: str, n: Any, x: Any, start: tuple[float, float, float] | None = None,
               ) -> tuple[float, float, float] | None:
    """(lambda, sigma, kappa) of one model by bounded least squares from ``start`` (a bootstrap refit
    starts from the original fit: it converges in a few iterations); None if it did not converge."""
    import numpy as np
    from scipy.optimize import curve_fit

    lam0 = float(max(x / n))
    if model == "linear":
        return float(np.sum(n * x) / np.sum(n * n)), 0.0, 0.0
    func: Callable[..., Any] = _amdahl if model == "amdahl" else throughput
    p0: tuple[float, ...] = (lam0, 0.05) if model == "amdahl" else (lam0, 0.05, 1e-4)
    if start is not None:
        p0 = (start[0], min(max(start[1], 1e-9), 1 - 1e-9)) + ((max(start[2], 1e-12),) if model == "usl" else ())
    lower = [1e-12, 0.0] + ([0.0] if model == "usl" else [])
    upper = [np.inf, 1.0] + ([np.inf] if model == "usl" else [])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "covariance could not be estimated": intervals come from the bootstrap
            params, _ = curve_fit(func, n, x, p0=p0, bounds=(lower, upper), x_scale="jac", max_nfev=20000)
    except (RuntimeError, ValueError):
        return None
    values = [float(v) for v in params]
    return values[0], values[1], values[2] if model == "usl" else 0.0


def _aicc(rss: float, points: int, params: int, floor: float) -> float | None:
    """AICc with Gaussian errors; the noise variance is a parameter too. None when too few points."""
    k = params + 1
    if points - k - 1 <= 0:
        return None
    return points * math.log(max(rss, floor) / points) + 2 * k + 2 * k * (k + 1) / (points - k - 1)


def _fits(n: Any, x: Any) -> dict[str, Fit]:
    import numpy as np

    floor = len(x) * (1e-9 * float(np.mean(x))) ** 2  # an exact fit is exact, not infinitely good
    out = {}
    for model in MODELS:
        params = _fit_model(model, n, x)
        if params is None:
            continue
        rss = float(np.sum((x - throughput(n, *params)) ** 2))
        out[model] = Fit(model, *params, rss=rss, aicc=_aicc(rss, len(x), PARAMS[model], floor))
    return out


def select(fits: dict[str, Fit]) -> str:
    """The simplest model no richer one beats by more than AICC_MARGIN; linear when none can be scored."""
    best = "linear"
    for model in ("amdahl", "usl"):
        fit = fits.get(model)
        current = fits[best].aicc
        if fit is not None and fit.aicc is not None and (current is None or fit.aicc < current - AICC_MARGIN):
            best = model
    return best


def bootstrap(model: str, fit: Fit, n: Any, x: Any, rounds: int = BOOTSTRAP) -> dict[str, list[float]]:
    """95 % intervals of lambda, sigma, kappa: refit the model to its curve plus resampled residuals."""
    import numpy as np

    rng = np.random.default_rng(20)
    fitted = fit.predict(n)
    residuals = x - fitted
    draws: list[tuple[float, float, float]] = []
    for _ in range(rounds):
        sample = fitted + rng.choice(residuals, size=len(residuals), replace=True)
        if np.any(sample <= 0):
            continue
        params = _fit_model(model, n, sample, start=(fit.lam, fit.sigma, fit.kappa))
        if params is not None:
            draws.append(params)
    if not draws:
        return {}
    arr = np.array(draws)
    names = ("lambda", "sigma", "kappa")
    return {name: [float(np.percentile(arr[:, i], 2.5)), float(np.percentile(arr[:, i], 97.5))]
            for i, name in enumerate(names)}


def _round(values: list[float], digits: int) -> list[float]:
    return [round(v, digits) for v in values]


def fit(points: Sequence[tuple[float, float]]) -> UslFit:
    """Fit and compare the models on (concurrency, throughput) points; ``fitted`` False with a reason
    when there are too few."""
    pts = sorted((float(n), float(x)) for n, x in points if n > 0 and x > 0 and math.isfinite(n * x))
    if len({round(n, 6) for n, _ in pts}) < MIN_POINTS:
        return {"fitted": False, "points": len(pts),
                "reason": f"needs at least {MIN_POINTS} steps of different concurrency the server (not the "
                          "generator) answered"}
    import numpy as np

    n = np.array([p[0] for p in pts])
    x = np.array([p[1] for p in pts])
    fits = _fits(n, x)
    chosen = select(fits)
    n_max, x_max = float(n.max()), float(x.max())
    comparison: dict[str, ModelScore] = {
        m: {"parameters": PARAMS[m], "aicc": None if f.aicc is None else round(f.aicc, 3), "rss": round(f.rss, 6),
            "lambda": round(f.lam, 6), "sigma": round(f.sigma, 6), "kappa": round(f.kappa, 9)}
        for m, f in fits.items()}
    for m in MODELS:
        entry = comparison.setdefault(m, {"parameters": PARAMS[m], "aicc": None})
        if entry["aicc"] is None:
            entry["why_not_scored"] = (f"AICc needs at least {PARAMS[m] + 3} points for {PARAMS[m]} parameters"
                                       if m in fits else "the fit did not converge")
    rejected = None
    intervals: dict[str, list[float]] = {}
    peak_n = None
    if chosen == "usl":
        best = fits["usl"]
        intervals = bootstrap("usl", best, n, x)
        kappa_ci = intervals.get("kappa", [0.0, 0.0])
        if best.kappa > 0 and best.sigma < 1:
            peak_n = math.sqrt((1 - best.sigma) / best.kappa)
        # kappa's lower end "above 0" must mean a term that matters where measured, not a bound's dust
        # (the fit is bounded at 0 and returns 1e-15 as readily as 0): at least NEGLIGIBLE of the
        # denominator at the highest concurrency measured
        if peak_n is None or kappa_ci[0] * n_max * max(n_max, 1.0) < NEGLIGIBLE:
            rejected = (f"the 95 % interval of kappa [{kappa_ci[0]:.3g}, {kappa_ci[1]:.3g}] includes 0: the data "
                        "cannot tell a retrograde term from none")
        elif n_max < PEAK_REACH * peak_n:
            rejected = (f"the highest concurrency measured, {n_max:.3g}, is only {100 * n_max / peak_n:.0f}% of the "
                        f"predicted peak's {peak_n:.3g} (at least {100 * PEAK_REACH:.0f}% needed)")
        if rejected:
            chosen = "amdahl" if "amdahl" in fits and fits["amdahl"].aicc is not None else "linear"
            intervals = {}
    best = fits[chosen]
    if not intervals:
        intervals = bootstrap(chosen, best, n, x)
    ss_tot = float(np.sum((x - x.mean()) ** 2))
    result: UslFit = {
        "fitted": True, "points": len(pts), "model": chosen,
        "lambda": round(best.lam, 6), "sigma": round(best.sigma, 6), "kappa": round(best.kappa, 9),
        "lambda_ci": _round(intervals.get("lambda", [best.lam, best.lam]), 6),
        "sigma_ci": _round(intervals.get("sigma", [best.sigma, best.sigma]), 6),
        "kappa_ci": _round(intervals.get("kappa", [best.kappa, best.kappa]), 9),
        "r2": round(1 - best.rss / ss_tot, 4) if ss_tot > 0 else 1.0,
        "measured_concurrency": [round(float(n.min()), 3), round(n_max, 3)],
        "measured_throughput_rps": round(x_max, 3),
        "comparison": comparison,
        "selection": (f"AICc over linear, Amdahl (kappa = 0) and USL; a richer model only when it lowers AICc by "
                      f"more than {AICC_MARGIN:g}; a peak only with kappa's 95 % interval above 0 and the measured "
                      f"concurrency at least {100 * PEAK_REACH:.0f}% of the peak's"),
        "extrapolation": True, "note": NOTE,
    }
    if rejected:
        result["usl_rejected"] = rejected
    if chosen == "usl" and peak_n is not None:
        result.update({"peak_supported": True, "peak_concurrency": round(peak_n, 3),
                       "peak_throughput_rps": round(float(best.predict(peak_n)), 3),
                       "peak_beyond_measured": bool(peak_n > n_max)})
        return result
    ceiling = best.lam / best.sigma if chosen == "amdahl" and best.sigma > 0 else None
    if ceiling is None or ceiling > 1.5 * x_max:
        head = f"no saturation seen up to {x_max:.4g} req/s; the data do not support a peak"
    else:
        head = (f"throughput levels off towards lambda/sigma = {ceiling:.4g} req/s (highest measured "
                f"{x_max:.4g}); the data do not support a peak")
    detail = ["linear: throughput rose in proportion to concurrency over the measured range" if ceiling is None
              else "Amdahl: contention only, a ceiling never passed, not a peak after which throughput falls"]
    if rejected:
        detail.append(rejected)
    why = f"{head} ({'; '.join(detail)})"
    result.update({"peak_supported": False, "peak_concurrency": None, "peak_throughput_rps": None,
                   "ceiling_rps": round(ceiling, 3) if ceiling is not None else None,
                   "reason_no_peak": why})
    return result
