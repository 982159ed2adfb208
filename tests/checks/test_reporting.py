"""Failure text, the grouped summary and the JUnit file, on hand-made results."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from ecekit import operations as ops
from ecekit.checks import Context, evaluate
from ecekit.report import junit
from ecekit.report.failure import failure_text, headline, printable
from ecekit.report.results import CaseResult
from ecekit.report.summary import summary_lines

from .helpers import TARGET, exchange


def test_failure_text_has_expected_actual_xpath_body_and_curl() -> None:
    ex = exchange(ops.CAPACITY, count=-1)
    violations = evaluate(ex, ops.CAPACITY, Context(TARGET))
    text = failure_text(violations, [ex])
    for part in ("xsd · capacity [1001]", "at:       /availableSlots", "expected:", "response:  HTTP 200",
                 "body:", "<ns2:count>-1</ns2:count>", "reproduce: curl ", "/capacity/1001"):
        assert part in text
    assert headline(violations).startswith("xsd · capacity [1001]")


def test_hostile_bytes_are_printable_and_xml_safe() -> None:
    ex = exchange(ops.CAPACITY, raw=b"\x00\x01<x>\xff\xfe\x1b[31m", status=500)
    text = failure_text(evaluate(ex, ops.CAPACITY, Context(TARGET)), [ex])
    assert "\x00" not in text and "\x1b" not in text and "\\x00" in text
    assert printable("a\tb\nc\x07") == "a\tb\nc\\x07"


def results() -> list[CaseResult]:
    return [
        CaseResult("c/t.py::a", "capacity[1001] xsd", "xsd", "capacity", "failed", 0.01, "1001",
                   "xsd · capacity [1001]: bad", "xsd · capacity\n  reproduce: curl -sS 'http://x/1001'"),
        CaseResult("c/t.py::b", "capacity[1002] xsd", "xsd", "capacity", "failed", 0.01, "1002", "h", "t"),
        CaseResult("c/t.py::c", "capacity[1001] status_code", "status_code", "capacity", "passed", 0.01),
        CaseResult("c/t.py::d", "survey[x]", "survey", "survey", "skipped", 0, None, "writes are off"),
    ]


def test_summary_groups_by_check_then_operation() -> None:
    lines = summary_lines(results(), {"xsd": "valid against the XSD"})
    text = "\n".join(lines)
    assert "xsd  — valid against the XSD" in text
    assert "capacity" in text and "2 failed" in text and "1001, 1002" in text
    assert summary_lines(results()[2:]) [0].startswith("all contract checks passed")


def test_junit_one_testsuite_per_check_and_the_curl_line_in_the_failure(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = junit.write(tmp_path / "sub" / "j.xml", results())
    root = etree.parse(str(path)).getroot()
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"ecekit.xsd", "ecekit.status_code", "ecekit.survey"}
    assert suites["ecekit.xsd"].get("failures") == "2"
    failure = suites["ecekit.xsd"].find("testcase/failure")
    assert failure is not None and failure.get("message") == "xsd · capacity [1001]: bad"
    assert "curl -sS" in (failure.text or "")
    assert suites["ecekit.xsd"].find("testcase").get("classname") == "ecekit.capacity"
    assert suites["ecekit.survey"].find("testcase/skipped") is not None


def test_a_large_request_body_goes_to_a_file_the_curl_line_reads() -> None:
    import shlex

    ex = exchange(ops.SURVEY, status=500, raw=b"oops")
    ex.request_body = b"<egainSurvey>" + b"x" * 10_000 + b"</egainSurvey>"
    text = failure_text(evaluate(ex, ops.SURVEY, Context(TARGET)), [ex])
    line = next(ln for ln in text.splitlines() if ln.startswith("reproduce:"))
    assert len(line) < 400 and "--data-binary @" in line
    path = shlex.split(line)[-1].removeprefix("@")
    assert Path(path).read_bytes() == ex.request_body


def test_a_finding_is_listed_and_is_a_skipped_case_with_its_text_in_junit(tmp_path: Path) -> None:
    from ecekit.report.results import Finding
    from ecekit.report.summary import finding_lines

    passed = CaseResult("c/test_survey.py::test_survey[lenient-text-plain]", "test_survey[lenient-text-plain]",
                        "survey", "survey", "passed")
    passed.findings.append(Finding("survey_lenient", "survey", "survey_lenient · survey: got HTTP 204",
                                   "survey_lenient · survey\n  reproduce: curl -X POST http://x/survey"))
    lines = summary_lines([passed]) + finding_lines([passed], "--strict-surveys fails on them")
    assert lines[0].startswith("all contract checks passed")
    assert any("findings, not failures (1)" in line and "--strict-surveys" in line for line in lines)
    path = junit.write(tmp_path / "j.xml", [passed], {"seed": "42"})
    tree = etree.parse(str(path))
    suite = tree.find(".//testsuite[@name='ecekit.survey_lenient']")
    assert suite is not None and suite.get("failures") == "0" and suite.get("skipped") == "1"
    skipped = suite.find("testcase/skipped")
    assert skipped is not None and skipped.get("message", "").startswith("finding, not a failure: survey_lenient")
    assert "reproduce: curl" in (skipped.text or "")
    assert {p.get("value") for p in tree.iter("property") if p.get("name") == "seed"} == {"42"}
