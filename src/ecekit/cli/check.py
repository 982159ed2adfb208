"""`ecekit check`: run the bundled contract suites against a server, or against the embedded one.

The suites are ordinary pytest modules (``contracts/``, shipped in the wheel as
``ecekit/_bundled/contracts``), run in-process through ``pytest.main`` with ecekit's plugin, so
``ecekit check`` and ``pytest contracts --ece-…`` are the same run. Everything the user can get wrong
(target file, flags, XSD directory, fault names) is checked before pytest starts, so it is reported
as a headline and a remedy with exit code 2, never as 400 failing tests.

Exit codes: 0 every check passed; 1 the server broke the contract; 2 a usage or configuration error,
including pytest's own usage errors and "no tests selected"; 130 interrupted (Ctrl-C, SIGTERM).
"""

from __future__ import annotations

import gc
from typing import Any

import click

from ecekit.cli.errors import interrupted, raise_if_interrupted, reports_errors, stops_cleanly
from ecekit.cli.options import canary_option, target_options
from ecekit.cli.paths import writable_dir, writable_file
from ecekit.errors import ToolkitError, UsageError
from ecekit.flags import pop_target_options

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

# Our option dest -> the plugin's option. Repeatable options are tuples; flags are booleans.
_PLUGIN_OPTIONS = {
    "target_file": "--ece-target",
    "base_url": "--ece-base-url",
    "entry_points": "--ece-entry-point",
    "inactive_entry_points": "--ece-inactive-entry-point",
    "invalid_entry_points": "--ece-invalid-entry-point",
    "read_timeout": "--ece-timeout",
    "connect_timeout": "--ece-connect-timeout",
    "headers": "--ece-header",
    "xsd_dir": "--ece-xsd-dir",
    "ca_bundle": "--ece-ca-bundle",
    "insecure": "--ece-insecure",
    "client_cert": "--ece-client-cert",
    "client_key": "--ece-client-key",
    "json": "--ece-json",
    "max_response_time": "--ece-max-response-time",
    "agents_not_required": "--ece-agents-not-required",
    "consistency_reads": "--ece-consistency-reads",
    "allow_writes": "--ece-allow-writes",
    "fuzz_examples": "--ece-fuzz-examples",
    "sid": "--ece-sid",
    "canary_url": "--ece-canary-url",
    "seed": "--ece-seed",
    "strict_surveys": "--ece-strict-surveys",
    "junit_xml": "--ece-junit-xml",
    "out": "--ece-out",
    "faults": "--ece-fault",
    "widget": "--ece-widget",
    "origin": "--ece-origin",
}

EPILOG = """\b
Examples:
  ecekit check                                   # the embedded reference server
  ecekit check --allow-writes                    # ... including the survey suite
  ecekit check --base-url https://ece.example.com/system --entry-point 1001 \\
      --inactive-entry-point 1005 --invalid-entry-point 999999 --junit-xml reports/contract.xml
  ecekit check --target ecekit.toml -k "capacity and xsd"

\b
Target file (ecekit.toml; flags override it):
  base_url = "https://ece.example.com/system"     # includes the context root
  entry_points = [1001, 1002]
  inactive_entry_points = [1005]
  invalid_entry_point = 999999
  agents_required = true
  max_response_time = 2.0
  ca_bundle = "company-ca.pem"                    # TLS trust; also insecure, client_cert, client_key
  json = true                                     # also ask for JSON and compare it with the XML

\b
Exit codes: 0 all passed, 1 a contract failure, 2 a usage or configuration error,
130 interrupted (Ctrl-C or SIGTERM).
"""


def pytest_args(values: dict[str, Any], *, keyword: str | None = None, verbose: int = 0,
                quiet: int = 0, exitfirst: bool = False) -> list[str]:
    """The pytest command line that runs the bundled suites with these option values."""
    from ecekit.resources import contracts_dir

    directory = contracts_dir()
    args = [str(directory), "-c", str(directory / "pytest.ini"), "--rootdir", str(directory),
            "-p", "ecekit", "-p", "no:cacheprovider", "-p", "no:benchmark", "--assert=plain",
            # its end-of-run gc.collect() x5 costs a quarter of a short run; a user's run reports no
            # "exception ignored in __del__" warnings anyway
            "-p", "no:unraisableexception"]
    for dest, flag in _PLUGIN_OPTIONS.items():
        value = values.get(dest)
        if dest == "strict_surveys" and value is False:
            args.append("--ece-no-strict-surveys")
        if value is None or value is False or value == ():
            continue
        if value is True:
            args.append(flag)
        elif isinstance(value, list | tuple):
            for item in value:
                args += [flag, str(item)]
        else:
            args += [flag, str(value)]
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


class CliRun:
    """A plugin handed to ``pytest.main``: tells the ecekit plugin that the CLI is the front door (so
    messages name ``--allow-writes``, not ``--ece-allow-writes``) and notes a Ctrl-C / SIGTERM, which
    pytest turns into an exit status shared with other errors."""

    ECEKIT_CLI = True

    def __init__(self) -> None:
        self.interrupted = False

    def pytest_runtest_setup(self, item: Any) -> None:
        raise_if_interrupted()  # an interrupt swallowed somewhere (a gc callback) stops the next test

    def pytest_keyboard_interrupt(self, excinfo: Any) -> None:
        if isinstance(excinfo.value, KeyboardInterrupt):
            self.interrupted = True


def _nothing_selected(keyword: str | None) -> ToolkitError:
    if keyword:
        return UsageError(f"-k {keyword!r} selected no test",
                          remedy="test ids name the operation, the entry point and the check, e.g. "
                          "test_contract[capacity-1001-xsd]: try -k xsd, -k capacity, -k 1001 or "
                          "-k consistency (add -v to list what runs)")
    return UsageError("no contract test was collected", remedy="run without -k to see every test")


@click.command(name="check", epilog=EPILOG)
@target_options
@click.option("--max-response-time", type=float, metavar="SECONDS",
              help="Slower answers fail the response_time check (default 2).")
@click.option("--allow-writes", is_flag=True,
              help="Run the survey suite: it POSTs surveys, which the server stores (sids start with "
              "9999_ecec so they can be found and removed).")
@click.option("--fuzz-examples", type=click.IntRange(min=0), metavar="N",
              help="Surveys generated by the hypothesis phase (default 100; 0 turns it off).")
@click.option("--sid", help="A real chat session id: valid surveys are sent with it and must get 204.")
@canary_option
@click.option("--strict-surveys/--no-strict-surveys", default=None,
              help="Fail the run when a survey only a lenient (JAXB-like) server accepts gets 2xx; "
              "without it that is a finding, listed but not failing (default: strict against the "
              "embedded server; target key strict_surveys).")
@click.option("--seed", type=int, metavar="N",
              help="Seed of the survey phase; every run prints the one it used and N replays it "
              "(default: random, fixed when CI is set).")
@click.option("--agents-not-required", is_flag=True,
              help="The entry points do not require agents: skip the consistency rules that assume "
              "they do.")
@click.option("--json", is_flag=True, default=None,
              help="Also ask each status operation for JSON (Accept: application/json, as chat clients "
              "do) and check it is JSON carrying the same values as the XML (target key json = true).")
@click.option("--consistency-reads", type=click.IntRange(min=1), metavar="N",
              help="A contradiction counts only if it holds on N back-to-back reads (default 3).")
@click.option("--junit-xml", type=click.Path(dir_okay=False), metavar="PATH",
              help="Write a JUnit file: one testsuite per check, the curl line in each failure.")
@click.option("--out", type=click.Path(file_okay=False), metavar="DIR",
              help="Where check.json, exchanges.har, report.html and summary.md go "
              "[reports/check-<timestamp>/].")
@click.option("-k", "keyword", metavar="EXPR",
              help="Select checks, operations or entry points, pytest style: -k xsd, "
              "-k 'capacity and not response_time', -k consistency.")
@click.option("-v", "--verbose", count=True, help="One line per test (repeat for more).")
@click.option("-q", "--quiet", count=True, help="Less output.")
@click.option("-x", "--exitfirst", is_flag=True, help="Stop at the first failure.")
@click.option("--fault", "faults", multiple=True, hidden=True, metavar="NAME",
              help="(testing) start the embedded server with this fault mode; repeatable.")
@reports_errors
@stops_cleanly
def command(keyword: str | None, verbose: int, quiet: int, exitfirst: bool, **kwargs: Any) -> None:
    """Run the contract suites against a server (or the embedded reference server).

    For each status operation and entry point: a documented status code, an XML content type, a
    well-formed body valid against eGainBosh.xsd (every error with its XPath), the documented
    semantics, no 5xx, an answer within --max-response-time; entry points by role; consistency
    across operations; and, with --allow-writes, the survey operation.
    """
    import pytest

    from ecekit.suite.session import Suite

    values = {**pop_target_options(kwargs), **kwargs}
    if not values.get("out"):
        from ecekit.report.publish import default_out

        values["out"] = str(default_out("check"))
    suite = Suite.from_options(values)  # every configuration error now, as a headline and a remedy (exit 2)
    writable_file(values.get("junit_xml"), "--junit-xml")
    writable_dir(values.get("out"), "--out")
    if not suite.target.is_embedded:
        from ecekit.reachability import ensure_reachable

        ensure_reachable(suite.target)  # nothing listening, untrusted TLS, no context root: one line, exit 2
    run = CliRun()
    gc.freeze()  # the modules and schemas loaded so far live as long as the run: the collector skips them
    code = int(pytest.main(pytest_args(values, keyword=keyword, verbose=verbose, quiet=quiet,
                                       exitfirst=exitfirst), plugins=[run]))
    if run.interrupted:
        raise interrupted()
    if code == pytest.ExitCode.NO_TESTS_COLLECTED:
        raise _nothing_selected(keyword)
    click.get_current_context().exit(exit_code(code))
