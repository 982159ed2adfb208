"""`ecekit serve`'s flags, listings and errors (CliRunner), and other context roots."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from ecekit import operations as ops
from ecekit.cli import cli
from ecekit.server import faults
from ecekit.server.testing import running_server


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("NO_COLOR", "1")
    return CliRunner()


def test_list_entry_points(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["serve", "--list-entry-points"])
    assert result.exit_code == 0
    for ep in range(1001, 1009):
        assert str(ep) in result.output
    assert "inactive" in result.output
    assert "agents not required" in result.output


def test_list_faults_names_each_check(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["serve", "--list-faults"])
    assert result.exit_code == 0
    for name, cls in faults.catalogue().items():
        assert name in result.output
        assert cls.trips in result.output


@pytest.mark.parametrize(("args", "says"), [
    (["--fault", "capacity-negtive"], "Did you mean 'capacity-negative'"),
    (["--scenario", "/nonexistent.toml"], "cannot read scenario"),
])
def test_usage_errors_exit_2(runner: CliRunner, tmp_path: Path, args: list[str], says: str) -> None:
    result = runner.invoke(cli, ["serve", "--port", "0", "--surveys", str(tmp_path / "s.db"), *args])
    assert result.exit_code == 2
    assert says in result.output


@pytest.mark.parametrize(("root", "prefix"), [("/webchatprod", "/webchatprod"), ("/", ""),
                                              ("system/", "/system")])
def test_other_context_roots(root: str, prefix: str) -> None:
    with running_server(context_root=root) as srv:
        assert srv.base_url.endswith(f":{srv.port}{prefix}")
        assert requests.get(srv.base_url + ops.CHAT_ALLOWED.url_path(1001), timeout=5).status_code == 200


def test_subprocess_server_with_faults_and_scenario(tmp_path: Path) -> None:
    scenario_file = tmp_path / "one.toml"
    scenario_file.write_text('[queues.q]\n[entry_points.7]\nqueue = "q"\nagents_required = false\n')
    with running_server(scenario=scenario_file, faults=["capacity-500"], subprocess=True) as srv:
        assert requests.get(srv.base_url + ops.CAPACITY.url_path(7), timeout=5).status_code == 500
        chat = requests.get(srv.base_url + ops.CHAT_ALLOWED.url_path(7), timeout=5)
        assert b'allowed="true"' in chat.content
