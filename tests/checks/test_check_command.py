"""`ecekit check` and the pytest plugin as front doors: exit codes, usage errors, an external server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecekit.cli import cli
from ecekit.resources import contracts_dir
from ecekit.server.embedded import default_roles, running_server
from ecekit.suite.run import exit_code, pytest_args

from .helpers import ecekit_check

ENV = {**os.environ, "NO_COLOR": "1"}


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["check", *args], env={"NO_COLOR": "1"})
    return result.exit_code, result.output


@pytest.mark.parametrize(("args", "says"), [
    (("--target", "/nonexistent/ecekit.toml"), "not found"),
    (("--base-url", "ftp://x"), "http(s) URL"),
    (("--base-url", "http://127.0.0.1:9/system"), "no entry points"),
    (("--base-url", "http://127.0.0.1:9/system", "--entry-point", "1", "--fault", "capacity-500"),
     "embedded reference server only"),
    (("--fault", "capacity-five-hundred"), "unknown fault"),
    (("--xsd-dir", "/nonexistent"), "does not exist"),
    (("--fuzz-examples", "-1"), "-1"),
])
def test_configuration_errors_exit_2_with_a_remedy(args: tuple[str, ...], says: str) -> None:
    code, output = invoke(*args)
    assert code == 2, output
    assert says in output
    assert "Traceback" not in output


def test_bad_target_file_key_suggests_the_right_one(tmp_path: Path) -> None:
    toml = tmp_path / "ecekit.toml"
    toml.write_text('base_url = "http://127.0.0.1:9/system"\nentry_point = [1001]\n')
    code, output = invoke("--target", str(toml))
    assert code == 2 and "entry_points" in output


def test_exit_code_mapping() -> None:
    assert [exit_code(c) for c in range(6)] == [0, 1, 2, 2, 2, 2]


def test_pytest_args_run_the_bundled_suites_with_the_plugin() -> None:
    args = pytest_args(keyword="xsd", verbose=1, exitfirst=True)
    assert args[0] == str(contracts_dir())
    assert args[args.index("-p"):][:2] == ["-p", "ecekit"]
    assert args[-4:] == ["-k", "xsd", "-v", "-x"]


def run(*cmd: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, cwd=cwd, env=ENV)


@pytest.mark.slow
def test_no_tests_selected_is_a_usage_error(tmp_path: Path) -> None:
    proc = ecekit_check("-k", "no_such_check_anywhere", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr


@pytest.mark.slow
def test_unreachable_server_is_a_usage_error_not_a_contract_failure(tmp_path: Path) -> None:
    proc = ecekit_check("--base-url", "http://127.0.0.1:9/system", "--entry-point", "1001", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "cannot connect" in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr


@pytest.mark.slow
def test_pytest_contracts_against_an_external_server_with_roles(tmp_path: Path) -> None:
    """`pytest contracts --ece-base-url …` works too; the header shows the target; writes are skipped."""
    roles = default_roles()
    with running_server() as srv:
        args = ["--ece-base-url", srv.base_url, "-p", "no:cacheprovider", "-k", "not survey_fuzz"]
        for ep in roles.entry_points[:2]:
            args += ["--ece-entry-point", ep]
        args += ["--ece-inactive-entry-point", roles.inactive_entry_points[0],
                 "--ece-invalid-entry-point", roles.invalid_entry_points[0]]
        proc = run(sys.executable, "-m", "pytest", str(contracts_dir()), *args, cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert f"ecekit target: {srv.base_url}" in out
    assert "writes are off" in out and "SKIPPED" in out


@pytest.mark.slow
def test_plugin_is_inert_outside_the_contract_suites(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text(
        "import sys\n\ndef test_nothing_heavy_loaded():\n"
        "    assert 'ecekit.suite.session' not in sys.modules\n"
        "    assert 'requests' not in sys.modules\n")
    proc = run(sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:locust", str(tmp_path),
               cwd=tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "ecekit target" not in out and "ecekit contract summary" not in out
    helptext = run(sys.executable, "-m", "pytest", "--help", cwd=tmp_path).stdout
    assert "ecekit contract suites" in helptext and "--ece-base-url" in helptext


def test_help_states_the_sid_prefix_the_fuzzer_uses() -> None:
    from ecekit.fuzz.strategies import SID_PREFIX

    code, output = invoke("--help")
    assert code == 0 and SID_PREFIX in output.replace("\n", " ")
