"""The Universal Scalability Law fit on synthetic data with known coefficients."""

from __future__ import annotations

import math
import random

import pytest

from ecekit.capacity import usl

NS = [1, 2, 4, 8, 16, 32, 64]


def test_recovers_known_coefficients_and_peak() -> None:
    result = usl.fit([(n, usl.throughput(n, 100, 0.05, 0.002)) for n in NS])
    c = result
    assert c["lambda"] == pytest.approx(100, rel=1e-3)
    assert c["sigma"] == pytest.approx(0.05, rel=1e-2)
    assert c["kappa"] == pytest.approx(0.002, rel=1e-2)
    peak_n = math.sqrt((1 - 0.05) / 0.002)
    assert result["peak_concurrency"] == pytest.approx(peak_n, rel=1e-2)
    assert result["peak_throughput_rps"] == pytest.approx(usl.throughput(peak_n, 100, 0.05, 0.002), rel=1e-2)
    assert result["peak_beyond_measured"] is False
    assert result["extrapolation"] is True and "extrapolation" in result["note"]
    assert result["r2"] > 0.999


def test_noisy_data_still_lands_near_the_truth() -> None:
    rng = random.Random(7)
    pts = [(n, usl.throughput(n, 100, 0.05, 0.002) * (1 + rng.gauss(0, 0.02))) for n in NS]
    result = usl.fit(pts)
    assert result["peak_throughput_rps"] == pytest.approx(740, rel=0.05)


def test_a_peak_far_beyond_the_data_is_not_reported() -> None:
    """Exact USL data whose peak (N* = 44) lies far past the measured N <= 12: the model is not refuted,
    but the curve has not bent yet, so no peak is a finding."""
    result = usl.fit([(n, usl.throughput(n, 100, 0.02, 0.0005)) for n in [1, 2, 4, 6, 8, 10, 12]])
    assert result["peak_supported"] is False and result["peak_concurrency"] is None
    assert "only 27% of the predicted peak" in result["usl_rejected"]
    assert result["model"] == "amdahl" and result["kappa"] == 0
    assert "no saturation seen up to" in result["reason_no_peak"]


def test_linear_scaling_predicts_no_peak() -> None:
    result = usl.fit([(n, 50 * n) for n in [1, 2, 3, 4]])
    assert result["fitted"] and result["peak_concurrency"] is None
    assert result["sigma"] == 0 and result["kappa"] == 0
    assert "linear" in result["reason_no_peak"]


def test_contention_only_predicts_a_ceiling_not_a_peak() -> None:
    result = usl.fit([(n, usl.throughput(n, 100, 0.1, 0)) for n in [1, 2, 4, 8, 16]])
    assert result["peak_concurrency"] is None
    assert result["ceiling_rps"] == pytest.approx(1000, rel=1e-2)


def test_too_few_points_is_said_not_guessed() -> None:
    result = usl.fit([(1, 100), (2, 180)])
    assert result["fitted"] is False and "at least 3" in result["reason"]
    assert usl.fit([(1, 100), (1, 100), (1, 100)])["fitted"] is False  # one concurrency thrice


def test_below_one_request_in_flight_the_coefficients_are_those_of_the_chosen_model() -> None:
    """A lightly loaded server: N < 1 at every step, four points: only the linear model can be scored
    (AICc needs two points more than a model has parameters); its coefficient is reported as fitted,
    with its interval, and nothing is zeroed or invented."""
    from ecekit.capacity.usl import fit

    points = [(0.042, 40.0), (0.086, 88.0), (0.18, 203.0), (0.564, 343.5)]
    result = fit(points)
    assert result["fitted"] and result["model"] == "linear"
    assert result["comparison"]["usl"]["aicc"] is None and "6 points" in result["comparison"]["usl"]["why_not_scored"]
    lam = sum(n * x for n, x in points) / sum(n * n for n, _ in points)
    assert result["lambda"] == pytest.approx(lam, rel=1e-6)
    assert result["lambda_ci"][0] <= result["lambda"] <= result["lambda_ci"][1]
    assert result["peak_supported"] is False


def test_noisy_linear_data_select_no_peak() -> None:
    """Throughput in proportion to concurrency, 3 % noise, eight steps: the USL may fit a small kappa,
    but it does not beat the simpler models by enough, and no peak is reported."""
    rng = random.Random(3)
    pts = [(n, 40 * n * (1 + rng.gauss(0, 0.03))) for n in [0.1, 0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8]]
    result = usl.fit(pts)
    assert result["model"] in ("linear", "amdahl") and result["peak_supported"] is False
    assert result["peak_concurrency"] is None and result["peak_throughput_rps"] is None
    assert result["reason_no_peak"].startswith("no saturation seen up to")
    assert result["lambda_ci"][0] < result["lambda"] < result["lambda_ci"][1]


def test_five_points_far_from_saturation_cannot_carry_a_retrograde_term() -> None:
    """The shape of the README example on a server far from its limit: five steps, throughput = offered,
    latency flat: the USL needs six points to be scored at all, and no peak is invented."""
    rates = [100, 200, 400, 800, 1600]
    pts = [(r * 0.0015 * (1 + 0.1 * (i % 2)), r * (0.97 + 0.01 * i)) for i, r in enumerate(rates)]
    result = usl.fit(pts)
    assert result["comparison"]["usl"]["aicc"] is None
    assert result["peak_supported"] is False and "no saturation seen up to" in result["reason_no_peak"]


def test_retrograde_data_past_the_peak_find_the_peak_with_kappa_clear_of_zero() -> None:
    rng = random.Random(11)
    pts = [(n, usl.throughput(n, 100, 0.05, 0.002) * (1 + rng.gauss(0, 0.02))) for n in [1, 2, 4, 8, 16, 24, 32, 48]]
    result = usl.fit(pts)
    assert result["model"] == "usl" and result["peak_supported"] is True
    assert result["kappa_ci"][0] > 0 and result["kappa_ci"][0] <= result["kappa"] <= result["kappa_ci"][1]
    assert result["peak_concurrency"] == pytest.approx(math.sqrt(0.95 / 0.002), rel=0.15)
    assert result["comparison"]["usl"]["aicc"] < result["comparison"]["amdahl"]["aicc"] - 2


def test_a_richer_model_must_lower_aicc_by_more_than_two() -> None:
    def fits(amdahl: float, full: float) -> dict[str, usl.Fit]:
        return {"linear": usl.Fit("linear", 1, 0, 0, 1, 20.0), "amdahl": usl.Fit("amdahl", 1, 0.1, 0, 1, amdahl),
                "usl": usl.Fit("usl", 1, 0.1, 0.01, 1, full)}

    assert usl.select(fits(amdahl=19.0, full=18.0)) == "linear"  # within 2 of linear: no real support
    assert usl.select(fits(amdahl=17.9, full=16.0)) == "amdahl"  # USL within 2 of Amdahl
    assert usl.select(fits(amdahl=17.9, full=15.8)) == "usl"
    unscored = fits(amdahl=10.0, full=0.0)
    unscored["usl"].aicc = None  # too few points to score the USL: never chosen
    assert usl.select(unscored) == "amdahl"


def test_no_peak_when_kappas_interval_reaches_zero(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same retrograde data as above, with the bootstrap made to say kappa may be 0: no peak, and
    the reported model has no retrograde term."""
    rng = random.Random(11)
    pts = [(n, usl.throughput(n, 100, 0.05, 0.002) * (1 + rng.gauss(0, 0.02))) for n in [1, 2, 4, 8, 16, 24, 32, 48]]
    real = usl.bootstrap

    def vague(model: str, fit: usl.Fit, n, x, rounds: int = usl.BOOTSTRAP):
        found = real(model, fit, n, x, rounds)
        if model == "usl":
            found["kappa"] = [0.0, found["kappa"][1]]
        return found

    monkeypatch.setattr(usl, "bootstrap", vague)
    result = usl.fit(pts)
    assert result["peak_supported"] is False and result["peak_concurrency"] is None
    assert "includes 0" in result["usl_rejected"] and result["model"] == "amdahl" and result["kappa"] == 0
