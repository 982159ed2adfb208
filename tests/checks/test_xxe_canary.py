"""The XXE canary (``ecekit.canary``) and ``survey_xxe`` (``ecekit.checks.xxe``): every fetch of a URL a
survey named is recorded with the survey's token, a late one too (within the grace), and becomes a
violation naming the URL and the survey; neither of ecekit's lenient readings, nor the reference
server's, ever fetches; the fault ``survey-fetches-dtd`` does, loopback http only."""

from __future__ import annotations

import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecekit import canary as canary_mod
from ecekit.canary import PLACEHOLDER, UNOBSERVED, Canary, canary_url, for_target
from ecekit.checks.lenient import read
from ecekit.checks.xxe import XXE, fetched
from ecekit.cli import cli
from ecekit.fuzz import hostile
from ecekit.fuzz.runner import _fetches
from ecekit.server import faults
from ecekit.server.survey import read_leniently, validate
from ecekit.suite.description import canary_where
from ecekit.target import Target, resolve
from tests.checks.helpers import run_check

SID = "9999_ecec0000-0000-4000-8000-000000000000"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture
def canary() -> Iterator[Canary]:
    with for_target(None, None) as running:
        assert running is not None
        yield running


def get(url: str) -> None:
    with NO_PROXY.open(url, timeout=5) as answer:
        assert answer.status == 200 and answer.read() == b""


def armed_bodies(canary: Canary) -> list[tuple[bytes, str]]:
    out = []
    for case in hostile.canary_cases(SID):
        body, armed = canary.arm(case.body, case.description)
        assert armed is not None and PLACEHOLDER.encode() not in body
        assert f"{canary.url}/{armed.token}/".encode() in body
        out.append((body, armed.token))
    return out


def test_every_fetch_is_recorded_with_its_surveys_token_and_becomes_a_violation(canary: Canary) -> None:
    (_, token), *_ = armed_bodies(canary)
    url = f"{canary.url}/{token}/entity"
    get(url)
    get(url)  # a retry of the same URL is one violation, not two
    get(f"{canary.url}/0123456789abcdef/x.dtd")  # a token no survey of this run carries
    found = fetched(canary)
    assert [f.token for f in found] == [token, "0123456789abcdef"]
    first = found[0].violation
    assert first.check == XXE and first.operation == "survey"
    assert url in first.message and "doctype: external http entity" in first.actual
    assert "no survey of this run" in found[1].violation.actual


def test_a_body_without_the_placeholder_is_sent_as_is(canary: Canary) -> None:
    body = hostile._doctype(SID, "external file entity").body
    assert canary.arm(body, "file") == (body, None)
    assert canary.last_armed is None


def test_a_late_fetch_counts_once_the_run_has_waited_its_grace(canary: Canary) -> None:
    (_, token), *_ = armed_bodies(canary)

    def late() -> None:
        time.sleep(0.3)  # after the answer, as a server that parses later fetches
        get(f"{canary.url}/{token}/entity")

    threading.Thread(target=late, daemon=True).start()
    canary.settle()
    assert [f.token for f in fetched(canary)] == [token]


def test_nothing_ecekit_or_the_reference_server_reads_ever_fetches(canary: Canary) -> None:
    for body, _ in armed_bodies(canary):
        read(body)
        read_leniently(body)
        validate(body)
    time.sleep(0.2)
    assert canary.recorded() == []


def test_the_fault_fetches_every_http_url_on_loopback_and_nothing_else(canary: Canary) -> None:
    fault = faults.parse("survey-fetches-dtd")
    bodies = armed_bodies(canary)
    for body, _ in bodies:
        assert fault.survey(validate(body), body) is None  # the answer stays the server's own
    elsewhere = (b'<!DOCTYPE egainSurvey SYSTEM "http://ece.example.com/x.dtd">'
                 b'<!DOCTYPE egainSurvey [<!ENTITY e SYSTEM "file:///etc/passwd">]><egainSurvey/>')
    fault.survey(validate(elsewhere), elsewhere)
    canary.settle()
    deadline = time.monotonic() + 5
    while len(canary.recorded()) < len(bodies) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert sorted(f.token or "" for f, _ in canary.recorded()) == sorted(t for _, t in bodies)


def test_where_the_canary_listens() -> None:
    with for_target("http://127.0.0.1:8080/system", None) as local:
        assert local is not None and local.url.startswith("http://127.0.0.1:")
    with for_target("https://ece.example.com/system", None) as remote:
        assert remote is None
    assert _fetches(None, {}) == ([], [UNOBSERVED])
    assert canary_where(Target(base_url="https://ece.example.com/system")) == UNOBSERVED
    with for_target("https://ece.example.com/system", "http://127.0.0.1:0") as given:
        assert given is not None and given.url == "http://127.0.0.1:0" + canary_mod.PATH


@pytest.mark.parametrize("value", ["http://10.0.0.5", "https://10.0.0.5:8765", "ftp://h:1", "http://h:1/?q=1", 5])
def test_a_canary_url_names_an_http_host_and_port(value: object) -> None:
    with pytest.raises(ValueError, match="http URL"):
        canary_url(value)


def test_a_canary_url_is_kept_as_given() -> None:
    assert canary_url("http://10.0.0.5:8765/") == "http://10.0.0.5:8765"


def test_the_target_file_key_names_the_canary(tmp_path: Path) -> None:
    (tmp_path / "ecekit.toml").write_text('canary_url = "http://10.0.0.5:8765/"\n')
    assert resolve(tmp_path / "ecekit.toml").canary_url == "http://10.0.0.5:8765"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_check_and_fuzz_listen_at_the_canary_url_given(tmp_path: Path) -> None:
    """--canary-url reaches the suite (flag -> pytest option -> target) and the fuzzer: the fetches the
    fault makes arrive there, and each run fails survey_xxe naming that URL."""
    url = f"http://127.0.0.1:{free_port()}"
    run = run_check(tmp_path, "--fault", "survey-fetches-dtd", "--canary-url", url, "--allow-writes",
                    "--fuzz-examples", "5", "-k", "survey")
    assert run.code == 1 and set(run.failed_checks()) == {XXE}, run.output[-3000:]
    assert f"the server fetched {url}{canary_mod.PATH}/" in run.output
    result = CliRunner().invoke(cli, ["fuzz", "-q", "--fault", "survey-fetches-dtd", "--no-database",
                                      "--max-examples", "20", "--canary-url", url, "--out", str(tmp_path / "f")])
    assert result.exit_code == 1, result.output
    assert f"FAILURE doctype:{XXE}" in result.output and f"the server fetched {url}{canary_mod.PATH}/" in result.output
