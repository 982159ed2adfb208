"""One interrupt watch for a contract run, whichever door it came through: a plain ``pytest`` run of
contract suites ends without a verdict, and ``run_suite`` (``run_checks``, ``ecekit check``) raises
KeyboardInterrupt instead of returning pytest's exit status, which other errors share."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from ecekit.suite import run
from ecekit.suite.session import Suite
from ecekit.target import Target

CONFTEST = "ECEKIT_CONTRACTS = True\n"
TESTS = "def test_one():\n    pass\n\n\ndef test_two():\n    {two}\n\n\ndef test_three():\n    pass\n"


def suites(tmp_path: Path, *, interrupted: bool) -> Path:
    """Contract suites of three tests that need no server; the second is stopped by Ctrl-C if asked."""
    directory = tmp_path / "contracts"
    directory.mkdir()
    (directory / "conftest.py").write_text(CONFTEST)
    # a module name of its own: an earlier in-process run's module of the same name would be reused
    two = "raise KeyboardInterrupt" if interrupted else "pass"
    (directory / f"test_{tmp_path.name}.py").write_text(TESTS.format(two=two))
    return directory


def args(directory: Path) -> list[str]:
    return [str(directory), "--rootdir", str(directory), "-p", "ecekit", "-p", "no:cacheprovider",
            "-p", "no:randomly", "-p", "no:xdist", "-o", "addopts="]


@pytest.mark.parametrize("interrupted", [True, False])
def test_a_plain_pytest_run_gives_no_verdict_when_interrupted(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                              interrupted: bool) -> None:
    code = pytest.main(args(suites(tmp_path, interrupted=interrupted)))
    out = capsys.readouterr().out
    assert (code == pytest.ExitCode.INTERRUPTED) is interrupted
    assert ("interrupted after 1 test(s): no verdict" in out) is interrupted
    assert ("all contract checks passed" in out) is not interrupted


@pytest.mark.parametrize("interrupted", [True, False])
def test_run_suite_raises_the_interrupt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interrupted: bool) -> None:
    directory = suites(tmp_path, interrupted=interrupted)
    monkeypatch.setattr(run, "pytest_args", lambda **_: [*args(directory), "-p", "no:terminal"])
    monkeypatch.setattr(gc, "freeze", lambda: None)  # not this worker's whole heap
    suite = Suite(Target())
    if interrupted:
        with pytest.raises(KeyboardInterrupt):
            run.run_suite(suite, silent=True)
    else:
        assert run.run_suite(suite, silent=True).exit_code == run.EXIT_OK
    assert len(suite.record.results) == (1 if interrupted else 3)
