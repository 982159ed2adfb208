"""One contract run: the target, the embedded server when there is no base URL, the client, the caches.

Built from the pytest options once per session (:meth:`Suite.from_options`); everything expensive is
lazy. Each status answer is fetched once per (operation, entry point) and judged by every check, so a
stalling server costs one timeout per answer, not one per check; consistency reads are fresh, back to
back, and repeated only while a contradiction persists.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ecekit import operations, transport
from ecekit.checks import consistency
from ecekit.checks.base import Context, Role, Violation, entry_points_by_role
from ecekit.client import Client, Exchange, Rationed
from ecekit.errors import ConfigError, UsageError
from ecekit.report.results import CaseResult
from ecekit.target import Target

DEFAULT_FUZZ_EXAMPLES = 100
MAX_LOGGED = 20_000  # exchanges kept for exchanges.har


@dataclass
class Options:
    """The suite's own settings beyond the Target (from ``--ece-…`` options)."""

    allow_writes: bool = False
    fuzz_examples: int = DEFAULT_FUZZ_EXAMPLES
    consistency_reads: int = consistency.DEFAULT_READS
    faults: tuple[str, ...] = ()
    junit_xml: str | None = None
    out: str | None = None  # directory for check.json, exchanges.har, report.html, summary.md
    seed: int = 0  # of the hypothesis phase and the probes' sids (ecekit.seeds)
    seed_how: str = "given"


@dataclass
class Suite:
    """The state of one contract run (one pytest session)."""

    target: Target
    options: Options
    results: dict[str, CaseResult] = field(default_factory=dict)
    junit_written: str | None = None
    reports_written: dict[str, str] = field(default_factory=dict)
    _started: Target | None = None
    _client: Rationed | None = None
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _exchanges: dict[tuple[str, str], Exchange] = field(default_factory=dict)
    _consistency: dict[str, dict[str, list[consistency.Snapshot]]] = field(default_factory=dict)
    _reads: dict[str, list[consistency.Snapshot]] = field(default_factory=dict)
    _contexts: dict[tuple[Role, bool], Context] = field(default_factory=dict)
    log: list[Exchange] = field(default_factory=list)  # every exchange, for exchanges.har
    log_dropped: int = 0
    started_at: float = field(default_factory=time.time)
    _json: dict[tuple[str, str], tuple[list[Violation], Exchange, Exchange]] = field(default_factory=dict)
    _canary: Any = None  # ecekit.canary.Canary, started with the first survey that names it
    _canary_started: bool = False
    probed: bool = False  # the given server was probed before the run (ecekit.live.ensure_reachable)

    # ------------------------------------------------------------------------------------ building
    @classmethod
    def from_options(cls, values: Mapping[str, Any]) -> Suite:
        """Resolve the target (file, then flags) and check everything that can be checked up front.

        Raises a ToolkitError (ConfigError, UsageError, SchemaError) for anything the user must fix.
        """
        from ecekit import seeds
        from ecekit.flags import target_from

        extra: dict[str, Any] = {"max_response_time": values.get("max_response_time"),
                                 "sid": values.get("sid"), "canary_url": values.get("canary_url")}
        if values.get("agents_not_required"):
            extra["agents_required"] = False
        if values.get("strict_surveys") is not None:
            extra["strict_surveys"] = bool(values["strict_surveys"])
        if values.get("json"):
            extra["json"] = True
        target = target_from(dict(values), **extra)
        seed, seed_how = seeds.choose(values.get("seed"))
        options = Options(
            allow_writes=bool(values.get("allow_writes")),
            fuzz_examples=int(values.get("fuzz_examples") or 0) if values.get("fuzz_examples") is not None
            else DEFAULT_FUZZ_EXAMPLES,
            consistency_reads=int(values.get("consistency_reads") or consistency.DEFAULT_READS),
            faults=tuple(values.get("faults") or ()),
            junit_xml=values.get("junit_xml"),
            out=values.get("out"),
            seed=seed,
            seed_how=seed_how,
        )
        return cls.build(target, options)

    @classmethod
    def build(cls, target: Target, options: Options | None = None) -> Suite:
        """The run of ``target`` (no base URL: the embedded reference server) with ``options``, checked.

        Raises a ToolkitError (ConfigError, UsageError, SchemaError) for anything the user must fix.
        """
        from ecekit.checks.user import load_for
        from ecekit.live import check_faults, with_default_roles
        from ecekit.writable import writable_dir, writable_file
        from ecekit.xmlsafe import schemas

        options = options or Options()
        if options.fuzz_examples < 0 or options.consistency_reads < 1:
            raise UsageError("--fuzz-examples must be 0 or more and --consistency-reads 1 or more")
        check_faults(target, options.faults)  # an unknown fault name, or one with --base-url: exit 2
        if target.is_embedded:
            target = with_default_roles(target)
        elif not target.all_entry_points():
            raise ConfigError("no entry points to test",
                              remedy="pass --entry-point ID (and --inactive-entry-point / "
                              "--invalid-entry-point), or list them in ecekit.toml")
        schemas(target.xsd_dir)  # SchemaError now, not one per test
        writable_file(options.junit_xml, "--junit-xml")  # a report that cannot be written: exit 2 now
        writable_dir(options.out, "--out")
        load_for(target)  # the user's checks, before the cases are collected
        return cls(target, options)

    # ------------------------------------------------------------------------------------ running
    def started(self) -> Target:
        """The target with a base URL: starts the embedded server on first use, or checks reachability."""
        if self._started is not None:
            return self._started
        from ecekit.live import live_target

        target = self._stack.enter_context(live_target(self.target, faults=self.options.faults,
                                                               probe=not self.probed))
        self._started = target
        client = Client(target, on_exchange=self._keep if self.options.out else None)
        self._stack.callback(client.close)
        self._client = Rationed(client)
        return target

    def close(self) -> None:
        self._stack.close()

    def _keep(self, ex: Exchange) -> None:
        """Keep an exchange for the HAR file, up to MAX_LOGGED (a bounded run stays bounded)."""
        if len(self.log) < MAX_LOGGED:
            self.log.append(ex)
        else:
            self.log_dropped += 1

    @property
    def client(self) -> Client:
        self.started()
        assert self._client is not None
        return self._client.client

    @property
    def valid_needs_204(self) -> bool:
        """A valid survey must get 204 (not a 4xx): on the embedded server, where sessions are not checked."""
        return self.target.is_embedded

    @property
    def lenient_acceptance_fails(self) -> bool:
        """A survey only a lenient server accepts fails the run (else it is a finding)."""
        return self.target.lenient_acceptance_fails

    def context(self, role: Role = Role.ANY, *, valid_needs_204: bool | None = None) -> Context:
        strict = self.valid_needs_204 if valid_needs_204 is None else valid_needs_204
        key = (role, strict)
        if key not in self._contexts:
            self._contexts[key] = Context(self.started(), role=role, valid_needs_204=strict)
        return self._contexts[key]

    def exchange(self, op: operations.Operation, entry_point: str) -> Exchange:
        """The answer of ``op`` for ``entry_point``, fetched once per run."""
        key = (op.name, entry_point)
        if key not in self._exchanges:
            self._exchanges[key] = self.call(op, entry_point)
        return self._exchanges[key]

    def call(self, op: operations.Operation, entry_point: str | None = None, **kw: Any) -> Exchange:
        """One request, unless the server has stopped answering (:class:`ecekit.client.Rationed`)."""
        self.started()
        assert self._client is not None
        return self._client.call(op, entry_point, **kw)

    def canary(self) -> Any:
        """The run's XXE canary (``ecekit.canary.Canary``), started on first use; None when fetches
        cannot be observed (a remote server and no ``--canary-url``)."""
        if not self._canary_started:
            from ecekit.canary import for_target

            self.started()
            self._canary_started = True
            self._canary = self._stack.enter_context(for_target(self.target.base_url, self.target.canary_url))
        return self._canary

    def survey_call(self, body: bytes, headers: Mapping[str, str], description: str) -> Exchange:
        """Send one survey; a DOCTYPE that names the canary placeholder names the canary instead,
        under a token of this survey's own (see ``ecekit.canary``)."""
        from ecekit.canary import PLACEHOLDER

        armed = None
        if PLACEHOLDER.encode() in body and self.canary() is not None:
            body, armed = self.canary().arm(body, description)
        ex = self.call(operations.SURVEY, body=body, headers=dict(headers))
        if armed is not None:
            armed.exchange = ex
        return ex

    def read(self, entry_point: str) -> consistency.Snapshot:
        """One fresh back-to-back read of every status operation for ``entry_point``."""
        exchanges = {op.name: self.call(op, entry_point) for op in operations.STATUS_OPERATIONS}
        snap = consistency.snapshot_from(entry_point, exchanges, self.started())
        self._reads.setdefault(entry_point, []).append(snap)
        return snap

    def reads(self, entry_point: str) -> list[consistency.Snapshot]:
        """Every consistency read made for ``entry_point``: a rule none of them could decide is not a pass."""
        self.contradictions(entry_point)
        return self._reads.get(entry_point, [])

    def contradictions(self, entry_point: str) -> dict[str, list[consistency.Snapshot]]:
        """Rules contradicted on every one of the repeated reads, per rule name (cached per entry point)."""
        if entry_point not in self._consistency:
            rules = consistency.rules_for(self.target)
            reader: Callable[[], consistency.Snapshot] = lambda: self.read(entry_point)  # noqa: E731
            self._consistency[entry_point] = consistency.judge(reader, rules,
                                                               self.options.consistency_reads)
        return self._consistency[entry_point]

    def widget_states(self) -> list[tuple[str, str, str]]:
        """(entry point, state, why) the chosen widget shows for each entry point, from this run's answers."""
        widget = self.target.chosen_widget()
        if widget is None or self._started is None:
            return []
        from ecekit.checks.base import Observation
        from ecekit.checks.widget import state_of

        out = []
        for role, ep in entry_points_by_role(self.target):
            obs = Observation(self.exchange(widget.operation, ep), widget.operation, self.context(role))
            state, why = state_of(obs, widget)
            out.append((ep, state.value, why))
        return out

    def report_properties(self) -> dict[str, str]:
        """Facts about the run every report carries (JUnit properties): TLS trust, the JSON option."""
        props = transport.properties(self.target)
        if self.target.json_parity:
            props["json"] = "compared with the XML"
        return props

    def json_parity(self, op: operations.Operation, entry_point: str) -> tuple[list[Violation], Exchange,
                                                                               Exchange]:
        """(violations, XML exchange, JSON exchange) of ``op`` for ``entry_point``, cached per run.

        The XML and the JSON answers are read back to back; a disagreement counts only if it holds on
        every one of ``consistency_reads`` repeated pairs (a live server's state moves between reads).
        """
        key = (op.name, entry_point)
        if key not in self._json:
            from ecekit.checks import json_parity

            found: list[Violation] = []
            for _ in range(self.options.consistency_reads):
                xml_ex = self.call(op, entry_point)
                json_ex = self.call(op, entry_point, headers=json_parity.ACCEPT_JSON)
                found = json_parity.compare(op, xml_ex, json_ex, self.target.max_body_bytes)
                if not found:
                    break
            self._json[key] = (found, xml_ex, json_ex)
        return self._json[key]

    def describe(self, *, cli: bool = False) -> list[str]:
        """The report header: what is being tested and how (flags named as the front door spells
        them: ``--allow-writes`` for `ecekit check`, ``--ece-allow-writes`` for pytest)."""
        t = self.target
        where = t.shown_base_url or "the embedded reference server (default scenario)"
        if self.options.faults:
            where += f" with faults {', '.join(self.options.faults)}"
        lines = [f"ecekit target: {where}" + (f" (from {t.source})" if t.source else "")]
        roles = [("entry points", t.entry_points), ("inactive", t.inactive_entry_points),
                 ("invalid", t.invalid_entry_points)]
        lines.append("ecekit entry points: " + "; ".join(f"{name}: {', '.join(eps) or '-'}"
                                                        for name, eps in roles))
        writes = (f"on, {self.options.fuzz_examples} fuzz examples, lenient acceptance "
                  + ("fails (strict surveys)" if self.lenient_acceptance_fails else "is a finding (--strict-surveys "
                     "to fail)") if self.options.allow_writes
                  else f"off (survey skipped; {'--allow-writes' if cli else '--ece-allow-writes'})")
        widget = t.chosen_widget()
        if widget is not None:
            lines.append(f"ecekit widget: {widget.name} ({widget.operation.name}, timeout {widget.timeout:g}s)")
        if t.origin:
            lines.append(f"ecekit origin: {t.origin} (sent on every call; answers must allow it)")
        lines.append(f"ecekit limits: max response time {t.max_response_time:g}s, timeout "
                     f"{t.read_timeout:g}s, agents required: {str(t.agents_required).lower()}, "
                     f"consistency reads: {self.options.consistency_reads}, writes: {writes}")
        from ecekit.seeds import describe

        lines.append("ecekit " + describe(self.options.seed, self.options.seed_how))
        if self.options.allow_writes:
            lines.append("ecekit xxe canary: " + self.canary_where())
        if t.json_parity:
            lines.append("ecekit json: each status answer is also asked for as JSON and compared with the XML")
        tls = [f"{k.removeprefix('tls_').replace('_', ' ')} {v}" for k, v in transport.properties(t).items()
               if k != "warning"]
        if tls:
            lines.append("ecekit tls: " + "; ".join(tls))
        if transport.warning(t):
            lines.append(f"ecekit {transport.warning(t)}")
        return lines


    def canary_where(self) -> str:
        """Where the XXE canary listens, for the report header (before it is started)."""
        from ecekit.canary import UNOBSERVED
        from ecekit.loopback import is_loopback

        t = self.target
        if t.canary_url:
            return f"{t.canary_url} (every fetch of a DTD or entity a survey names fails survey_xxe)"
        if t.is_embedded or is_loopback(urlsplit(t.base_url or "").hostname):
            return "a loopback port (every fetch of a DTD or entity a survey names fails survey_xxe)"
        return UNOBSERVED
