"""What a newcomer meets first: the README's roles, set-up errors that are one line and exit 2, paths
resolved from where ecekit runs, interrupts that leave nothing running, progress that never overshoots.

The README/docs commands themselves are run by ``tests/test_docs_commands.py``.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecekit import resources
from ecekit.cli import cli
from ecekit.server.embedded import ServerHandle, default_roles, running_server

REPO = Path(__file__).resolve().parents[2]
ECEKIT = [sys.executable, "-m", "ecekit"]


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner(env={"NO_COLOR": "1"}).invoke(cli, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def server() -> Iterator[ServerHandle]:
    with running_server() as srv:
        yield srv


def _root_of(srv: ServerHandle) -> str:
    return srv.base_url.removesuffix("/system")


# ---------------------------------------------------------------------------------------------- 1
def test_readme_roles_are_those_of_the_reference_server() -> None:
    """The README's examples name the inactive entry point of the default scenario (1005, not 1003)."""
    roles = default_roles()
    text = (REPO / "README.md").read_text(encoding="utf-8")
    inactive = re.findall(r"--inactive-entry-point\s+(\d+)", text)
    inactive += re.findall(r"inactive_entry_points\s*=\s*\[([^\]]*)\]", text)
    assert inactive
    for value in inactive:
        assert {v.strip() for v in value.split(",")} <= set(roles.inactive_entry_points), value


def test_header_values_http_cannot_carry_are_a_config_error() -> None:
    """The README's target file once had `Authorization = "Basic …"`, which crashed the client."""
    from ecekit.errors import ConfigError
    from ecekit.target import from_mapping

    with pytest.raises(ConfigError, match="headers"):
        from_mapping({"headers": {"Authorization": "Basic …"}}, "ecekit.toml")
    assert from_mapping({"headers": {"Authorization": "Basic ZWNla2l0"}})["headers"]


# ---------------------------------------------------------------------------------------------- 2
@pytest.mark.parametrize("command", [
    ("check", "--entry-point", "1001"),
    ("fuzz", "--allow-writes", "--no-database", "--max-examples", "5"),
    ("load", "--entry-point", "1001", "--duration", "1", "-q"),
])
def test_no_context_root_is_a_setup_error(server: ServerHandle, tmp_path: Path,
                                            command: tuple[str, ...]) -> None:
    extra = ("--out", str(tmp_path / "out")) if command[0] == "load" else ()
    code, out = invoke(*command, "--base-url", _root_of(server), *extra)
    assert code == 2, out
    assert "context root" in out and "/system" in out
    assert f"{_root_of(server)}/egain/chat/" in out  # which URL answered 404


# ---------------------------------------------------------------------------------------------- 3
def test_entry_point_lists_split_on_commas_and_spaces(server: ServerHandle, tmp_path: Path) -> None:
    from ecekit import target

    assert target.resolve(None, entry_points=["1001,1002"]).entry_points == ("1001", "1002")
    toml = tmp_path / "ecekit.toml"
    toml.write_text(f'base_url = "{server.base_url}"\nentry_points = "1001, 1002"\n')
    assert target.resolve(toml).entry_points == ("1001", "1002")
    code, out = invoke("check", "--base-url", server.base_url, "--entry-point", "1001,1002",
                       "-k", "chatAllowed and status_code", "-v")
    assert code == 0, out
    assert "chatAllowed-1001-status_code" in out and "chatAllowed-1002-status_code" in out
    from ecekit.load.settings import resolve

    settings = resolve({"ece_entry_points": "1001 1002,1003"}, server.base_url)
    assert settings.target.entry_points == ("1001", "1002", "1003")


# ---------------------------------------------------------------------------------------------- 4
@pytest.mark.slow
def test_load_resolves_relative_paths_from_where_it_runs(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "myprof.toml").write_text((resources.loadtests_dir() / "profiles" / "one-call.toml")
                                          .read_text(encoding="utf-8"))
    (tmp_path / "xsd").mkdir()
    for xsd in (REPO / "xsd").glob("*.xsd"):
        (tmp_path / "xsd" / xsd.name).write_bytes(xsd.read_bytes())
    code, out = invoke("load", "--profile", "./myprof.toml", "--xsd-dir", "xsd", "--rate", "10",
                       "--duration", "1", "-q", "--out", "out", "--junit-xml", "rep/load.xml")
    assert code == 0, out
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["profile"] == "myprof"
    assert (tmp_path / "rep" / "load.xml").is_file()


def test_log_excerpt_is_whole_lines() -> None:
    from ecekit.load.launch import log_tail

    text = "".join(f"line {i} with some words\n" for i in range(200))
    tail = log_tail(text, 100)
    assert tail.startswith("line ") and text.rstrip().endswith(tail)


# ---------------------------------------------------------------------------------------------- 5
def test_a_profile_shape_scales_with_rate_and_duration() -> None:
    from ecekit.load import profile
    from ecekit.load.schedule import describe, with_overrides

    spike = with_overrides(profile.load("spike").arrivals, 10, 10)
    assert spike.peak() == pytest.approx(50)  # 5 x the rate asked for, as the bundled profile means
    assert spike.spike_length == pytest.approx(1)  # a tenth of the run, as 6 s of 60
    assert "peaking at 50/s" in describe(spike)


# ---------------------------------------------------------------------------------------------- 6
def test_load_of_a_closed_port_is_a_setup_error(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code, out = invoke("load", "--base-url", f"http://127.0.0.1:{port}/system", "--entry-point", "1001",
                       "--duration", "1", "-q", "--out", str(tmp_path / "out"))
    assert code == 2, out
    assert "cannot reach" in out and "BREACHED" not in out


# ---------------------------------------------------------------------------------------------- 7
def _port_open(url: str) -> bool:
    m = re.search(r"127\.0\.0\.1:(\d+)", url)
    assert m, url
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", int(m.group(1)))) == 0


def _start(args: list[str], cwd: Path, tmpdir: Path) -> subprocess.Popen[str]:
    tmpdir.mkdir(exist_ok=True)
    env = {**os.environ, "NO_COLOR": "1", "TMPDIR": str(tmpdir), "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([*ECEKIT, *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def _wait_for(proc: subprocess.Popen[str], pattern: str, timeout: float = 60) -> tuple[str, re.Match[str]]:
    seen = ""
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        seen += line
        m = re.search(pattern, line)
        if m:
            return seen, m
    proc.kill()
    raise AssertionError(f"never saw {pattern!r}:\n{seen}")


@pytest.mark.slow
def test_sigterm_on_load_stops_the_server_and_removes_its_folder(tmp_path: Path) -> None:
    proc = _start(["load", "--rate", "5", "--duration", "60", "--out", str(tmp_path / "out")],
                  tmp_path, tmp_path / "tmp")
    _, m = _wait_for(proc, r"against (http://127\.0\.0\.1:\d+/system)")
    url = m.group(1)
    time.sleep(3)
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, rest
    assert "interrupted" in rest
    assert not _port_open(url)
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupted_fuzz_exits_130(tmp_path: Path, sig: signal.Signals) -> None:
    proc = _start(["fuzz", "--max-examples", "100000", "--no-database"], tmp_path, tmp_path / "tmp")
    _wait_for(proc, r"Fuzzing the survey operation")
    time.sleep(1.5)
    proc.send_signal(sig)
    rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, rest
    assert "Aborted" not in rest
    assert list((tmp_path / "tmp").iterdir()) == []


@pytest.mark.slow
def test_interrupted_check_exits_130_without_a_verdict(tmp_path: Path) -> None:
    proc = _start(["check", "--fault", "latency=300ms", "-v"], tmp_path, tmp_path / "tmp")
    _wait_for(proc, r"PASSED|FAILED")
    proc.send_signal(signal.SIGINT)
    rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130, rest
    assert "all contract checks passed" not in rest
    assert "interrupted" in rest


# ---------------------------------------------------------------------------------------------- 8
def test_progress_never_shows_more_than_the_duration(capsys: pytest.CaptureFixture[str]) -> None:
    from ecekit.cli.load import Progress

    progress = Progress(quiet=False)
    progress.tty = False
    progress({"elapsed_s": 11.4, "duration_s": 10, "page_views": 1, "requests": 1, "failures": 0,
              "violations": 0, "late": 0})
    err = capsys.readouterr().err
    assert "11/10" not in err and "10/10 s, draining" in err


def test_junit_slo_cases_do_not_each_last_the_whole_run(tmp_path: Path) -> None:
    from xml.etree import ElementTree

    from ecekit.load.summary import write_junit

    checks = [{"name": n, "limit": 1.0, "actual": 0.5, "unit": "ms", "passed": True, "operation": None}
              for n in ("p99", "errors", "violations", "p95", "max")]
    path = write_junit({"slo": {"passed": True, "checks": checks}, "duration_s": 15.0, "elapsed_s": 16.2,
                        "offered_rate": 20, "total": {"requests": 300}}, tmp_path / "l.xml")
    suite = ElementTree.parse(path).getroot().find("testsuite")
    assert suite is not None
    assert float(suite.get("time", "0")) == pytest.approx(16.2)
    assert sum(float(c.get("time", "0")) for c in suite.iter("testcase")) <= 16.2


# ---------------------------------------------------------------------------------------------- 9
@pytest.mark.parametrize("command", [
    ("check", "--junit-xml", "{afile}/c.xml"),
    ("check", "--out", "{afile}/out"),
    ("fuzz", "--out", "{afile}/out", "--no-database", "--max-examples", "5"),
    ("fuzz", "--junit-xml", "{afile}/f.xml", "--no-database", "--max-examples", "5"),
    ("load", "--junit-xml", "{afile}/l.xml", "--duration", "1", "-q"),
    ("load", "--out", "/proc/ecekit-out", "--duration", "1", "-q"),
    ("fuzz", "--database", "{afile}/db", "--max-examples", "5"),
])
def test_unwritable_output_paths_are_refused_before_the_run(tmp_path: Path,
                                                               command: tuple[str, ...]) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a directory")
    args = [a.format(afile=afile) for a in command]
    if args[0] == "load" and "--out" not in args:
        args += ["--out", str(tmp_path / "out")]
    start = time.monotonic()
    code, out = invoke(*args)
    assert code == 2, out
    assert "cannot write there" in out and "Traceback" not in out
    assert time.monotonic() - start < 20  # refused up front, not after a run


# --------------------------------------------------------------------------------------------- 10
def test_fuzz_prints_text_an_inline_curl_line_and_the_serve_command(tmp_path: Path) -> None:
    # 200 examples: the fault is found within a few dozen; the budget bounds the search after it
    code, out = invoke("fuzz", "-q", "--fault", "survey-500-non-ascii", "--seed", "1", "--no-database",
                       "--max-examples", "200")
    assert code == 1, out
    assert "b'" not in out and "\\xc2" not in out
    m = re.search(r"--data-binary '<egainSurvey[^\n]* (http://127\.0\.0\.1:(\d+)/system/\S+)", out)
    assert m, out
    assert f"ecekit serve --port {m.group(2)} --fault survey-500-non-ascii" in out


def test_payload_shown_as_text() -> None:
    from ecekit.fuzz.report import show_payload

    assert show_payload("<a>\u00a0é</a>".encode()) == "<a>\u00a0é</a>"
    assert show_payload(b"<a>\x00\xff</a>") == "<a>\\x00\\xff</a>"
    assert show_payload("\u202e".encode()) == "\\u202e"


# --------------------------------------------------------------------------------------------- 11
@pytest.mark.slow
def test_rerun_replays_remembered_failures_first_and_stops(tmp_path: Path) -> None:
    db = str(tmp_path / "db")
    code, first = invoke("fuzz", "-q", "--fault", "survey-204-non-xml", "--seed", "3", "--database", db,
                         "--max-examples", "200")  # found by the 2nd example; the budget bounds the rest
    assert code == 1
    assert f"--fault survey-204-non-xml --database {db} --replay" in first
    code, again = invoke("fuzz", "-q", "--fault", "survey-204-non-xml", "--seed", "4", "--database", db)
    assert code == 1, again
    assert "replayed first still fail" in again
    requests = int(re.search(r"(\d+) requests", again).group(1))  # type: ignore[union-attr]
    assert requests < 20, again
    code, replay = invoke("fuzz", "-q", "--fault", "survey-204-non-xml", "--replay", "--database", db)
    assert code == 1 and "FAILURE" in replay


# --------------------------------------------------------------------------------------------- 12
@pytest.mark.slow
def test_check_and_pytest_contracts_leave_nothing_behind(tmp_path: Path) -> None:
    work, tmp = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    tmp.mkdir()
    env = {**os.environ, "NO_COLOR": "1", "TMPDIR": str(tmp)}
    check = subprocess.run([*ECEKIT, "check", "--allow-writes", "--fuzz-examples", "5", "-k", "survey"],
                           cwd=work, env=env, capture_output=True, text=True, timeout=180)
    assert check.returncode == 0, check.stdout[-3000:]
    contracts = subprocess.run([sys.executable, "-m", "pytest", str(resources.contracts_dir()), "-q",
                                "-p", "no:cacheprovider", "--ece-allow-writes", "--ece-fuzz-examples", "5",
                                "-k", "survey"], cwd=work, env=env, capture_output=True, text=True,
                               timeout=180)
    assert contracts.returncode == 0, contracts.stdout[-3000:]
    assert sorted(p.name for p in work.iterdir()) in ([], ["reports"])  # reports/: the documented output
    assert sorted(p.name for p in tmp.iterdir()) == []


def test_long_request_bodies_go_to_the_documented_folder(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from ecekit.report.failure import save_request_body

    monkeypatch.chdir(tmp_path)
    path = save_request_body(b"x" * 5000)
    assert path.resolve().is_relative_to(tmp_path / ".ecekit")


# --------------------------------------------------------------------------------------------- 13
def test_cli_header_names_the_cli_flag() -> None:
    code, out = invoke("check", "-k", "chatAllowed and 1001 and status_code")
    assert code == 0, out
    assert "--allow-writes" in out and "--ece-allow-writes" not in out


def test_k_selecting_nothing_says_why() -> None:
    code, out = invoke("check", "-k", "nomatch")
    assert code == 2
    assert "-k 'nomatch' selected no test" in out and "-k xsd" in out


def test_semantics_failure_says_what_is_allowed_and_what_to_do() -> None:
    from ecekit.checks.base import Context, Observation
    from ecekit.checks.response import semantics
    from ecekit.client import Exchange
    from ecekit.operations import CHECK_ELIGIBILITY
    from ecekit.target import Target

    body = b'<checkEligibility responseType="4"/>'
    ex = Exchange("checkEligibility", "GET", "http://127.0.0.1:1/system/x/1001", "1001", status=200,
                  response_headers={"content-type": "application/xml"}, body=body)
    [violation] = semantics(Observation(ex, CHECK_ELIGIBILITY, Context(Target(base_url="http://127.0.0.1:1"))))
    assert violation.expected is not None and "0 (" in violation.expected and "3 (" in violation.expected
    assert violation.remedy


def test_paths_typo_names_the_operation_and_the_close_match() -> None:
    from ecekit.errors import ConfigError
    from ecekit.target import from_mapping

    with pytest.raises(ConfigError) as err:
        from_mapping({"paths": {"checkEligibilty": "/egain/chat/x/{id}"}}, "ecekit.toml")
    assert "expected unknown" not in str(err.value)
    assert "unknown operation 'checkEligibilty' in [paths]" in err.value.message
    assert "did you mean 'checkEligibility'" in (err.value.remedy or "")
