"""The CLI skeleton: help, version, close matches, and the public face of the package."""

from __future__ import annotations

import json
import subprocess
import sys

from click.testing import CliRunner

import ecekit
from ecekit.cli import COMMANDS, cli


def test_help_lists_every_command_without_importing_them() -> None:
    """`ecekit --help` must stay cheap and never load locust: no sub-command module (every entry of
    COMMANDS), nor locust, nor the server, is imported to print it."""
    modules = [module for module, _ in COMMANDS.values()]
    code = ("import json, sys; from ecekit.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit: pass\n"
            f"print(json.dumps([m for m in {[*modules, 'locust', 'ecekit.server']!r} if m in sys.modules]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for name in COMMANDS:
        assert name in out
    assert json.loads(out.strip().splitlines()[-1]) == []


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and ecekit.__version__ in result.output


def test_misspelt_command_suggests_the_right_one() -> None:
    result = CliRunner().invoke(cli, ["chek"])
    assert result.exit_code == 2
    assert "Did you mean 'check'" in result.output


def test_exported_members() -> None:
    for name in ecekit.__all__:
        assert hasattr(ecekit, name)
    assert set(ecekit.__all__) == {
        "OPERATIONS", "STATUS_OPERATIONS", "Client", "ConfigError", "Exchange", "Operation", "SchemaError",
        "Target", "TargetError", "ToolkitError", "UsageError", "__version__",
        # the library (docs/api.md)
        "serve", "ServerHandle", "run_checks", "CheckResult", "run_load", "LoadResult", "run_repeated",
        "RepeatedResult", "compare_runs", "CompareResult", "find_capacity",
        "CapacityResult", "take_snapshot", "Snapshot", "diff_snapshots", "Diff", "register_check",
        "Observation", "Violation",
    }


def test_python_m_ecekit_is_the_cli() -> None:
    run = subprocess.run([sys.executable, "-m", "ecekit", "--help"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Usage: ecekit ") and "capacity" in run.stdout
