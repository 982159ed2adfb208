"""A contract run as a library call: :func:`run_checks`, which ``ecekit check`` calls.

The suites are ordinary pytest modules (``contracts/``, shipped in the wheel as
``ecekit/_bundled/contracts``), run in-process through ``pytest.main`` with ecekit's plugin, so a
library call, ``ecekit check`` and ``pytest contracts --ece-…`` are the same run. The run's
:class:`~ecekit.suite.session.Suite` is built and checked here, before pytest starts, and handed to
the plugin (:class:`RunPlugin`): every configuration error is a ToolkitError (exit 2), never 400
failing tests, and the given server is probed once.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecekit.errors import ToolkitError, UsageError
from ecekit.interrupts import InterruptWatch
from ecekit.suite.options import Options
from ecekit.suite.session import Suite
from ecekit.target import Target

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class CheckResult:
    """A contract run: its exit code, check.json as written (``to_dict()``), and where its files are."""

    exit_code: int
    data: dict[str, Any] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """No contract failure (0); a run where every selected test was skipped is not a pass."""
        return self.exit_code == EXIT_OK

    @property
    def failures(self) -> list[dict[str, Any]]:
        """The failed tests' records: check, operation, entry point, violations, the curl line."""
        return [r for r in self.data.get("results", []) if r.get("outcome") == "failed"]

    @property
    def totals(self) -> dict[str, int]:
        return dict(self.data.get("totals", {}))

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)


class RunPlugin:
    """Handed to ``pytest.main``: carries the run's Suite to ecekit's plugin, says whether the CLI is the
    front door (its messages then name ``--allow-writes``, not ``--ece-allow-writes``), and the
    interrupt watch the plugin registers, read here once pytest returns."""

    def __init__(self, suite: Suite, *, cli: bool = False) -> None:
        self.ecekit_suite = suite
        self.ecekit_interrupts = InterruptWatch()
        self.ECEKIT_CLI = cli


def pytest_args(*, keyword: str | None = None, verbose: int = 0, quiet: int = 0,
                exitfirst: bool = False, silent: bool = False) -> list[str]:
    """The pytest command line that runs the bundled suites (the run's settings travel in its Suite);
    ``silent``: no terminal output at all (a library call reads the result, not the screen)."""
    from ecekit.resources import contracts_dir

    directory = contracts_dir()
    args = [str(directory), "-c", str(directory / "pytest.ini"), "--rootdir", str(directory),
            "-p", "ecekit", "-p", "no:cacheprovider", "-p", "no:benchmark", "--assert=plain",
            # its end-of-run gc.collect() x5 costs a quarter of a short run; a user's run reports no
            # "exception ignored in __del__" warnings anyway
            "-p", "no:unraisableexception"]
    if silent:
        args += ["-p", "no:terminal", "-o", "addopts=", "--strict-markers"]  # -ra in pytest.ini needs a terminal
    if keyword:
        args += ["-k", keyword]
    args += ["-v"] * verbose + ["-q"] * quiet
    if exitfirst:
        args.append("-x")
    return args


def exit_code(pytest_code: int) -> int:
    """pytest's exit code as ecekit's: only OK and TESTS_FAILED keep their meaning."""
    if pytest_code == 0:
        return EXIT_OK
    if pytest_code == 1:
        return EXIT_FAILED
    return EXIT_USAGE


def nothing_selected(keyword: str | None) -> ToolkitError:
    if keyword:
        return UsageError(f"-k {keyword!r} selected no test",
                          remedy="test ids name the operation, the entry point and the check, e.g. "
                          "test_contract[capacity-1001-xsd]: try -k xsd, -k capacity, -k 1001 or "
                          "-k consistency (add -v to list what runs)")
    return UsageError("no contract test was collected", remedy="run without -k to see every test")


def run_suite(suite: Suite, *, keyword: str | None = None, verbose: int = 0, quiet: int = 0,
              exitfirst: bool = False, silent: bool = False, cli: bool = False) -> CheckResult:
    """Probe the given server once, run the suites on ``suite``, and read what the run wrote.

    Raises KeyboardInterrupt when the run was interrupted, a ToolkitError when nothing was selected."""
    import pytest

    if not suite.target.is_embedded:
        from ecekit.live import ensure_reachable

        ensure_reachable(suite.target)  # nothing listening, untrusted TLS, no context root: exit 2
        suite.connection.probed = True
    plugin = RunPlugin(suite, cli=cli)
    gc.freeze()  # the modules and schemas loaded so far live as long as the run: the collector skips them
    code = int(pytest.main(pytest_args(keyword=keyword, verbose=verbose, quiet=quiet, exitfirst=exitfirst,
                                       silent=silent), plugins=[plugin]))
    if plugin.ecekit_interrupts.interrupted:
        raise KeyboardInterrupt
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        raise nothing_selected(keyword)
    data: dict[str, Any] = {}
    check_json = suite.record.reports_written.get("json")
    if check_json:
        data = json.loads(Path(check_json).read_text(encoding="utf-8"))
    written = dict(suite.record.reports_written)
    if suite.record.junit_written:
        written["junit"] = suite.record.junit_written
    return CheckResult(exit_code(code), data, written)


def run_checks(target: Target | None = None, *, allow_writes: bool = False, select: str | None = None,
               seed: int | None = None, out: str | Path | None = None, faults: Sequence[str] = (),
               junit_xml: str | Path | None = None, quiet: bool = True) -> CheckResult:
    """Run the contract suites against ``target`` (None: the embedded reference server, with ``faults``).

    ``allow_writes`` adds the survey suite (it POSTs surveys the server stores); ``select`` is a pytest
    ``-k`` expression (``"xsd"``, ``"capacity and not response_time"``); ``seed`` fixes the survey
    phase. Writes check.json, exchanges.har, report.html and summary.md to ``out`` (default
    ``reports/check-<timestamp>/``) and ``junit_xml`` when given. ``quiet=False`` prints pytest's
    progress and ecekit's summary, as ``ecekit check`` does.
    """
    from ecekit import seeds
    from ecekit.report.publish import default_out

    chosen, how = seeds.choose(seed)
    options = Options(allow_writes=allow_writes, faults=tuple(faults), seed=chosen, seed_how=how,
                      out=str(out or default_out("check")), junit_xml=str(junit_xml) if junit_xml else None)
    suite = Suite.build(target or Target(), options)
    return run_suite(suite, keyword=select, silent=quiet)
