"""What a contract run says about itself: the report header, the facts every report carries, and what
the chosen chat widget shows.

The header names flags as the front door spells them (``--allow-writes`` for ``ecekit check``,
``--ece-allow-writes`` for pytest), so a person can act on it from where they started the run.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from ecekit import transport
from ecekit.checks.base import entry_points_by_role
from ecekit.suite.contexts import Contexts
from ecekit.suite.exchanges import Exchanges
from ecekit.suite.options import Options
from ecekit.target import Target


def describe(target: Target, options: Options, *, cli: bool = False) -> list[str]:
    """The report header: what is being tested and how."""
    from ecekit.seeds import describe as seed_line

    t = target
    where = t.shown_base_url or "the embedded reference server (default scenario)"
    if options.faults:
        where += f" with faults {', '.join(options.faults)}"
    lines = [f"ecekit target: {where}" + (f" (from {t.source})" if t.source else "")]
    roles = [("entry points", t.entry_points), ("inactive", t.inactive_entry_points),
             ("invalid", t.invalid_entry_points)]
    lines.append("ecekit entry points: " + "; ".join(f"{name}: {', '.join(eps) or '-'}" for name, eps in roles))
    writes = (f"on, {options.fuzz_examples} fuzz examples, lenient acceptance "
              + ("fails (strict surveys)" if t.lenient_acceptance_fails else "is a finding (--strict-surveys "
                 "to fail)") if options.allow_writes
              else f"off (survey skipped; {'--allow-writes' if cli else '--ece-allow-writes'})")
    widget = t.chosen_widget()
    if widget is not None:
        lines.append(f"ecekit widget: {widget.name} ({widget.operation.name}, timeout {widget.timeout:g}s)")
    if t.origin:
        lines.append(f"ecekit origin: {t.origin} (sent on every call; answers, and the preflights a browser "
                     "sends first, must allow it)")
    lines.append(f"ecekit limits: max response time {t.max_response_time:g}s, timeout "
                 f"{t.read_timeout:g}s, agents required: {str(t.agents_required).lower()}, "
                 f"consistency reads: {options.consistency_reads}, writes: {writes}")
    lines.append("ecekit " + seed_line(options.seed, options.seed_how))
    if options.allow_writes:
        lines.append("ecekit xxe canary: " + canary_where(t))
    if t.json_parity:
        lines.append("ecekit json: each status answer is also asked for as JSON and compared with the XML")
    tls = [f"{k.removeprefix('tls_').replace('_', ' ')} {v}" for k, v in transport.properties(t).items()
           if k != "warning"]
    if tls:
        lines.append("ecekit tls: " + "; ".join(tls))
    if transport.warning(t):
        lines.append(f"ecekit {transport.warning(t)}")
    return lines


def canary_where(target: Target) -> str:
    """Where the XXE canary listens, for the report header (before it is started)."""
    from ecekit.canary import UNOBSERVED
    from ecekit.loopback import is_loopback

    if target.canary_url:
        return f"{target.canary_url} (every fetch of a DTD or entity a survey names fails survey_xxe)"
    if target.is_embedded or is_loopback(urlsplit(target.base_url or "").hostname):
        return "a loopback port (every fetch of a DTD or entity a survey names fails survey_xxe)"
    return UNOBSERVED


def report_properties(target: Target) -> dict[str, str]:
    """Facts about the run every report carries (JUnit properties): TLS trust, the JSON option."""
    props = transport.properties(target)
    if target.json_parity:
        props["json"] = "compared with the XML"
    return props


def widget_states(target: Target, exchanges: Exchanges, contexts: Contexts) -> list[tuple[str, str, str]]:
    """(entry point, state, why) the chosen widget shows for each entry point, from this run's answers;
    none when the run asked the server nothing (it is not started for this)."""
    widget = target.chosen_widget()
    if widget is None or not exchanges.connection.is_open:
        return []
    from ecekit.checks.base import Observation
    from ecekit.checks.widget import state_of

    out = []
    for role, ep in entry_points_by_role(target):
        obs = Observation(exchanges.exchange(widget.operation, ep), widget.operation, contexts.context(role))
        state, why = state_of(obs, widget)
        out.append((ep, state.value, why))
    return out
