"""How every process of a load run resolves the same settings, and its run state (pure: no locust)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from ecekit.errors import ConfigError
from ecekit.load import runstate, settings
from ecekit.load.settings import DEFAULT_SID, resolve, target_json

HOST = "http://127.0.0.1:8080/system"


def test_profile_defaults_then_overrides() -> None:
    s = resolve({"ece_profile": "one-call"}, HOST)
    assert s.profile.name == "one-call" and s.arrivals.rate == 50 and s.arrivals.duration == 30
    assert s.target.base_url == HOST and s.target.entry_points == ()
    assert (s.out, s.junit_xml, s.survey_sid, s.seed, s.embedded) == (None, None, None, None, False)
    s = resolve({"ece_profile": "one-call", "ece_rate": "12.5", "ece_duration": "3", "ece_seed": "7",
                 "ece_entry_points": " 1001, ,1002", "ece_out": "o", "ece_junit_xml": "j.xml",
                 "ece_embedded": "true", "ece_slo": "p95=1s,errors=2%"}, HOST)
    assert (s.arrivals.rate, s.arrivals.duration, s.seed, s.embedded) == (12.5, 3.0, 7, True)
    assert s.target.entry_points == ("1001", "1002")
    assert (s.out, s.junit_xml) == (Path("o"), Path("j.xml"))
    assert {x.name for x in s.slos} >= {"p95", "errors"}


@pytest.mark.parametrize(("flag", "sid", "expected"), [
    ("true", "", DEFAULT_SID), ("yes", "1000_real", "1000_real"), ("false", "1000_real", None), ("", "", None),
])
def test_writes_and_the_survey_sid(flag: str, sid: str, expected: str | None) -> None:
    assert resolve({"ece_allow_writes": flag, "ece_sid": sid}, HOST).survey_sid == expected


def test_a_bad_number_names_the_flag() -> None:
    with pytest.raises(ConfigError, match="--ece-rate 'fast' is not a number"):
        resolve({"ece_rate": "fast"}, HOST)


def test_headers_only_from_the_environment_and_target_json_round_trip(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(settings.HEADERS_ENV, json.dumps({"Authorization": "secret"}))
    s = resolve({"ece_entry_points": "1001"}, HOST)
    assert dict(s.target.headers) == {"Authorization": "secret"}
    data = target_json(s.target.replace(sid="1000_x"))
    assert "headers" not in data and data["base_url"] == HOST and data["sid"] == "1000_x"
    path = tmp_path / "target.json"
    path.write_text(json.dumps(data))
    again = resolve({"ece_target": str(path)}, None).target
    assert (again.base_url, again.entry_points, again.sid) == (HOST, ("1001",), "1000_x")


def _environment(runner: object, **options: object) -> SimpleNamespace:
    names = dict.fromkeys(settings.OPTIONS, "")
    return SimpleNamespace(host=HOST, runner=runner, parsed_options=SimpleNamespace(**{**names, **options}))


def test_run_state_streams_and_seeds() -> None:
    env = _environment(SimpleNamespace(target_user_count=3, worker_index=2), ece_seed="5", ece_profile="one-call")
    state = runstate.start(env, with_checker=False)
    assert runstate.current() is state and runstate.get(env) is state and state.checker is None
    assert state.streams() == 3
    env.parsed_options.ece_streams = 4  # forwarded by the master: the whole run's streams
    assert state.streams() == 4
    a, b = state.rng().random(), state.rng().random()
    again = runstate.start(env, with_checker=False)
    assert (again.rng().random(), again.rng().random()) == (a, b) and a != b
    other = runstate.start(_environment(SimpleNamespace(target_user_count=0, worker_index=3), ece_seed="5",
                                        ece_profile="one-call"), with_checker=False)
    assert other.rng().random() != a and other.streams() == 1
    assert runstate.options_of(SimpleNamespace(parsed_options=None)) == {}


def test_get_makes_a_state_with_a_checker_for_a_new_environment() -> None:
    env = _environment(None, ece_profile="one-call")
    state = runstate.get(env)
    assert state.environment is env and state.checker is not None
