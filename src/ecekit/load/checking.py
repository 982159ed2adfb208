"""Contract checks on every response under load: the fast path of the same registered checks.

Under load each response becomes a lean :class:`ecekit.client.Exchange` (status, content type, body)
and runs through the registry with ``Context(fast=True)``: libxml2's compiled schema gives the XSD
verdict, and the Violation objects are only built when something is wrong. Measured on this machine:
about 27 µs per chatAllowed answer, a small fraction of what sending the request costs.

Each answer counts once. No usable answer (a transport failure: timeout, reset; or an HTTP status of
400 and above) is a *failure*, by kind (``timeout``, ``http_503``), and is not also judged as a
contract violation: an ``errors`` SLO and a ``violations`` SLO never punish the same answer. A
*violation* is an answer the visitor got that broke the contract in any other way (an undocumented
2xx/3xx status, content type, well-formedness, XSD, meaning).
"""

from __future__ import annotations

from dataclasses import dataclass

from ecekit import operations
from ecekit.checks import Context, Observation, run_checks
from ecekit.checks.survey import judge_survey
from ecekit.checks.values import typed_values
from ecekit.checks.widget import state_of
from ecekit.client import Exchange, TransportError
from ecekit.target import Target
from ecekit.widgets import State, Widget

LOAD_CHECKS = ("status_code", "content_type", "well_formed", "xsd", "semantics")
"""What is judged under load, on answers below HTTP 400: status, type, well-formedness, XSD and
meaning. An answer of 400 or more is a failure before any check runs (so not_a_server_error, which
only fires on a 5xx, has nothing to do here); response_time is left to the latency SLOs, which judge
the whole distribution rather than each answer."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What one response meant to the visitor and to the contract: a failure or violations, never both."""

    failure: str | None  # "timeout", "connection", "http_503"...: no usable answer
    checks: tuple[str, ...]  # the contract checks a usable answer broke (empty when failure is set)
    message: str = ""
    allowed: bool | None = None  # chatAllowed only: did the server say chat is allowed?
    state: str | None = None  # the widget's operation only: the state the page's widget shows


OK = Verdict(None, ())


ERROR_STATUS = 400
"""From this status on an answer is an error (no usable answer), whatever its body says."""

MEMO_MAX_BODY = 4096
MEMO_ENTRIES = 4096


class FastChecker:
    """Judges responses against one target's contract; one per process.

    The per-response checks are pure functions of (operation, status, content type, body) for a given
    target, and a status server repeats the same few bodies thousands of times, so verdicts are
    memoised on exactly those bytes: every response is judged, identical ones once. The memo is
    bounded (small bodies, at most MEMO_ENTRIES, then cleared) and can be switched off (``memo=False``)
    to measure the checks themselves. A verdict's message names the entry point of the first response
    with those bytes; the counts by category are exact either way.
    """

    def __init__(self, target: Target, *, valid_needs_204: bool = True, memo: bool = True,
                 widget: Widget | None = None) -> None:
        self.context = Context(target, fast=True, valid_needs_204=valid_needs_204)
        self.widget = widget
        from ecekit.checks.user import load_for

        self.checks = LOAD_CHECKS + (("cors",) if target.origin else ()) + tuple(load_for(target))
        _ = self.context.schemas  # compile the XSDs now, not inside the first timed request
        self.memo: dict[tuple[str, int, str, bytes, str | None], Verdict] | None = {} if memo else None

    def judge(self, op: operations.Operation, url: str, entry_point: str | None, *, status: int | None,
              content_type: str, body: bytes, elapsed: float, error: TransportError | None = None,
              error_detail: str = "", cors: str | None = None) -> Verdict:
        """``cors``: the answer's Access-Control-Allow-Origin (judged only when the target has an origin)."""
        memo = self.memo
        if memo is None or error is not None or status is None or len(body) > MEMO_MAX_BODY:
            return self._judge(op, url, entry_point, status=status, content_type=content_type, body=body,
                               elapsed=elapsed, error=error, error_detail=error_detail, cors=cors)
        key = (op.name, status, content_type, body, cors)
        verdict = memo.get(key)
        if verdict is None:
            if len(memo) >= MEMO_ENTRIES:
                memo.clear()
            verdict = memo[key] = self._judge(op, url, entry_point, status=status,
                                              content_type=content_type, body=body, elapsed=elapsed, cors=cors)
        return verdict

    def _judge(self, op: operations.Operation, url: str, entry_point: str | None, *, status: int | None,
               content_type: str, body: bytes, elapsed: float, error: TransportError | None = None,
               error_detail: str = "", cors: str | None = None) -> Verdict:
        if error is not None:
            state = State.ERROR.value if self.widget is not None and op is self.widget.operation else None
            return Verdict(error.value, (), f"transport: {error.value}: {error_detail}"[:300], state=state)
        if status is not None and status >= ERROR_STATUS:
            # no usable answer: an error, counted once; its body is not also judged as a violation
            state = State.ERROR.value if self.widget is not None and op is self.widget.operation else None
            return Verdict(f"http_{status}", (), f"HTTP {status}", state=state)
        headers = {"content-type": content_type}
        if cors is not None:
            headers["access-control-allow-origin"] = cors
        ex = Exchange(op.name, op.method, url, entry_point, status=status, response_headers=headers, body=body,
                      elapsed=0.0)  # the widget's timeout is judged by the caller: verdicts are memoised
        obs = Observation(ex, op, self.context)
        if op.is_status:
            violations = run_checks(obs, self.checks)
        else:
            violations = judge_survey(obs, valid=True, description="load survey")
        allowed = None
        if op is operations.CHAT_ALLOWED and not violations:
            allowed = typed_values(obs.parsed.root, op).get("allowed") is True
        state = state_of(obs, self.widget)[0].value if self.widget is not None and op is self.widget.operation else None
        if not violations:
            return Verdict(None, (), "", allowed, state)
        names = tuple(dict.fromkeys(v.check for v in violations))
        return Verdict(None, names, violations[0].headline()[:300], allowed, state)
