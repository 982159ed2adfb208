"""ecekit's pytest plugin (the ``pytest11`` entry point ``ecekit``): options, fixtures, markers, reports.

It loads in every pytest run of any environment that has ecekit installed, so it is cheap to import
(pytest only; everything else is imported when a contract suite runs) and inert unless one does: the
contract suites' ``contracts/conftest.py`` sets ``ECEKIT_CONTRACTS = True``, and only then are options
resolved, the report header shown and the grouped summary printed.

Layers (as pytest-httpserver does): ``ece_suite`` (session: target, embedded server, client, caches;
override it to point the suites elsewhere), ``ece`` (function: the verdict bound to one test), and the
parametrised cases ``ece_status_case`` / ``ece_consistency_case`` / ``ece_survey_case``.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ecekit.suite.session import Suite
    from ecekit.suite.verdict import Outcome, Verdict

_SUITE: pytest.StashKey[Suite] = pytest.StashKey()
_OUTCOME: pytest.StashKey[Outcome] = pytest.StashKey()
_LABEL: pytest.StashKey[tuple[str, str, str | None]] = pytest.StashKey()


class _InterruptWatch:
    """Notes a Ctrl-C / SIGTERM (pytest reports it with an exit status other errors share)."""

    def __init__(self) -> None:
        self.interrupted = False

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        if isinstance(excinfo.value, KeyboardInterrupt):
            self.interrupted = True


_INTERRUPTED: pytest.StashKey[_InterruptWatch] = pytest.StashKey()

_OPTIONS: list[tuple[str, dict[str, Any]]] = [
    ("--ece-target", {"dest": "target_file", "metavar": "FILE",
                      "help": "TOML target file (default ./ecekit.toml if present); options override it."}),
    ("--ece-base-url", {"dest": "base_url", "metavar": "URL",
                        "help": "server URL including its context root; default: the embedded reference "
                        "server."}),
    ("--ece-entry-point", {"dest": "entry_points", "action": "append", "metavar": "ID",
                           "help": "an entry point in an unknown state (repeatable)."}),
    ("--ece-inactive-entry-point", {"dest": "inactive_entry_points", "action": "append", "metavar": "ID",
                                    "help": "an entry point known to be inactive (repeatable)."}),
    ("--ece-invalid-entry-point", {"dest": "invalid_entry_points", "action": "append", "metavar": "ID",
                                   "help": "an id that is no entry point (repeatable)."}),
    ("--ece-timeout", {"dest": "read_timeout", "type": float, "metavar": "SECONDS",
                       "help": "read timeout, also the cap on one whole response (default 10)."}),
    ("--ece-connect-timeout", {"dest": "connect_timeout", "type": float, "metavar": "SECONDS",
                               "help": "connect timeout (default 3)."}),
    ("--ece-header", {"dest": "headers", "action": "append", "metavar": "'NAME: VALUE'",
                      "help": "extra header on every request (repeatable); redacted in reports."}),
    ("--ece-xsd-dir", {"dest": "xsd_dir", "metavar": "DIR",
                       "help": "directory with the vendor's eGainBosh.xsd and eGainSurvey.xsd."}),
    ("--ece-ca-bundle", {"dest": "ca_bundle", "metavar": "FILE",
                         "help": "PEM file of the CA(s) to trust for an https base URL (e.g. a company CA)."}),
    ("--ece-insecure", {"dest": "insecure", "action": "store_true", "default": None,
                        "help": "do not verify the server's TLS certificate (flagged in every report)."}),
    ("--ece-client-cert", {"dest": "client_cert", "metavar": "FILE",
                           "help": "PEM client certificate, for a load balancer that asks for one."}),
    ("--ece-client-key", {"dest": "client_key", "metavar": "FILE",
                          "help": "PEM private key of --ece-client-cert (if not in the same file)."}),
    ("--ece-json", {"dest": "json", "action": "store_true", "default": None,
                    "help": "also ask each status operation for JSON (Accept: application/json) and "
                    "check it carries the same values as the XML."}),
    ("--ece-max-response-time", {"dest": "max_response_time", "type": float, "metavar": "SECONDS",
                                 "help": "slower answers fail the response_time check (default 2)."}),
    ("--ece-agents-not-required", {"dest": "agents_not_required", "action": "store_true",
                                   "help": "the entry points do not require agents: skip the "
                                   "consistency rules that assume they do."}),
    ("--ece-consistency-reads", {"dest": "consistency_reads", "type": int, "metavar": "N",
                                 "help": "a contradiction counts only if it holds on N back-to-back "
                                 "reads (default 3)."}),
    ("--ece-allow-writes", {"dest": "allow_writes", "action": "store_true",
                            "help": "run the survey suite (it POSTs surveys, which the server stores)."}),
    ("--ece-fuzz-examples", {"dest": "fuzz_examples", "type": int, "metavar": "N",
                             "help": "surveys generated by the hypothesis phase (default 100; 0: off)."}),
    ("--ece-strict-surveys", {"dest": "strict_surveys", "action": "store_const", "const": True,
                              "help": "a survey only a lenient (JAXB-like) server accepts fails the run "
                              "(default: a finding; strict against the embedded server)."}),
    ("--ece-no-strict-surveys", {"dest": "strict_surveys", "action": "store_const", "const": False,
                                 "help": "such a survey is a finding, also against the embedded server."}),
    ("--ece-canary-url", {"dest": "canary_url", "metavar": "URL",
                          "help": "http://HOST:PORT of this machine as the server reaches it: fetches of the "
                          "DTDs and entities surveys name are recorded there (survey_xxe); default: a "
                          "loopback port for a server on this machine."}),
    ("--ece-seed", {"dest": "seed", "type": int, "metavar": "N",
                    "help": "seed of the survey phase (hypothesis and the probes' sids); every run prints "
                    "the one it used (default: random, fixed under CI)."}),
    ("--ece-sid", {"dest": "sid", "metavar": "SID",
                   "help": "a real chat session id, to prove the 204 path of the survey on a real server."}),
    ("--ece-junit-xml", {"dest": "junit_xml", "metavar": "PATH",
                         "help": "write a JUnit file grouped by check (one testsuite per check)."}),
    ("--ece-out", {"dest": "out", "metavar": "DIR",
                    "help": "write check.json, exchanges.har (HAR 1.2), report.html and summary.md to DIR."}),
    ("--ece-widget", {"dest": "widget", "metavar": "NAME",
                       "help": "judge the state this chat widget would show (eligibility, chat-allowed, ...)."}),
    ("--ece-origin", {"dest": "origin", "metavar": "URL",
                       "help": "the site's origin: sent on every call; each answer must allow it (CORS)."}),
    ("--ece-fault", {"dest": "faults", "action": "append", "metavar": "NAME",
                     "help": "(testing) start the embedded server with this fault mode (repeatable)."}),
]
_DESTS = list(dict.fromkeys(spec["dest"] for _, spec in _OPTIONS))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ecekit", "ecekit contract suites (see `ecekit check --help`)")
    for name, spec in _OPTIONS:
        group.addoption(name, **{**spec, "dest": "ece_" + spec["dest"]})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ece_json: the test asks for JSON; it runs only with --ece-json")
    config.addinivalue_line("markers", "ece_writes: the test writes data to the server under test; "
                            "it runs only with --ece-allow-writes")
    if not _active(config):
        return
    from ecekit.errors import ToolkitError
    from ecekit.suite.session import Suite

    values = {dest: config.getoption("ece_" + dest) for dest in _DESTS}
    try:
        config.stash[_SUITE] = Suite.from_options(values)
    except ToolkitError as exc:
        raise pytest.UsageError(f"ecekit: {exc}") from None
    _hypothesis_home_for_this_run(config)
    watch = config.stash[_INTERRUPTED] = _InterruptWatch()
    config.pluginmanager.register(watch, "ecekit-interrupt-watch")


def _hypothesis_home_for_this_run(config: pytest.Config) -> None:
    """The survey phase runs hypothesis, which keeps caches in ``./.hypothesis`` of whatever directory
    the run starts from: point them at ecekit's cache directory (ecekit.caches) for this run."""
    from hypothesis import configuration

    from ecekit import caches

    previous = getattr(configuration, "__hypothesis_home_directory", None)
    configuration.set_hypothesis_home_dir(caches.hypothesis_home())
    config.add_cleanup(lambda: configuration.set_hypothesis_home_dir(previous))


def pytest_unconfigure(config: pytest.Config) -> None:
    suite = config.stash.get(_SUITE, None)
    if suite is not None:
        suite.close()


def _active(config: pytest.Config) -> bool:
    """True when a contract suite is part of this run (its conftest registered itself)."""
    return any(getattr(p, "ECEKIT_CONTRACTS", False) for p in config.pluginmanager.get_plugins())


def _suite(config: pytest.Config) -> Suite:
    suite = config.stash.get(_SUITE, None)
    if suite is None:
        raise pytest.UsageError("ecekit's contract fixtures run only inside the contract suites "
                                "(a directory whose conftest.py sets ECEKIT_CONTRACTS = True)")
    return suite


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    suite = config.stash.get(_SUITE, None)
    return suite.describe(cli=_via_cli(config)) if suite is not None else None


def _via_cli(config: pytest.Config) -> bool:
    """True when `ecekit check` started this run (its messages then name the CLI's flags)."""
    return any(getattr(p, "ECEKIT_CLI", False) for p in config.pluginmanager.get_plugins())


# ------------------------------------------------------------------------------------- parametrising
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    names = metafunc.fixturenames
    if not any(n in names for n in ("ece_status_case", "ece_consistency_case", "ece_survey_case",
                                    "ece_json_case")):
        return
    suite = _suite(metafunc.config)
    from ecekit.suite import cases

    if "ece_status_case" in names:
        op = getattr(metafunc.module, "OPERATION", None)
        if op is None:
            raise pytest.UsageError(f"{metafunc.module.__name__} uses ece_status_case but sets no OPERATION")
        found: list[Any] = cases.status_cases(op, suite.target)
        name = "ece_status_case"
    elif "ece_json_case" in names:
        found, name = cases.json_cases(suite.target), "ece_json_case"
    elif "ece_consistency_case" in names:
        found, name = cases.consistency_cases(suite.target), "ece_consistency_case"
    else:
        from ecekit.suite.surveys import probes

        found, name = probes(suite.target.sid, suite.options.seed), "ece_survey_case"
    metafunc.parametrize(name, found, ids=[c.id for c in found])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    suite = config.stash.get(_SUITE, None)
    if suite is None:
        return
    skip = pytest.mark.skip(reason="the survey suite writes to the server: pass --allow-writes "
                            "(pytest: --ece-allow-writes) to run it")
    if not suite.target.json_parity:  # the JSON module has no cases then: leave it out, not skipped
        kept = [i for i in items if not i.get_closest_marker("ece_json")]
        if len(kept) != len(items):
            config.hook.pytest_deselected(items=[i for i in items if i.get_closest_marker("ece_json")])
            items[:] = kept
    for item in items:
        item.stash[_LABEL] = _label(item)
        if item.get_closest_marker("ece_writes") and not suite.options.allow_writes:
            item.add_marker(skip)


def _label(item: pytest.Item) -> tuple[str, str, str | None]:
    """(check, operation, entry point) a test reports under when it does not fail."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    case = (params.get("ece_status_case") or params.get("ece_consistency_case")
            or params.get("ece_json_case"))
    if case is not None and hasattr(case, "operation"):
        return case.check, case.operation.name, case.entry_point
    if case is not None:
        return case.check, case.operation_name, case.entry_point
    from ecekit import operations

    return "survey", operations.SURVEY.name, None


# ------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="session")
def ece_suite(request: pytest.FixtureRequest) -> Suite:
    """The contract run: target, embedded server (started on first use), client and caches."""
    from ecekit.errors import TargetError

    suite = _suite(request.config)
    try:
        suite.started()
    except TargetError as exc:
        pytest.exit(f"ecekit: {exc}", returncode=2)
    return suite


@pytest.fixture
def ece(request: pytest.FixtureRequest, ece_suite: Suite) -> Verdict:
    """The verdict of this test: ``ece.status(case)``, ``ece.consistency(case)``, ``ece.survey(probe)``."""
    from ecekit.suite.verdict import Outcome, Verdict

    outcome = Outcome()
    request.node.stash[_OUTCOME] = outcome
    return Verdict(ece_suite, outcome)


# ------------------------------------------------------------------------------------------- reports
@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    suite = item.config.stash.get(_SUITE, None)
    if suite is None or _LABEL not in item.stash:
        return report
    from ecekit.suite.reporting import record

    record(suite, item, report, item.stash.get(_OUTCOME, None), item.stash[_LABEL])
    return report


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    suite = config.stash.get(_SUITE, None)
    if suite is None or not suite.results:
        return
    from ecekit.suite.reporting import summary

    terminalreporter.write_sep("=", "ecekit contract summary")
    watch = config.stash.get(_INTERRUPTED, None)
    if watch is not None and watch.interrupted:
        terminalreporter.write_line(f"interrupted after {len(suite.results)} test(s): no verdict "
                                    "(the failures above, if any, are real; the rest did not run)")
        return
    for line in summary(suite):
        terminalreporter.write_line(line)
    from ecekit.transport import warning

    if warning(suite.target):
        terminalreporter.write_line(warning(suite.target), red=True, bold=True)


def pytest_sessionfinish(session: pytest.Session) -> None:
    suite = session.config.stash.get(_SUITE, None)
    if suite is None:
        return
    from ecekit.suite.reporting import undecided_exit

    undecided = undecided_exit(suite)
    if undecided is not None and session.exitstatus == 0:
        session.exitstatus = undecided  # every selected test skipped: "nothing could be checked" is no pass
    if suite.options.junit_xml:
        from ecekit.report import junit

        properties = {"seed": str(suite.options.seed), "seed_chosen": suite.options.seed_how,
                      "strict_surveys": str(suite.strict_surveys).lower(),
                      **suite.report_properties()}
        path = junit.write(suite.options.junit_xml, list(suite.results.values()), properties)
        suite.junit_written = str(path)
    if suite.options.out:
        from ecekit.suite import run_files

        suite.reports_written = {k: str(v) for k, v in run_files.write(suite).items()}
