"""The JUnit file and the terminal summary of a contract run, field by field, in process."""

from __future__ import annotations

from lxml import etree

from ecekit.checks.base import Violation
from ecekit.client import Exchange
from ecekit.report import failure, junit
from ecekit.report.results import CaseResult, Finding
from ecekit.report.summary import finding_lines, grouped, summary_lines


def _r(name: str, check: str, op: str, outcome: str, ep: str | None = "1001", headline: str = "",
       seconds: float = 0.0) -> CaseResult:
    return CaseResult(f"contracts/test_{op}.py::{name}", name, check, op, outcome, seconds=seconds, entry_point=ep,
                      headline=headline, text=f"text of {name}")


def test_every_case_carries_its_name_class_file_and_time() -> None:
    finding = Finding("survey_lenient", "survey", "h" * 250 + "\x07", "the whole explanation")
    passed = _r("test_ok", "xsd", "capacity", "passed", seconds=0.12345678)
    passed.findings.append(finding)
    results = [passed, _r("test_bad", "xsd", "capacity", "failed", headline="xsd · capacity: bad"),
               _r("test_err", "status_code", "capacity", "error", headline="boom"),
               _r("test_skip", "semantics", "chatAllowed", "skipped", headline=""),
               _r("test_skip2", "semantics", "chatAllowed", "skipped", headline="no entry point")]
    root = etree.fromstring(junit.to_xml(results, name="run", properties={"seed": "7"}).encode())
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert list(suites) == ["run.semantics", "run.status_code", "run.survey_lenient", "run.xsd"]
    ok = suites["run.xsd"].find("testcase[@name='test_ok']")
    assert ok is not None and ok.get("classname") == "run.capacity" and ok.get("file") == "contracts/test_capacity.py"
    assert ok.get("time") == "0.123457"
    bad = suites["run.xsd"].find("testcase[@name='test_bad']/failure")
    assert bad is not None and bad.get("message") == "xsd · capacity: bad" and bad.get("type") == "contract"
    assert bad.text == "text of test_bad"
    err = suites["run.status_code"].find("testcase/error")
    assert err is not None and (err.get("message"), err.get("type"), err.text) == ("boom", "error", "text of test_err")
    skips = [c.find("skipped").get("message") for c in suites["run.semantics"].iter("testcase")]
    assert skips == ["skipped", "no entry point"]
    (case,) = suites["run.survey_lenient"].iter("testcase")
    assert case.get("name") == "h" * 200 and case.get("classname") == "run.survey"
    assert case.get("file") == "contracts/test_capacity.py"
    assert case.findtext("system-out") == "the whole explanation"
    assert case.find("skipped").text == "the whole explanation"
    for suite in suites.values():
        assert [(p.get("name"), p.get("value")) for p in suite.iter("property")] == [("seed", "7")]
    assert not list(etree.fromstring(junit.to_xml([passed]).encode()).iter("property"))


def test_summary_groups_failures_by_check_then_operation() -> None:
    results = [_r("a", "xsd", "capacity", "failed", "1002", "first"), _r("b", "xsd", "capacity", "failed", "1001", "x"),
               _r("c", "xsd", "agentAvailability", "error", None, "y" * 300),
               _r("d", "semantics", "chatAllowed", "failed", "1001", "z"), _r("e", "xsd", "capacity", "passed")]
    assert list(grouped(results)) == ["semantics", "xsd"]
    assert list(grouped(results)["xsd"]) == ["agentAvailability", "capacity"]
    lines = summary_lines(results, {"xsd": "answers follow the schema"})
    assert lines == [
        "contract failures by check and operation (1 error, 3 failed, 1 passed):",
        "  semantics",
        f"    {'chatAllowed':<34}   1 failed  entry points: 1001",
        "      e.g. z",
        "  xsd  — answers follow the schema",
        f"    {'agentAvailability':<34}   1 failed",
        "      e.g. " + "y" * 200,
        f"    {'capacity':<34}   2 failed  entry points: 1001, 1002",
        "      e.g. first",
        "details (expected, actual, XPath, body, curl line): the FAILURES section above",
    ]


def test_summary_when_all_passed_nothing_ran_or_nothing_could_be_checked() -> None:
    assert summary_lines([]) == []
    assert summary_lines([_r("a", "xsd", "capacity", "passed"), _r("b", "xsd", "capacity", "skipped")]) == [
        "all contract checks passed (1 passed, 1 skipped)"]
    skipped = [_r(str(i), "xsd", "capacity", "skipped", headline=f"reason {i % 7}" + "r" * 300) for i in range(20)]
    lines = summary_lines(skipped)
    assert lines[0] == ("nothing could be checked (20 skipped): not one selected test passed or failed; why they "
                        "were skipped:")
    assert len(lines) == 6 and lines[1] == "    3x reason 0" + "r" * 192


def test_finding_lines() -> None:
    assert finding_lines([_r("a", "xsd", "capacity", "passed")]) == []
    r = _r("a", "survey", "survey", "passed")
    r.findings += [Finding("survey_lenient", "survey", "h1" + "x" * 300, "t"), Finding("b_check", "survey", "h2", "t")]
    assert finding_lines([r]) == ["findings, not failures (2):", "  b_check: 1", "    h2", "  survey_lenient: 1",
                                  "    h1" + "x" * 198]
    assert finding_lines([r], "--strict fails on them")[0] == "findings, not failures (2); --strict fails on them:"


def _ex(body: bytes = b"<capacity>oops</capacity>", url: str = "http://x/ws/capacity") -> Exchange:
    return Exchange("capacity", "GET", url, "1001", status=200, response_headers={"content-type": "text/xml"},
                    body=body, elapsed=0.001)


def test_failure_text_shows_each_violation_and_each_exchange_once() -> None:
    ex = _ex()
    same_body = Violation("xsd", "capacity", "bad", actual=ex.excerpt(200))
    same_status = Violation("status_code", "capacity", "bad", actual=ex.describe())
    own = Violation("semantics", "capacity", "bad", actual="count -1")
    repeated = Violation("semantics", "capacity", "again", actual="count -1")
    text = failure.failure_text([same_body, same_status, own, repeated], [ex, ex])
    parts = text.split("\n\n")
    assert parts[0] == "xsd · capacity: bad\n  actual:   (see the response below)"
    assert parts[1] == "status_code · capacity: bad\n  actual:   (see the response below)"
    assert parts[2] == "semantics · capacity: bad\n  actual:   count -1"
    assert parts[3] == "semantics · capacity: again\n  actual:   (see the response below)"
    assert parts[4] == "\n".join(failure.exchange_lines(ex))
    assert len(parts) == 5  # the same exchange object twice is shown once
    two = failure.failure_text([], [_ex(), _ex(b"<other/>"), _ex(url="http://x/ws/capacity")])
    assert two.count("request:   GET http://x/ws/capacity") == 3  # equal URLs, different requests
    long = _ex(b"a" * 250)
    cut = Violation("xsd", "capacity", "bad", actual="a" * 200 + "… (250 bytes)")
    assert "(see the response below)" in failure.failure_text([cut], [long])
    assert failure.failure_text([Violation("xsd", "capacity", "bell\x07")], []) == "xsd · capacity: bell\\x07"


def test_write_makes_the_directories_and_keeps_non_ascii(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = _r("test_é", "xsd", "capacity", "failed", headline="réponse ≠ schéma")
    path = junit.write(tmp_path / "a" / "b" / "j.xml", [result], {"seed": "1"})
    text = path.read_bytes().decode("utf-8")
    assert "réponse ≠ schéma" in text and text.count("\n") > 5  # pretty-printed, one element a line
    assert text == junit.to_xml([result], properties={"seed": "1"})
