"""Showing fuzz failures to a person (text), and to CI (JUnit XML).

Each failure shows the minimal payload, a curl line that sends exactly those bytes, the seed, and the
violations with their remedies. A payload that the shell cannot carry faithfully inline (binary,
control characters, over a few KiB) is written to a file next to the example database and the curl
line reads it with ``--data-binary @file``, so the reproduction is byte for byte.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shlex
import unicodedata
from pathlib import Path
from typing import Any

from ecekit import redaction
from ecekit.fuzz.failures import Failure, Finding
from ecekit.fuzz.runner import FuzzResult

INLINE_LIMIT = 2000  # bytes of payload shown and put in the curl line inline
SHOWN_LIMIT = 600


def _shell_safe(c: str) -> bool:
    """A character a terminal shows and a single-quoted shell word carries as it is: printable, or
    white space such as a no-break space (controls, format characters and bidi overrides are not)."""
    return c.isprintable() or c in "\t\n" or unicodedata.category(c) == "Zs"


def _inline_ok(body: bytes) -> bool:
    if len(body) > INLINE_LIMIT:
        return False
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return all(_shell_safe(c) for c in text) and not text.startswith("\ufeff")


def payload_file(failure: Failure, directory: Path) -> Path:
    """Write the payload to ``directory`` (named by its hash, so reruns overwrite) and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(failure.case.body).hexdigest()[:16]
    path = directory / f"{failure.case.family}-{digest}.body"
    path.write_bytes(failure.case.body)
    return path


def curl_line(failure: Failure, payloads: Path | None = None) -> str:
    """A shell line that POSTs the same bytes with the same Content-Type (or none)."""
    ex = failure.exchange
    headers = {k: v for k, v in ex.request_headers.items() if k.lower() != "content-type"}
    base = dataclasses.replace(ex, request_body=None, request_headers=headers).curl()
    url = redaction.shell_url(ex.url)
    head = base[: -len(url)].rstrip()
    ct = failure.case.content_type
    # curl would add its own form Content-Type to --data-binary; "Content-Type:" removes it.
    head += " -H " + shlex.quote(f"Content-Type: {ct}" if ct else "Content-Type:")
    body = failure.case.body
    if _inline_ok(body) or payloads is None:
        data = shlex.quote(body.decode("utf-8", "replace"))
    else:
        data = "@" + shlex.quote(str(payload_file(failure, payloads)))
    return f"{head} --data-binary {data} {url}"


def show_payload(body: bytes) -> str:
    """The payload as text: UTF-8 decoded, characters a terminal would hide or act on escaped
    (``\\x00``, ``\\u202e``), bytes that are not UTF-8 as ``\\xff``; cut after SHOWN_LIMIT bytes."""
    text = body[:SHOWN_LIMIT].decode("utf-8", "backslashreplace")
    shown = "".join(c if _shell_safe(c) else c.encode("unicode_escape").decode("ascii") for c in text)
    return shown + (f" … ({len(body)} bytes)" if len(body) > SHOWN_LIMIT else "")


def explain(failure: Failure, seed: int, payloads: Path | None = None, rerun: str = "ecekit fuzz") -> str:
    """Everything needed to see, reproduce and fix one failure. ``rerun`` is the command (with the
    flags that select the same server and remembered failures) the seed line suggests."""
    case = failure.case
    lines = [f"FAILURE {failure.kind}",
             f"  case:     {case.description}",
             f"  payload:  {len(case.body)} bytes, Content-Type {case.content_type or '(none)'}:",
             *("            " + line for line in show_payload(case.body).splitlines() or [""]),
             f"  response: {failure.exchange.describe()}"]
    lines += ["  " + line for v in failure.violations for line in v.explain().splitlines()]
    if failure.also:
        lines.append(f"  also seen with: {', '.join(failure.also)}")
    lines.append(f"  reproduce: {curl_line(failure, payloads)}")
    lines.append(f"  seed:     {seed} ({rerun} --seed {seed}; or {rerun} --replay to re-send the "
                 "remembered failures)")
    return "\n".join(lines)


def explain_finding(finding: Finding, payloads: Path | None = None) -> str:
    """A lenient acceptance: what was sent, what came back, how to send it again; shorter than a
    failure's, since it breaks nothing."""
    case, n = finding.case, finding.count
    as_failure = Failure(f"{case.family}:{finding.violation.check}", case, finding.exchange, (finding.violation,))
    return "\n".join([
        f"FINDING {case.family}: {finding.violation.check} ({n} example{'s' if n != 1 else ''} of the family)",
        f"  case:     {case.description}",
        f"  payload:  {len(case.body)} bytes, Content-Type {case.content_type or '(none)'}",
        f"  response: {finding.exchange.describe()}",
        *("  " + line for line in finding.violation.explain().splitlines()[1:]),
        f"  reproduce: {curl_line(as_failure, payloads)}"])


def summary(result: FuzzResult) -> str:
    p = result.progress
    rate = p.examples / p.elapsed if p.elapsed else 0.0
    what = "replayed" if result.config.replay or result.remembered_first else "examples"
    head = (f"{p.examples} {what}, {p.requests} requests in {p.elapsed:.1f}s ({rate:.0f}/s), "
            f"seed {result.seed}: ")
    head += "no failure" if result.ok else f"{len(result.failures)} distinct failure(s)"
    if result.findings:
        families = ", ".join(f.case.family for f in result.findings)
        head += (f"; {len(result.findings)} lenient finding(s), not failures ({families}; "
                 "--strict-surveys fails on them)")
    if result.out_of_time:
        head += f" (stopped sending after --max-time {result.config.max_time:g}s)"
    if result.unresponsive:
        head += f" ({result.unresponsive})"
    return head


def junit_xml(result: FuzzResult, path: Path, payloads: Path | None = None, rerun: str = "ecekit fuzz",
              properties: dict[str, str] | None = None) -> None:
    """One test case per distinct failure, or one passing case for a clean run; ``properties`` add to
    the seed (e.g. the TLS warning of an --insecure run)."""
    from junit_xml import TestCase, TestSuite, to_xml_report_string

    cases = []
    for finding in result.findings:
        text = explain_finding(finding, payloads)
        case = TestCase(f"survey fuzz finding: {finding.case.family}", classname="ecekit.fuzz.survey_lenient",
                        elapsed_sec=finding.exchange.elapsed, stdout=text)
        case.add_skipped_info(message=f"finding, not a failure: {finding.violation.headline()}", output=text)
        cases.append(case)
    for failure in result.failures:
        case = TestCase(f"survey fuzz: {failure.kind}", classname="ecekit.fuzz.survey",
                        elapsed_sec=failure.exchange.elapsed)
        case.add_failure_info(message="; ".join(v.headline() for v in failure.violations),
                              output=explain(failure, result.seed, payloads, rerun))
        cases.append(case)
    if not result.failures:
        cases.append(TestCase(f"survey fuzz: {result.progress.examples} examples",
                              classname="ecekit.fuzz.survey", elapsed_sec=result.progress.elapsed,
                              stdout=summary(result)))
    suite = TestSuite("ecekit fuzz", cases, properties={"seed": str(result.seed),
                                                        "strict_surveys": str(result.lenient_acceptance_fails).lower(),
                                                        **(properties or {})})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_xml_report_string([suite]), encoding="utf-8")


def to_data(result: FuzzResult, payloads: Path | None = None) -> dict[str, Any]:
    """fuzz.json's body: every failure as shown in the terminal, and what was tried per family."""
    p = result.progress
    failures = []
    for failure in result.failures:
        case = failure.case
        failures.append({
            "kind": failure.kind, "family": case.family, "description": case.description,
            "size": len(case.body), "content_type": case.content_type,
            "payload": show_payload(case.body), "response": failure.exchange.describe(),
            "violations": [dataclasses.asdict(v) for v in failure.violations],
            "headline": "; ".join(v.headline() for v in failure.violations),
            "curl": curl_line(failure, payloads), "also": list(failure.also)})
    families = {name: {"examples": n, "failing": p.failing_by_family.get(name, 0)}
                for name, n in sorted(p.by_family.items())}
    return {"kind": "fuzz", "schema_version": 1, "seed": result.seed, "examples": p.examples,
            "requests": p.requests, "duration_s": round(p.elapsed, 3), "replay": result.config.replay,
            "out_of_time": result.out_of_time, "unresponsive": result.unresponsive, "failures": failures,
            "families": families,
            "findings": [{"family": f.case.family, "description": f.case.description, "count": f.count,
                          "headline": f.violation.headline(), "response": f.exchange.describe(),
                          "text": explain_finding(f, payloads)} for f in result.findings],
            "strict_surveys": result.lenient_acceptance_fails,
            "notes": list(result.notes), "summary": summary(result)}
