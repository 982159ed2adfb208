"""Checks of the user's own: company rules judged beside the built-in checks, wherever they run.

::

    # mycompany/ece_checks.py
    import ecekit

    @ecekit.register_check(operations=["liveSessionStatus"])
    def wait_time_within_10_minutes(obs):
        \"\"\"The queue's wait time never passes 600 s.\"\"\"
        wait = obs.values.get("waitTime")
        if wait is not None and float(wait) > 600:
            yield obs.violation("wait_time_within_10_minutes", f"waitTime {wait} s is over 600 s")

A check takes one :class:`~ecekit.checks.base.Observation` and returns or yields Violations (or
nothing). It sees only answers that arrived whole as a 2xx with a well-formed body: a timeout, an
error status or a malformed body is already a failure of a built-in check, and a user check would
only repeat it. The modules are named by ``checks = ["mycompany.ece_checks"]`` in ``ecekit.toml``
(or a ``.py`` path, relative to that file), ``--checks`` on the CLI or ``--ece-checks`` in pytest,
and imported in every process that judges answers (the contract suites, snapshots, each locust
process), so a user check runs wherever the built-in ones do.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ecekit import operations as ops_mod
from ecekit.checks import guards
from ecekit.checks.base import REGISTRY, CheckSpec, Observation, Violation
from ecekit.errors import ConfigError, did_you_mean

UserCheck = Callable[[Observation], Iterable[Violation] | None]

_LOADED: dict[str, str] = {}  # module name or path -> the module's name, once imported


def register_check(name: str | None = None, operations: Sequence[str] | None = None
                   ) -> Callable[[UserCheck], UserCheck]:
    """Register ``func`` as a check (named ``name``, default the function's name) on every status
    operation, or only on ``operations`` (their names in :mod:`ecekit.operations`)."""
    wanted_ops = _operation_names(operations)

    def decorate(func: UserCheck) -> UserCheck:
        check = name or func.__name__
        existing = REGISTRY.get(check)
        if existing is not None and existing.origin == "built-in":
            raise ConfigError(f"check {check!r} of {func.__module__} has the name of a built-in check",
                              remedy="give it another name: @ecekit.register_check(name=...)")

        def run(obs: Observation) -> list[Violation]:
            try:
                found = func(obs)
                return [] if found is None else list(found)
            except Exception as exc:  # the user's code failed, not the server: a setup error (exit 2)
                judged = obs.exchange.describe(timed=False)
                raise ConfigError(f"check {check!r} of {func.__module__} raised {type(exc).__name__}: {exc}",
                                  remedy=f"fix the check; it was judging {judged}") from None

        def wanted(target: Any, op: ops_mod.Operation) -> bool:
            return op.is_status and (wanted_ops is None or op.name in wanted_ops)

        doc = (func.__doc__ or "").strip().splitlines()
        REGISTRY[check] = CheckSpec(check, run, doc[0] if doc else "", (guards.well_formed,), wanted,
                                    origin=func.__module__, only_operations=wanted_ops)
        return func

    return decorate


def _operation_names(names: Sequence[str] | None) -> frozenset[str] | None:
    if names is None:
        return None
    if isinstance(names, str):
        names = [names]
    status = [op.name for op in ops_mod.STATUS_OPERATIONS]
    for op_name in names:
        if op_name not in status:
            raise ConfigError(f"register_check: no status operation {op_name!r}",
                              remedy=f"{did_you_mean(op_name, status)}status operations: {', '.join(status)}")
    return frozenset(names)


def load(modules: Iterable[str], base: str | Path | None = None) -> list[str]:
    """Import each module (a dotted name, or a ``.py`` path relative to ``base``) once; the names of the
    checks they register. An import that fails is a ConfigError naming the module and the error."""
    before = set(REGISTRY)
    for spec in modules:
        if spec in _LOADED:
            continue
        _LOADED[spec] = _import(spec, Path(base) if base else None)
    return sorted(set(REGISTRY) - before)


def _import(spec: str, base: Path | None) -> str:
    try:
        if spec.endswith(".py"):
            path = Path(spec) if Path(spec).is_absolute() or base is None else base / spec
            name = f"ecekit_user_checks_{path.stem}"
            loader = importlib.util.spec_from_file_location(name, path)
            if loader is None or loader.loader is None or not path.is_file():
                raise FileNotFoundError(f"no such file: {path}")
            module = importlib.util.module_from_spec(loader)
            sys.modules[name] = module
            loader.loader.exec_module(module)
            return name
        where = [str(base)] if base is not None else []
        sys.path[:0] = [p for p in [*where, "."] if p not in sys.path]
        return importlib.import_module(spec).__name__
    except ConfigError as exc:
        raise ConfigError(f"checks module {spec}: {exc.message}", remedy=exc.remedy) from None
    except Exception as exc:  # the user's module: any error it raises is theirs to fix
        raise ConfigError(f"checks module {spec!r} could not be imported: {type(exc).__name__}: {exc}",
                          remedy="fix the module, or check its name: a dotted module name importable "
                          "from this directory, or a .py path (relative to the target file)") from None


def load_for(target: Any) -> list[str]:
    """The user checks a target names (``target.checks``), imported; relative to its target file."""
    checks = getattr(target, "checks", ())
    if not checks:
        return []
    base = Path(target.source).parent if getattr(target, "source", None) else None
    load(checks, base)
    return user_check_names()


def user_check_names() -> list[str]:
    return [name for name, spec in REGISTRY.items() if spec.origin != "built-in"]


def listing() -> list[tuple[str, str, str, str]]:
    """(name, origin, where it runs, description) of every per-response check, built-in first."""
    rows = []
    for name, spec in REGISTRY.items():
        if spec.only_operations is not None:
            where = ", ".join(sorted(spec.only_operations))
        elif spec.wanted is not None and spec.origin == "built-in":
            where = "opt-in (an option turns it on)"
        else:
            where = "every status operation"
        rows.append((name, spec.origin, where, spec.description))
    return sorted(rows, key=lambda r: (r[1] != "built-in", r[0]))


def listing_lines() -> list[str]:
    """``ecekit check --list-checks``: one aligned line per check."""
    rows = listing()
    width, origins = max(len(r[0]) for r in rows), max(len(r[1]) for r in rows)
    return [f"{name:<{width}}  {origin:<{origins}}  {where}: {text}" for name, origin, where, text in rows]
