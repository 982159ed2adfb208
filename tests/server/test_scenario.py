"""Scenario files: the default loads; every mistake names the file, the key and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecekit.errors import ConfigError
from ecekit.server import scenario


def test_default_scenario_numbers_entry_points_from_1001_with_descriptions() -> None:
    state = scenario.load()
    assert min(state.entry_points) == 1001
    assert all(ep.description for ep in state.entry_points.values())


def test_roundtrip_through_the_admin_format() -> None:
    state = scenario.load()
    again = scenario.from_mapping(scenario.to_mapping(state))
    assert scenario.to_mapping(again) == scenario.to_mapping(state)


@pytest.mark.parametrize(("text", "message"), [
    ("[queues.q]\nmax_dept = 3\n", "unknown key in queues.q: 'max_dept'. Did you mean 'max_depth'"),
    ("[queues.q]\nwaiting = -1\n", "queues.q.waiting must be a whole number >= 0, got -1"),
    ("[queues.q]\n[agents.a]\navailable = 'yes'\n", "agents.a.available must be true or false"),
    ("[queues.q]\n[entry_points.1]\nactive = true\n", "entry_points.1 has no 'queue'"),
    ("[queues.q]\n[entry_points.abc]\nqueue = 'q'\n", "entry point id 'abc' is not a whole number"),
    ("[queues.sales]\n[entry_points.1]\nqueue = 'sale'\n", "Did you mean 'sales'"),
    ("[queues.q]\nservice = 'x'\n", "queues.q.service names 'x', which is not defined"),
    ("entrypoints = 1\n", "Did you mean 'entry_points'"),
    ("[queues\n", "not valid TOML"),
])
def test_mistakes_are_explained(tmp_path: Path, text: str, message: str) -> None:
    file = tmp_path / "bad.toml"
    file.write_text(text)
    with pytest.raises(ConfigError) as info:
        scenario.load(file)
    assert str(file) in info.value.message
    assert message in info.value.message
    assert info.value.remedy


def test_missing_file() -> None:
    with pytest.raises(ConfigError, match="cannot read scenario"):
        scenario.load("/nonexistent/scenario.toml")
