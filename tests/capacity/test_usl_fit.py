"""The scalability fit's decisions as capacity.json shows them: which points count, which model is
chosen and why, when a peak is reported and what is said when none is. Exact model data make the fits
exact, so the bootstrap intervals close on the coefficients and the numbers can be asserted."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from ecekit.capacity import usl

SELECTION = ("AICc over linear, Amdahl (kappa = 0) and USL; a richer model only when it lowers AICc by more than 2; "
             "a peak only with kappa's 95 % interval above 0 and the measured concurrency at least 75% of the peak's")
AMDAHL_WORDS = "Amdahl: contention only, a ceiling never passed, not a peak after which throughput falls"
LINEAR_WORDS = "linear: throughput rose in proportion to concurrency over the measured range"


def exact(lam: float, sigma: float, kappa: float, ns: list[float]) -> list[tuple[float, float]]:
    return [(n, usl.throughput(n, lam, sigma, kappa)) for n in ns]


def test_too_few_distinct_concurrencies_are_not_fitted() -> None:
    reason = "needs at least 3 steps of different concurrency the server (not the generator) answered"
    assert usl.fit([(1, 100), (2, 180)]) == {"fitted": False, "points": 2, "reason": reason}
    # the same concurrency to a millionth is one concurrency
    assert usl.fit([(1, 50), (1.0000001, 50), (1.0000004, 50)]) == {"fitted": False, "points": 3, "reason": reason}
    assert usl.fit([(1, 50), (1.00001, 50), (1.00002, 50)])["fitted"] is True


def test_points_without_a_positive_finite_concurrency_and_throughput_are_left_out() -> None:
    junk = [(0, 50), (-1, 50), (2, 0), (3, -5), (math.inf, 10), (5, math.inf), (math.nan, 3)]
    result = usl.fit([*junk, (1, 50), (2, 100), (3, 150), (4, 200)])
    assert result["points"] == 4 and result["measured_concurrency"] == [1.0, 4.0]
    assert result["measured_throughput_rps"] == 200.0
    assert usl.fit([*junk, (1, 50), (2, 100)])["points"] == 2


def test_linear_data_fit_the_linear_model_exactly() -> None:
    result = usl.fit([(n, 50 * n) for n in [1, 2, 3, 4]])
    assert {k: result[k] for k in ("fitted", "points", "model", "lambda", "sigma", "kappa", "lambda_ci", "sigma_ci",
                                   "kappa_ci", "r2", "measured_concurrency", "measured_throughput_rps",
                                   "selection", "extrapolation", "note", "peak_supported", "peak_concurrency",
                                   "peak_throughput_rps", "ceiling_rps", "reason_no_peak")} == {
        "fitted": True, "points": 4, "model": "linear", "lambda": 50.0, "sigma": 0.0, "kappa": 0.0,
        "lambda_ci": [50.0, 50.0], "sigma_ci": [0.0, 0.0], "kappa_ci": [0.0, 0.0], "r2": 1.0,
        "measured_concurrency": [1.0, 4.0], "measured_throughput_rps": 200.0, "selection": SELECTION,
        "extrapolation": True, "note": usl.NOTE, "peak_supported": False, "peak_concurrency": None,
        "peak_throughput_rps": None, "ceiling_rps": None,
        "reason_no_peak": f"no saturation seen up to 200 req/s; the data do not support a peak ({LINEAR_WORDS})"}
    assert "usl_rejected" not in result and "peak_beyond_measured" not in result
    comparison = result["comparison"]
    # an exact fit is scored from a floor, not as infinitely good: 4 ln(6.25e-14 / 4) + 4 + 12
    assert comparison["linear"] == {"parameters": 1, "aicc": -111.16, "rss": 0.0, "lambda": 50.0, "sigma": 0.0,
                                    "kappa": 0.0}
    assert comparison["amdahl"]["aicc"] is None and comparison["usl"]["aicc"] is None
    assert comparison["amdahl"]["why_not_scored"] == "AICc needs at least 5 points for 2 parameters"
    assert comparison["usl"]["why_not_scored"] == "AICc needs at least 6 points for 3 parameters"
    assert comparison["usl"]["parameters"] == 3 and comparison["amdahl"]["parameters"] == 2


def test_three_points_score_no_model_and_the_linear_one_is_reported() -> None:
    result = usl.fit([(0.1234567, 50), (1.98765432, 80), (2.5, 90)])
    assert result["model"] == "linear" and result["measured_concurrency"] == [0.123, 2.5]
    assert result["comparison"]["linear"]["why_not_scored"] == "AICc needs at least 4 points for 1 parameters"
    assert result["lambda"] == pytest.approx((0.1234567 * 50 + 1.98765432 * 80 + 2.5 * 90)
                                             / (0.1234567 ** 2 + 1.98765432 ** 2 + 2.5 ** 2), abs=1e-6)
    assert result["r2"] == pytest.approx(-1.4202, abs=1e-4)  # a poor fit is shown as one


def test_contention_that_levels_off_names_its_ceiling() -> None:
    result = usl.fit(exact(100, 0.1, 0, [1, 2, 4, 8, 16, 32, 64]))
    assert (result["model"], result["lambda"], result["sigma"], result["kappa"]) == ("amdahl", 100.0, 0.1, 0.0)
    assert (result["sigma_ci"], result["ceiling_rps"], result["measured_throughput_rps"]) == ([0.1, 0.1], 1000.0,
                                                                                              876.712)
    assert result["reason_no_peak"] == (
        "throughput levels off towards lambda/sigma = 1000 req/s (highest measured 876.7); the data do not "
        f"support a peak ({AMDAHL_WORDS})")
    assert result["comparison"]["usl"]["aicc"] == pytest.approx(result["comparison"]["amdahl"]["aicc"] + 14,
                                                                abs=0.01)  # as good a fit, three more in penalty


def test_a_ceiling_far_above_the_data_is_no_saturation() -> None:
    result = usl.fit(exact(100, 0.1, 0, [1, 2, 4, 8, 16]))  # ceiling 1000, 1.56 x the highest 640
    assert result["model"] == "amdahl" and result["ceiling_rps"] == 1000.0
    assert result["reason_no_peak"] == (
        f"no saturation seen up to 640 req/s; the data do not support a peak ({AMDAHL_WORDS})")


def test_a_peak_inside_the_data_is_reported_as_an_extrapolation() -> None:
    result = usl.fit(exact(100, 0.05, 0.002, [1, 2, 4, 8, 16, 32, 64]))
    assert (result["model"], result["peak_supported"], result["peak_concurrency"], result["peak_throughput_rps"],
            result["peak_beyond_measured"]) == ("usl", True, 21.794, 739.765, False)
    assert "ceiling_rps" not in result and "reason_no_peak" not in result and "usl_rejected" not in result
    assert result["kappa_ci"] == [0.002, 0.002] and result["sigma_ci"] == [0.05, 0.05]
    assert result["lambda_ci"] == [100.0, 100.0]


def test_a_peak_just_past_the_data_is_reported_when_the_curve_has_bent() -> None:
    """N up to 20 against a peak at 21.8: 92 % of the way, past the 75 % required; kappa's term at N = 20
    is 0.8 of the denominator, far above negligible."""
    result = usl.fit(exact(100, 0.05, 0.002, [1, 2, 4, 8, 12, 16, 20]))
    assert (result["model"], result["peak_supported"], result["peak_concurrency"], result["peak_beyond_measured"]) == (
        "usl", True, 21.794, True)


def test_a_peak_far_past_the_data_says_how_far() -> None:
    result = usl.fit(exact(100, 0.02, 0.0005, [1, 2, 4, 6, 8, 10, 12]))
    rejected = ("the highest concurrency measured, 12, is only 27% of the predicted peak's 44.3 "
                "(at least 75% needed)")
    assert result["usl_rejected"] == rejected and result["model"] == "amdahl"
    assert result["reason_no_peak"] == (
        f"no saturation seen up to 933.1 req/s; the data do not support a peak ({AMDAHL_WORDS}; {rejected})")
    assert result["kappa_ci"] == [0.0, 0.0] and result["sigma_ci"][0] < result["sigma"] < result["sigma_ci"][1]


def test_a_rejected_usl_falls_back_to_linear_when_amdahl_cannot_be_scored(monkeypatch: pytest.MonkeyPatch) -> None:
    real = usl._fits

    def no_amdahl_score(n: Any, x: Any) -> dict[str, usl.Fit]:
        fits = real(n, x)
        fits["amdahl"].aicc = None
        return fits

    monkeypatch.setattr(usl, "_fits", no_amdahl_score)
    result = usl.fit(exact(100, 0.02, 0.0005, [1, 2, 4, 6, 8, 10, 12]))
    assert result["model"] == "linear" and "only 27%" in result["usl_rejected"]
    assert result["reason_no_peak"].endswith(f"({LINEAR_WORDS}; {result['usl_rejected']})")


def test_a_kappa_too_small_to_matter_where_measured_is_no_peak(monkeypatch: pytest.MonkeyPatch) -> None:
    """kappa's lower end times N_max^2 must reach a thousandth of the denominator: 2e-6 x 20 x 20 = 8e-4
    does not, 3e-6 x 400 = 1.2e-3 does."""
    real = usl.bootstrap
    points = exact(100, 0.05, 0.002, [1, 2, 4, 8, 12, 16, 20])

    def kappa_low(low: float) -> dict[str, Any]:
        def fake(model: str, fit: usl.Fit, n: Any, x: Any, rounds: int = usl.BOOTSTRAP) -> dict[str, list[float]]:
            found = real(model, fit, n, x, rounds)
            if model == "usl":
                found["kappa"] = [low, 0.003]
            return found
        monkeypatch.setattr(usl, "bootstrap", fake)
        return usl.fit(points)

    small = kappa_low(2e-6)
    assert small["peak_supported"] is False and small["usl_rejected"] == (
        "the 95 % interval of kappa [2e-06, 0.003] includes 0: the data cannot tell a retrograde term from none")
    assert small["model"] == "amdahl" and small["kappa_ci"] == [0.0, 0.0]
    assert kappa_low(3e-6)["peak_supported"] is True


def test_a_usl_without_a_peak_is_not_reported_as_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """A USL chosen with sigma at its bound of 1 has no peak: rejected, whatever kappa's interval."""
    real = usl._fits

    def sigma_one(n: Any, x: Any) -> dict[str, usl.Fit]:
        fits = real(n, x)
        fits["usl"].sigma = 1.0
        return fits

    real_bootstrap = usl.bootstrap

    def firm_kappa(model: str, fit: usl.Fit, n: Any, x: Any, rounds: int = usl.BOOTSTRAP) -> dict[str, list[float]]:
        if model == "usl":
            return {"lambda": [99.0, 101.0], "sigma": [0.9, 1.0], "kappa": [0.001, 0.003]}
        return real_bootstrap(model, fit, n, x, rounds)

    monkeypatch.setattr(usl, "_fits", sigma_one)
    monkeypatch.setattr(usl, "bootstrap", firm_kappa)
    result = usl.fit(exact(100, 0.05, 0.002, [1, 2, 4, 8, 16, 32, 64]))
    assert result["peak_supported"] is False and "includes 0" in result["usl_rejected"]


def test_a_fit_that_does_not_converge_is_said_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import scipy.optimize

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("Optimal parameters not found")

    monkeypatch.setattr(scipy.optimize, "curve_fit", fail)
    result = usl.fit(exact(100, 0.1, 0, [1, 2, 4, 8, 16, 32, 64]))
    assert result["model"] == "linear"
    unscored = {"aicc": None, "why_not_scored": "the fit did not converge"}
    assert result["comparison"]["amdahl"] == {"parameters": 2, **unscored}
    assert result["comparison"]["usl"] == {"parameters": 3, **unscored}
    monkeypatch.setattr(scipy.optimize, "curve_fit", lambda *a, **k: (_ for _ in ()).throw(ValueError("bad")))
    assert usl._fit_model("amdahl", np.array([1.0, 2.0]), np.array([1.0, 2.0])) is None


def test_flat_throughput_has_nothing_to_explain() -> None:
    result = usl.fit([(1, 100), (2, 100), (3, 100), (4, 100)])
    assert result["r2"] == 1.0 and result["model"] == "linear" and result["lambda"] == pytest.approx(33.333333)


def test_aicc_counts_the_noise_variance_and_needs_two_points_more() -> None:
    assert usl._aicc(2.0, 6, 1, 0.0) == pytest.approx(6 * math.log(2 / 6) + 4 + 12 / 3)
    assert usl._aicc(0.0, 6, 1, 0.5) == pytest.approx(6 * math.log(0.5 / 6) + 4 + 12 / 3)  # the floor
    assert usl._aicc(2.0, 4, 1, 0.0) == pytest.approx(4 * math.log(0.5) + 4 + 12)
    assert usl._aicc(2.0, 3, 1, 0.0) is None and usl._aicc(2.0, 5, 3, 0.0) is None
    assert usl._aicc(2.0, 6, 3, 0.0) == pytest.approx(6 * math.log(2 / 6) + 8 + 40)


def test_select_scores_against_the_current_best() -> None:
    def fits(linear: float | None, amdahl: float | None, full: float | None) -> dict[str, usl.Fit]:
        return {"linear": usl.Fit("linear", 1, 0, 0, 1, linear), "amdahl": usl.Fit("amdahl", 1, 0.1, 0, 1, amdahl),
                "usl": usl.Fit("usl", 1, 0.1, 0.01, 1, full)}

    assert usl.select(fits(None, 5.0, None)) == "amdahl"  # anything scored beats nothing
    assert usl.select(fits(None, None, None)) == "linear"
    assert usl.select(fits(10.0, 8.0, None)) == "linear"  # exactly 2 lower: not more than 2
    assert usl.select(fits(10.0, None, 7.9)) == "usl"
    assert usl.select({"linear": usl.Fit("linear", 1, 0, 0, 1, 10.0)}) == "linear"


def test_bootstrap_takes_the_middle_95_percent_of_refits_of_positive_resamples(
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[Any, Any]] = []

    def refit(model: str, n: Any, x: Any, start: Any = None) -> tuple[float, float, float]:
        seen.append((x.copy(), start))
        i = float(len(seen))
        return i, 10 * i, 100 * i

    monkeypatch.setattr(usl, "_fit_model", refit)
    fit = usl.Fit("amdahl", 1.0, 0.25, 0.0, 0.0, None)
    n = np.array([1.0, 2.0, 3.0])
    out = usl.bootstrap("amdahl", fit, n, np.array([1.0, 2.0, 4.0]), rounds=200)
    assert len(seen) == 200 and all(start == (1.0, 0.25, 0.0) for _, start in seen)
    draws = np.arange(1, 201)
    assert out == {"lambda": [float(np.percentile(draws, 2.5)), float(np.percentile(draws, 97.5))],
                   "sigma": [float(np.percentile(10 * draws, 2.5)), float(np.percentile(10 * draws, 97.5))],
                   "kappa": [float(np.percentile(100 * draws, 2.5)), float(np.percentile(100 * draws, 97.5))]}
    fitted = fit.predict(n)
    residuals = np.array([1.0, 2.0, 4.0]) - fitted
    for x, _ in seen:  # each a resample: the fitted curve plus residuals drawn with replacement
        assert all(any(math.isclose(v - f, r) for r in residuals) for v, f in zip(x, fitted, strict=True))
    assert len({tuple(x) for x, _ in seen}) > 10
    seen.clear()
    # a resample with a throughput at or below 0 is no throughput: skipped
    usl.bootstrap("amdahl", usl.Fit("linear", 1.0, 0.0, 0.0, 0.0, None), n, np.array([1.0, 2.0, 0.0]), rounds=200)
    assert 0 < len(seen) < 200 and all(np.all(x > 0) for x, _ in seen)


def test_bootstrap_without_a_single_refit_gives_no_intervals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(usl, "_fit_model", lambda *a, **k: None)
    assert usl.bootstrap("usl", usl.Fit("usl", 1.0, 0.1, 0.01, 0.0, None), np.array([1.0, 2.0]),
                         np.array([1.0, 1.5])) == {}


def test_the_default_bootstrap_is_200_rounds(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(usl, "_fit_model", lambda *a, **k: calls.append(1) or (1.0, 0.0, 0.0))
    usl.bootstrap("linear", usl.Fit("linear", 1.0, 0.0, 0.0, 0.0, None), np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    assert len(calls) == 200


def test_a_refit_starts_from_the_original_fit_inside_the_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    import scipy.optimize

    asked: list[dict[str, Any]] = []

    def record(func: Any, n: Any, x: Any, **kw: Any) -> Any:
        asked.append(kw)
        return np.array(kw["p0"]), None

    monkeypatch.setattr(scipy.optimize, "curve_fit", record)
    n, x = np.array([1.0, 2.0, 4.0]), np.array([10.0, 18.0, 30.0])
    assert usl._fit_model("usl", n, x, start=(12.0, 0.0, 0.0)) == (12.0, 1e-9, 1e-12)
    assert usl._fit_model("amdahl", n, x, start=(12.0, 1.0, 5.0)) == (12.0, 1 - 1e-9, 0.0)
    assert usl._fit_model("amdahl", n, x) == (10.0, 0.05, 0.0)  # lambda from the best single point
    assert usl._fit_model("usl", n, x) == (10.0, 0.05, 1e-4)
    assert [a["bounds"] for a in asked] == [([1e-12, 0.0, 0.0], [np.inf, 1.0, np.inf]), ([1e-12, 0.0], [np.inf, 1.0]),
                                            ([1e-12, 0.0], [np.inf, 1.0]), ([1e-12, 0.0, 0.0], [np.inf, 1.0, np.inf])]
    assert all(a["x_scale"] == "jac" and a["max_nfev"] == 20000 for a in asked)


def test_a_model_that_does_not_converge_leaves_the_others_scored(monkeypatch: pytest.MonkeyPatch) -> None:
    import scipy.optimize

    real = scipy.optimize.curve_fit

    def amdahl_fails(func: Any, *args: Any, **kwargs: Any) -> Any:
        if func is usl._amdahl:
            raise RuntimeError("Optimal parameters not found")
        return real(func, *args, **kwargs)

    monkeypatch.setattr(scipy.optimize, "curve_fit", amdahl_fails)
    result = usl.fit(exact(100, 0.05, 0.002, [1, 2, 4, 8, 16, 32, 64]))
    assert result["comparison"]["amdahl"]["why_not_scored"] == "the fit did not converge"
    assert result["comparison"]["usl"]["aicc"] is not None and result["model"] == "usl"


def test_a_throughput_below_one_request_per_second_is_still_a_point() -> None:
    assert usl.fit([(n, 0.1 * n) for n in [1, 2, 3, 4]])["points"] == 4


def test_the_comparison_shows_each_models_coefficients_to_a_millionth() -> None:
    comparison = usl.fit(exact(100, 0.1, 0, [1, 2, 4, 8, 16, 32, 64]))["comparison"]
    assert (comparison["linear"]["lambda"], comparison["linear"]["rss"]) == (17.722818, 431280.678544)
    assert (comparison["amdahl"]["lambda"], comparison["amdahl"]["sigma"]) == (100.0, 0.1)


def test_the_same_points_give_the_same_intervals() -> None:
    """The bootstrap is seeded: a capacity.json rendered twice from the same steps says the same."""
    noisy = [(n, x * (1 + 0.03 * (-1) ** i)) for i, (n, x) in enumerate(exact(100, 0.05, 0.002, [1, 2, 4, 8, 12, 16]))]
    first, second = usl.fit(noisy), usl.fit(noisy)
    assert first["lambda_ci"] == second["lambda_ci"] and first["sigma_ci"] == second["sigma_ci"]
    assert first["lambda_ci"][0] < first["lambda_ci"][1]


def test_the_comparison_keeps_kappa_to_nine_digits() -> None:
    result = usl.fit(exact(100, 0.05, 0.000123456, [1, 2, 4, 8, 16, 24, 32]))
    assert result["comparison"]["usl"]["kappa"] == pytest.approx(0.000123456, rel=1e-3)
