"""The report header and the facts every report carries, from the target and the options alone."""

from __future__ import annotations

from ecekit.canary import UNOBSERVED
from ecekit.suite.description import canary_where, describe, report_properties
from ecekit.suite.options import Options
from ecekit.target import Target

REMOTE = Target(base_url="https://ece.example.com/system", entry_points=("1001",), invalid_entry_points=("999",))


def line(lines: list[str], prefix: str) -> str:
    found = [x for x in lines if x.startswith(prefix)]
    assert len(found) == 1, lines
    return found[0]


def test_the_embedded_server_with_its_faults() -> None:
    lines = describe(Target(), Options(faults=("drop=0.5", "latency=1s"), seed=7))
    assert lines[0] == ("ecekit target: the embedded reference server (default scenario) "
                        "with faults drop=0.5, latency=1s")
    assert line(lines, "ecekit entry points: ") == "ecekit entry points: entry points: -; inactive: -; invalid: -"
    assert "ecekit seed 7" in line(lines, "ecekit seed")


def test_a_remote_server_its_roles_and_its_limits() -> None:
    lines = describe(REMOTE, Options(consistency_reads=5))
    assert lines[0] == "ecekit target: https://ece.example.com/system"
    assert line(lines, "ecekit entry points: ") == "ecekit entry points: entry points: 1001; inactive: -; invalid: 999"
    limits = line(lines, "ecekit limits: ")
    assert "max response time 2s, timeout 10s, agents required: true, consistency reads: 5" in limits


def test_writes_off_name_the_flag_of_the_front_door() -> None:
    assert line(describe(REMOTE, Options()), "ecekit limits").endswith(
        "writes: off (survey skipped; --ece-allow-writes)")
    assert line(describe(REMOTE, Options(), cli=True), "ecekit limits").endswith(
        "writes: off (survey skipped; --allow-writes)")
    assert not any(x.startswith("ecekit xxe canary") for x in describe(REMOTE, Options()))


def test_writes_on_say_how_lenient_acceptance_counts_and_where_the_canary_is() -> None:
    lines = describe(REMOTE, Options(allow_writes=True, fuzz_examples=12))
    assert line(lines, "ecekit limits").endswith(
        "writes: on, 12 fuzz examples, lenient acceptance is a finding (--strict-surveys to fail)")
    assert line(lines, "ecekit xxe canary: ") == f"ecekit xxe canary: {UNOBSERVED}"
    strict = describe(REMOTE.replace(lenient_surveys_fail=True), Options(allow_writes=True))
    assert "lenient acceptance fails (strict surveys)" in line(strict, "ecekit limits")


def test_options_of_the_target_each_get_their_line() -> None:
    target = REMOTE.replace(origin="https://www.example.com", widget="eligibility", json_parity=True,
                            insecure=True)
    lines = describe(target, Options())
    assert line(lines, "ecekit origin: ").startswith("ecekit origin: https://www.example.com")
    assert line(lines, "ecekit widget: ").startswith("ecekit widget: eligibility (checkEligibility")
    assert line(lines, "ecekit json: ")
    assert line(lines, "ecekit tls: ")
    assert not any(x.startswith(("ecekit origin", "ecekit widget", "ecekit json"))
                   for x in describe(REMOTE, Options()))


def test_where_the_canary_listens() -> None:
    fetch = "(every fetch of a DTD or entity a survey names fails survey_xxe)"
    assert canary_where(Target()) == f"a loopback port {fetch}"
    assert canary_where(Target(base_url="http://127.0.0.1:8080/system")) == f"a loopback port {fetch}"
    assert canary_where(REMOTE) == UNOBSERVED
    assert canary_where(REMOTE.replace(canary_url="http://10.0.0.5:8765")) == f"http://10.0.0.5:8765 {fetch}"


def test_report_properties_name_the_json_comparison() -> None:
    assert "json" not in report_properties(REMOTE)
    assert report_properties(REMOTE.replace(json_parity=True))["json"] == "compared with the XML"
