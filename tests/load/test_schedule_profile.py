"""Arrival shapes, Poisson counts, profiles and the page-view function (pure)."""

from __future__ import annotations

import itertools
import random

import pytest

from ecekit import operations
from ecekit.errors import ConfigError
from ecekit.load import profile
from ecekit.load.checking import Verdict
from ecekit.load.schedule import Arrivals
from ecekit.load.visitor import PageView, page_view, poll_times, survey_body
from ecekit.xmlsafe import parse, schemas


def test_poisson_count_and_split_streams() -> None:
    arr = Arrivals(rate=100, duration=100)
    rng = random.Random(3)
    whole = len(list(arr.arrival_times(rng)))
    parts = sum(len(list(arr.arrival_times(rng, 0.25))) for _ in range(4))
    for n in (whole, parts):
        assert abs(n - 10_000) < 4 * 100  # 4 sigma of a Poisson count
    gaps = list(arr.arrival_times(random.Random(1)))
    assert all(b > a for a, b in itertools.pairwise(gaps))


@pytest.mark.parametrize(("arr", "at", "rate", "mean"), [
    (Arrivals("ramp", rate=100, duration=10), 5.0, 50.0, 50.0),
    (Arrivals("step", rate=100, duration=10, steps=4), 6.0, 75.0, 62.5),
    (Arrivals("spike", rate=10, duration=100, spike_rate=50, spike_length=10), 50.0, 50.0, 14.0),
    (Arrivals("soak", rate=3, duration=10), 9.0, 3.0, 3.0),
])
def test_shapes(arr: Arrivals, at: float, rate: float, mean: float) -> None:
    assert arr.rate_at(at) == pytest.approx(rate)
    assert arr.mean_rate() == pytest.approx(mean, rel=0.01)


def test_bad_shape_has_a_close_match() -> None:
    with pytest.raises(ConfigError, match="did you mean 'spike'"):
        Arrivals("spik")


def test_bundled_profiles_load() -> None:
    names = profile.bundled_names()
    assert {"default", "one-call"} <= set(names)
    for name in names:
        assert profile.load(name).calls


def test_unknown_profile_and_keys(tmp_path) -> None:
    with pytest.raises(ConfigError, match="did you mean 'one-call'"):
        profile.load("one-cal")
    bad = tmp_path / "p.toml"
    bad.write_text('[[call]]\noperation = "chatAllowed"\nshar = 0.5\n')
    with pytest.raises(ConfigError, match="did you mean 'share'"):
        profile.load(str(bad))
    bad.write_text('[[call]]\noperation = "survey"\n')
    with pytest.raises(ConfigError, match="not a page-load call"):
        profile.load(str(bad))


def _run(prof: profile.Profile, allowed: bool, sid: str | None = None, n: int = 200) -> list[str]:
    calls: list[str] = []

    def call(op: operations.Operation, ep: str | None, due: float, body: bytes | None) -> Verdict:
        calls.append(op.name)
        return Verdict(None, (), allowed=allowed if op is operations.CHAT_ALLOWED else None)

    rng = random.Random(5)
    for _ in range(n):
        page_view(PageView("1001"), prof, 0.0, call, lambda: 0.0, rng, survey_sid=sid)
    return calls


def test_one_call_profile_makes_exactly_one_chat_allowed_call() -> None:
    assert _run(profile.load("one-call"), True) == ["chatAllowed"] * 200


def test_default_mix_follows_chat_allowed() -> None:
    prof = profile.load("default")
    allowed = _run(prof, True, sid="1000_x", n=1000)
    refused = _run(prof, False, n=1000)
    assert allowed.count("chatAllowed") == refused.count("chatAllowed") == 1000
    assert allowed.count("liveSessionStatus") == 1000
    assert "liveSessionStatus" not in refused
    assert 200 < allowed.count("agentAvailability") < 400
    assert "survey" not in refused  # no sid: writes not allowed
    assert 0 < allowed.count("survey") < 40


def test_polls_and_survey_body_is_valid() -> None:
    prof = profile.load("default")
    times = poll_times(prof, 10.0, random.Random(2), until=1000.0)
    assert all(t > 10.0 for t in times)
    parsed = parse(survey_body("1000_abc", random.Random(1)))
    assert parsed.ok
    assert schemas().survey.is_valid(parsed.root)


def test_arrivals_table_types_and_soak_default() -> None:
    from ecekit.load.schedule import SOAK_DEFAULT_DURATION, from_mapping

    assert from_mapping({"shape": "soak"}, "p.toml").duration == SOAK_DEFAULT_DURATION
    assert from_mapping({"shape": "soak", "duration": 60}, "p.toml").duration == 60.0
    assert from_mapping({"shape": "steady"}, "p.toml").duration == Arrivals().duration
    steps = from_mapping({"shape": "step", "steps": 4, "rate": 8}, "p.toml")
    assert type(steps.steps) is int and type(steps.rate) is float and steps.rate_at(0) == 2.0
    for key, value, expected in (("rate", True, "number"), ("rate", "50", "number"), ("shape", 3, "string")):
        with pytest.raises(ConfigError, match=f"p.toml: arrivals.{key} = .* is not valid") as info:
            from_mapping({key: value}, "p.toml")
        assert info.value.remedy == f"expected a {expected}"
    with pytest.raises(ConfigError, match=r"p.toml: unknown key 'rat' in \[arrivals\]") as info:
        from_mapping({"rat": 5}, "p.toml")
    assert "did you mean 'rate'" in (info.value.remedy or "") and "spike_length" in (info.value.remedy or "")
