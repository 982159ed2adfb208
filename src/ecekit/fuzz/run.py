"""A fuzz run as a library call, which ``ecekit fuzz`` calls: the checked settings, the live server, the
search (:mod:`ecekit.fuzz.runner`) and the files it leaves (fuzz.json, exchanges.har, report.html,
summary.md, the JUnit file).

Against a server other than the embedded one, writes must be allowed: every valid survey ecekit sends
is stored by the server.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ecekit import redaction, seeds
from ecekit.caches import hypothesis_in_cache
from ecekit.errors import UsageError
from ecekit.fuzz.runner import DEFAULT_DATABASE, FuzzConfig, FuzzResult, Progress, fuzz
from ecekit.fuzz.strategies import SID_PREFIX
from ecekit.report.har import ExchangeLog
from ecekit.target import Target
from ecekit.writable import writable_dir, writable_file


@dataclass
class FuzzOutcome:
    """What a run found and where it is: the result, the files written, the line that reruns it."""

    result: FuzzResult
    payloads: Path | None
    rerun: str
    written: dict[str, str]
    base_url: str  # the server fuzzed (the embedded one's port, for the line that starts it again)


@dataclass
class FuzzRun:
    """A fuzz run's settings, checked before anything is sent."""

    target: Target
    config: FuzzConfig
    out: Path
    faults: tuple[str, ...] = ()
    junit_xml: Path | None = None
    seed_how: str = "given"
    probed: bool = False  # the given server was probed up front (ecekit.live.ensure_reachable)
    log: ExchangeLog = field(default_factory=ExchangeLog)

    @classmethod
    def checked(cls, target: Target, *, out: Path, faults: tuple[str, ...] = (), allow_writes: bool = False,
                max_examples: int = 500, max_time: float | None = None, rate_limit: float | None = None,
                seed: int | None = None, replay: bool = False, database: Path | None = DEFAULT_DATABASE,
                junit_xml: Path | None = None) -> FuzzRun:
        if not target.is_embedded:
            if faults:
                raise UsageError("--fault sets up the embedded reference server; it cannot go with --base-url",
                                 remedy="leave out --base-url to fuzz the reference server with that fault")
            if not allow_writes:
                raise UsageError(
                    f"refusing to fuzz {target.shown_base_url} without --allow-writes: every valid survey "
                    "ecekit sends is stored by the server",
                    remedy=f"add --allow-writes if its survey table may take test data (every sid starts "
                    f"{SID_PREFIX!r}; add --rate-limit for a shared server), or leave out --base-url to "
                    "fuzz the embedded reference server")
        if replay and database is None:
            raise UsageError("--replay re-sends the remembered failures, but --no-database remembers none",
                             remedy="leave out --no-database (or point --database at the folder used before)")
        writable_dir(database, "--database")
        writable_dir(out, "--out")
        writable_file(junit_xml, "--junit-xml")
        chosen, how = seeds.choose(seed)
        key = target.base_url or ("embedded" + "".join(f"+{f}" for f in sorted(faults)))
        config = FuzzConfig(max_examples=max_examples, max_time=max_time, rate_limit=rate_limit, seed=chosen,
                            replay=replay, database=database, database_key=key)
        return cls(target, config, out, faults, junit_xml, how)

    @property
    def where(self) -> str:
        faults = f" (faults: {', '.join(self.faults)})" if self.faults else ""
        return self.target.shown_base_url or "the embedded reference server" + faults

    def run(self, on_progress: Callable[[Progress], None] | None = None) -> FuzzOutcome:
        """Fuzz, then write every file of the run into ``out`` (and the JUnit file)."""
        from ecekit.fuzz import report
        from ecekit.live import live_target
        from ecekit.report import publish, run_info
        from ecekit.transport import properties

        with hypothesis_in_cache(), live_target(self.target, faults=self.faults, probe=not self.probed) as live:
            result = fuzz(live, self.config, valid_needs_204=self.target.valid_needs_204,
                          lenient_acceptance_fails=self.target.lenient_acceptance_fails,
                          on_progress=on_progress, on_exchange=self.log.keep)
        database = self.config.database
        payloads = database.parent / "fuzz-payloads" if database is not None else None
        rerun = rerun_command(self.target, self.faults, database)
        if self.junit_xml:
            report.junit_xml(result, self.junit_xml, payloads, rerun, properties=properties(self.target))
        data = {**run_info.header(self.target, faults=self.faults, seed=result.seed),
                **report.to_data(result, payloads)}
        written = {"json": str(publish.write_json(data, self.out / "fuzz.json")),
                   "har": str(self.log.write(self.out, "ecekit fuzz"))}
        written.update({k: str(v) for k, v in publish.write_reports("fuzz", data, self.out).items()})
        return FuzzOutcome(result, payloads, rerun, written, live.base_url or "")


def rerun_command(target: Target, faults: tuple[str, ...], database: Path | None) -> str:
    """`ecekit fuzz` with the flags that pick the same server and the same remembered failures."""
    line = "ecekit fuzz"
    if target.base_url:  # a password in the URL becomes $ECE_PASSWORD (ecekit.redaction)
        line += f" --base-url {redaction.shell_url(target.base_url)} --allow-writes"
    args: list[str] = []
    for fault in faults:
        args += ["--fault", fault]
    if database is not None and database != DEFAULT_DATABASE:
        args += ["--database", str(database)]
    return " ".join([line, *map(shlex.quote, args)])


def explained(outcome: FuzzOutcome, faults: tuple[str, ...], embedded: bool) -> list[str]:
    """Every failure and finding explained (the curl line, the payload, the seed), then how to start
    the embedded server again to send those curl lines."""
    from urllib.parse import urlsplit

    from ecekit.fuzz import report

    result = outcome.result
    blocks = [report.explain(f, result.seed, outcome.payloads, outcome.rerun) for f in result.failures]
    blocks += [report.explain_finding(f, outcome.payloads) for f in result.findings]
    lines = [line for block in blocks for line in (block, "")]
    if result.failures and embedded:
        serve = shlex.join(["ecekit", "serve", "--port", str(urlsplit(outcome.base_url).port),
                            *[arg for f in faults for arg in ("--fault", f)]])
        lines.append(f"The embedded server has stopped; to send the curl lines above, start the same "
                     f"server again with:\n  {serve}\n")
    return lines
