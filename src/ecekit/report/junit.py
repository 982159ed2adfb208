"""A JUnit XML file grouped the way people read contract failures: one <testsuite> per check.

pytest's own ``--junitxml`` names suites after the test modules; a CI dashboard then shows
"test_capacity.py" rather than "xsd". Here each check is a <testsuite>, each test a <testcase> whose
classname is the operation, and each failure carries a one-line ``message`` and the full text
(expected, actual, XPath, body excerpt, curl line) as its body.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from ecekit.report.failure import printable
from ecekit.report.results import CaseResult


def to_xml(results: Iterable[CaseResult], *, name: str = "ecekit",
           properties: Mapping[str, str] | None = None) -> str:
    """The JUnit document for ``results`` as a string; ``properties`` (the seed, an
    --insecure warning) on every suite, where Jenkins and GitLab show them.

    A finding (not a failure) is a test case of its own in its check's suite, marked *skipped* with
    the headline as message and the whole explanation as text: the one outcome besides a failure that
    both Jenkins and GitLab show with its message, and one that fails neither.
    """
    from junit_xml import TestCase, TestSuite, to_xml_report_string

    by_check: dict[str, list[TestCase]] = defaultdict(list)
    results = list(results)
    for result in results:
        for finding in result.findings:
            case = TestCase(printable(finding.headline[:200]), classname=f"{name}.{finding.operation}",
                            file=result.nodeid.split("::")[0], stdout=finding.text)
            case.add_skipped_info(message=f"finding, not a failure: {finding.headline}", output=finding.text)
            by_check[finding.check].append(case)
    for result in results:
        case = TestCase(printable(result.name), classname=f"{name}.{result.operation}",
                        elapsed_sec=round(result.seconds, 6), file=result.nodeid.split("::")[0])
        if result.outcome == "failed":
            case.add_failure_info(message=result.headline, output=result.text, failure_type="contract")
        elif result.outcome == "error":
            case.add_error_info(message=result.headline, output=result.text, error_type="error")
        elif result.outcome == "skipped":
            case.add_skipped_info(message=result.headline or "skipped")
        by_check[result.check].append(case)
    suites = [TestSuite(f"{name}.{check}", cases, properties=dict(properties or {}) or None)
              for check, cases in sorted(by_check.items())]
    return str(to_xml_report_string(suites, prettyprint=True, encoding="utf-8"))


def write(path: str | Path, results: Iterable[CaseResult], properties: Mapping[str, str] | None = None) -> Path:
    """Write the JUnit file, creating its directory; returns the path written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_xml(results, properties=properties), encoding="utf-8")
    return path
