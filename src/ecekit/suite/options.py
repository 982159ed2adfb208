"""The suite's own settings beyond the Target, and the checks they must pass before pytest starts.

Everything the user must fix is found here, up front, as one ToolkitError (exit 2): a mistake in the
options must never show up as hundreds of failing contract tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ecekit.checks import consistency
from ecekit.errors import UsageError
from ecekit.target import Target

DEFAULT_FUZZ_EXAMPLES = 100


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


def from_options(values: Mapping[str, Any]) -> tuple[Target, Options]:
    """The target (file, then flags) and the suite's options, from option values keyed by ``dest``
    (the pytest plugin's and ``ecekit check``'s alike), unchecked (:func:`checked`)."""
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
    return target, options


def checked(target: Target, options: Options) -> Target:
    """``target`` as the run uses it (no base URL: the embedded server's default entry points), once
    everything that can be checked before the run has been.

    Raises a ToolkitError (ConfigError, UsageError, SchemaError) for anything the user must fix.
    """
    from ecekit.checks.user import load_for
    from ecekit.live import with_roles
    from ecekit.writable import writable_dir, writable_file
    from ecekit.xmlsafe import schemas

    if options.fuzz_examples < 0 or options.consistency_reads < 1:
        raise UsageError("--fuzz-examples must be 0 or more and --consistency-reads 1 or more")
    target = with_roles(target, options.faults, doing="test")  # a fault with --base-url: exit 2
    schemas(target.xsd_dir)  # SchemaError now, not one per test
    writable_file(options.junit_xml, "--junit-xml")  # a report that cannot be written: exit 2 now
    writable_dir(options.out, "--out")
    load_for(target)  # the user's checks, before the cases are collected
    return target
