"""`ecekit serve`'s flags, listings and errors (CliRunner), and other context roots."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
import requests
from click.testing import CliRunner

from ecekit import operations as ops
from ecekit.cli import cli
from ecekit.server import faults
from ecekit.server.embedded import running_server


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


class _NoServe:
    """Stands in for runtime.serve: records the app, says it is ready and returns at once, so `ecekit
    serve --host 0.0.0.0` is exercised up to the point of serving without anything listening beyond
    loopback."""

    apps: ClassVar[list[object]] = []

    @classmethod
    def serve(cls, config: Any, sock: object, stop: object, on_ready: Callable[[], None]) -> None:
        cls.apps.append(config.app)
        on_ready()


@pytest.fixture
def no_serve(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    from ecekit.server import runtime

    real_bind = runtime.bind
    monkeypatch.setattr(runtime, "bind", lambda host, port: real_bind("127.0.0.1", 0))
    monkeypatch.setattr(runtime, "serve", _NoServe.serve)
    monkeypatch.delenv("ECEKIT_ADMIN_TOKEN", raising=False)
    _NoServe.apps = []
    return _NoServe.apps


def _serve(runner: CliRunner, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    result = runner.invoke(cli, ["serve", "--port", "0", "--surveys", str(tmp_path / "s.db"), *args], env=env)
    assert result.exit_code == 0, result.output
    return result


def _gate_token(apps: list[object]) -> str | None:
    (app,) = apps
    return app.admin.access.token  # type: ignore[attr-defined, no-any-return]


def test_beyond_loopback_one_line_says_who_reaches_it_and_its_faults(
        runner: CliRunner, tmp_path: Path, no_serve: list[object]) -> None:
    result = _serve(runner, tmp_path, "--host", "0.0.0.0", "--admin", "--fault", "capacity-negative")
    (warning,) = [line for line in result.output.splitlines() if "WARNING" in line]
    assert warning in result.stderr
    assert "beyond loopback on 0.0.0.0" in warning and "anyone who can reach port" in warning
    assert "fault modes on: capacity-negative" in warning
    assert "admin API needs the bearer token" in warning
    assert "faults on: capacity-negative (served to anyone who can reach 0.0.0.0:" in result.stdout
    token = _gate_token(no_serve)
    assert token and result.output.count(token) == 1
    assert f"admin token (generated, shown once): {token}" in result.stdout


def test_beyond_loopback_without_admin_or_faults_still_warns(runner: CliRunner, tmp_path: Path,
                                                             no_serve: list[object]) -> None:
    result = _serve(runner, tmp_path, "--host", "::")
    assert "WARNING: listening beyond loopback on :: (every interface" in result.stderr
    assert "no fault modes on" in result.stderr
    assert "admin" not in result.output.lower()


def test_loopback_stays_quiet_and_open(runner: CliRunner, tmp_path: Path, no_serve: list[object]) -> None:
    result = _serve(runner, tmp_path, "--admin", "--fault", "capacity-500")
    assert "WARNING" not in result.output and "token" not in result.output
    assert "ecekit serve: faults on: capacity-500\n" in result.stdout
    assert _gate_token(no_serve) is None


def test_a_token_from_the_environment_is_used_and_never_printed(runner: CliRunner, tmp_path: Path,
                                                                no_serve: list[object]) -> None:
    token = "from-the-environment-0123456789"
    result = _serve(runner, tmp_path, "--host", "0.0.0.0", "--admin", env={"ECEKIT_ADMIN_TOKEN": token})
    assert _gate_token(no_serve) == token
    assert token not in result.output and "generated" not in result.output
    assert "admin API needs the token given to --admin-token/ECEKIT_ADMIN_TOKEN" in result.stdout


def test_a_short_chosen_token_gets_a_warning(runner: CliRunner, tmp_path: Path,
                                             no_serve: list[object]) -> None:
    result = _serve(runner, tmp_path, "--admin", "--admin-token", "abc")
    assert _gate_token(no_serve) == "abc"
    assert "the admin token has only 3 characters" in result.stderr


@pytest.mark.parametrize(("args", "says"), [
    (["--admin", "--admin-token", ""], "visible ASCII"),
    (["--admin", "--admin-token", "two words"], "visible ASCII"),
    (["--admin-token", "0123456789abcdef0123"], "--admin-token needs --admin"),
])
def test_admin_token_mistakes_exit_2(runner: CliRunner, tmp_path: Path, no_serve: list[object],
                                     args: list[str], says: str) -> None:
    result = runner.invoke(cli, ["serve", "--port", "0", "--surveys", str(tmp_path / "s.db"), *args])
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert no_serve == []


def test_the_environment_token_without_admin_is_ignored(runner: CliRunner, tmp_path: Path,
                                                        no_serve: list[object]) -> None:
    _serve(runner, tmp_path, env={"ECEKIT_ADMIN_TOKEN": "set-for-another-server-0123"})
    assert no_serve[0].admin is None  # type: ignore[attr-defined]


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_an_empty_environment_token_is_exit_2_like_an_empty_flag(runner: CliRunner, tmp_path: Path,
                                                                 no_serve: list[object], host: str) -> None:
    """click reads ECEKIT_ADMIN_TOKEN="" as unset: on loopback that would leave the API open unsaid."""
    result = runner.invoke(cli, ["serve", "--port", "0", "--surveys", str(tmp_path / "s.db"), "--host", host,
                                 "--admin"], env={"ECEKIT_ADMIN_TOKEN": ""})
    assert result.exit_code == 2, result.output
    assert "ECEKIT_ADMIN_TOKEN is set but empty" in result.output
    assert "unset ECEKIT_ADMIN_TOKEN" in result.output and "token_urlsafe" in result.output
    assert no_serve == []


def test_an_empty_environment_token_without_admin_is_ignored(runner: CliRunner, tmp_path: Path,
                                                             no_serve: list[object]) -> None:
    _serve(runner, tmp_path, env={"ECEKIT_ADMIN_TOKEN": ""})
    assert no_serve[0].admin is None  # type: ignore[attr-defined]


def test_help_tells_about_the_token_and_exposure(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    flat = " ".join(result.output.split())
    assert "--admin-token TOKEN" in flat and "ECEKIT_ADMIN_TOKEN" in flat
    assert "Anything but loopback" in flat
