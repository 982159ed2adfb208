"""ecekit: contract tests, survey fuzzing and load tests for ECE's Chat Web Service APIs.

The public API (docs/api.md) is what ``__all__`` lists; everything else is internal and may change::

    import ecekit

    with ecekit.serve(faults=["capacity-500"]) as server:
        result = ecekit.run_checks(ecekit.Target(base_url=server.url, entry_points=["1001"]))
    result.passed, result.exit_code

``target=None`` everywhere means the embedded reference server. The names are imported on first use
(PEP 562): the pytest plugin imports this package in every pytest run of the environment, which must
not pay for ``requests`` and ``lxml`` unless ecekit is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ecekit.__about__ import __version__

if TYPE_CHECKING:
    from ecekit.capacity.run import CapacityResult, find_capacity
    from ecekit.checks.base import Observation, Violation
    from ecekit.checks.user import register_check
    from ecekit.client import Client, Exchange
    from ecekit.compare.run import CompareResult, compare_runs
    from ecekit.diff.compare import Diff, diff_snapshots
    from ecekit.diff.snapshot import Snapshot, take_snapshot
    from ecekit.errors import ConfigError, SchemaError, TargetError, ToolkitError, UsageError
    from ecekit.load.repeat import RepeatedResult, run_repeated
    from ecekit.load.run import LoadResult, run_load
    from ecekit.operations import OPERATIONS, STATUS_OPERATIONS, Operation
    from ecekit.server.embedded import ServerHandle, serve
    from ecekit.suite.run import CheckResult, run_checks
    from ecekit.target import Target

_LAZY = {
    "CapacityResult": "ecekit.capacity.run",
    "find_capacity": "ecekit.capacity.run",
    "Observation": "ecekit.checks.base",
    "Violation": "ecekit.checks.base",
    "register_check": "ecekit.checks.user",
    "Client": "ecekit.client",
    "Exchange": "ecekit.client",
    "CompareResult": "ecekit.compare.run",
    "compare_runs": "ecekit.compare.run",
    "Diff": "ecekit.diff.compare",
    "diff_snapshots": "ecekit.diff.compare",
    "Snapshot": "ecekit.diff.snapshot",
    "take_snapshot": "ecekit.diff.snapshot",
    "ConfigError": "ecekit.errors",
    "SchemaError": "ecekit.errors",
    "TargetError": "ecekit.errors",
    "ToolkitError": "ecekit.errors",
    "UsageError": "ecekit.errors",
    "LoadResult": "ecekit.load.run",
    "run_load": "ecekit.load.run",
    "RepeatedResult": "ecekit.load.repeat",
    "run_repeated": "ecekit.load.repeat",
    "OPERATIONS": "ecekit.operations",
    "STATUS_OPERATIONS": "ecekit.operations",
    "Operation": "ecekit.operations",
    "ServerHandle": "ecekit.server.embedded",
    "serve": "ecekit.server.embedded",
    "CheckResult": "ecekit.suite.run",
    "run_checks": "ecekit.suite.run",
    "Target": "ecekit.target",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ecekit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "OPERATIONS",
    "STATUS_OPERATIONS",
    "CapacityResult",
    "CheckResult",
    "Client",
    "CompareResult",
    "ConfigError",
    "Diff",
    "Exchange",
    "LoadResult",
    "Observation",
    "Operation",
    "RepeatedResult",
    "SchemaError",
    "ServerHandle",
    "Snapshot",
    "Target",
    "TargetError",
    "ToolkitError",
    "UsageError",
    "Violation",
    "__version__",
    "compare_runs",
    "diff_snapshots",
    "find_capacity",
    "register_check",
    "run_checks",
    "run_load",
    "run_repeated",
    "serve",
    "take_snapshot",
]
