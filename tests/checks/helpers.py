"""Hand-made exchanges for the check tests: the guide's samples, and ways to break them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from ecekit import operations
from ecekit.checks.base import Context, Observation, Role
from ecekit.client import Exchange, TransportError
from ecekit.target import Target

NS = " ".join(f'xmlns:{p}="{uri}"' for p, uri in operations.ROOT_NAMESPACES.items())
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
TARGET = Target(base_url="http://ece.test/system", entry_points=("1001",), max_response_time=1.0)


def body(op: operations.Operation, **values: object) -> bytes:
    """A valid answer of ``op`` in the guide's shape, with ``values`` for its fields."""
    attrs = "".join(f' {f.name}="{values[f.name]}"' for f in op.fields
                    if f.kind is operations.FieldKind.ATTRIBUTE and values.get(f.name) is not None)
    children = "".join(f"<ns2:{f.name}>{values[f.name]}</ns2:{f.name}>" for f in op.fields
                       if f.kind is operations.FieldKind.ELEMENT and f.name in values)
    return f"{DECL}<{op.response_root} {NS}{attrs}>{children}</{op.response_root}>".encode()


GOOD = {
    operations.AGENT_AVAILABILITY: {"available": "true"},
    operations.CAPACITY: {"count": 4},
    operations.LIVE_SESSION_STATUS: {"waitTime": "3.0", "queueDepth": 1},
    operations.CHECK_ELIGIBILITY: {"responseType": 0},
    operations.CHAT_ALLOWED: {"allowed": "true"},
}


def exchange(op: operations.Operation, raw: bytes | None = None, *, status: int = 200,
             content_type: str = "application/xml", elapsed: float = 0.01,
             error: TransportError | None = None, entry_point: str = "1001", **values: object) -> Exchange:
    payload = raw if raw is not None else body(op, **{**GOOD.get(op, {}), **values})
    ex = Exchange(op.name, op.method, TARGET.url(op, entry_point if op.takes_entry_point else None),
                  entry_point=entry_point if op.takes_entry_point else None)
    if error is not None:
        ex.error, ex.error_detail, ex.elapsed = error, f"simulated {error.value}", elapsed
        return ex
    ex.status, ex.body, ex.elapsed = status, payload, elapsed
    ex.response_headers = {"content-type": content_type} if content_type else {}
    return ex


def observe(ex: Exchange, op: operations.Operation, role: Role = Role.ANY, **ctx: object) -> Observation:
    return Observation(ex, op, Context(TARGET, role=role, **ctx))  # type: ignore[arg-type]


# ----------------------------------------------------------------- `ecekit check` in a child process
@dataclass
class CheckRun:
    code: int
    output: str
    seconds: float
    junit: Path

    def failed_checks(self) -> dict[str, int]:
        """{check: failures} from ecekit's JUnit file (one testsuite per check)."""
        tree = etree.parse(str(self.junit))
        found = {}
        for suite in tree.iter("testsuite"):
            failures = int(suite.get("failures", "0")) + int(suite.get("errors", "0"))
            if failures:
                found[suite.get("name", "").removeprefix("ecekit.")] = failures
        return found


def run_check(tmp: Path, *args: str, timeout: float = 120) -> CheckRun:
    junit = tmp / "contract.xml"
    cmd = [sys.executable, "-m", "ecekit", "check",
           "-q", "--junit-xml", str(junit), *args]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=tmp,
                          env={**os.environ, "NO_COLOR": "1"})
    return CheckRun(proc.returncode, proc.stdout + proc.stderr, time.perf_counter() - start, junit)


def ecekit_check(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ecekit", "check", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, env={**os.environ, "NO_COLOR": "1"})
