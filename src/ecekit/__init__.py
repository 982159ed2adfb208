"""ecekit: contract tests, survey fuzzing and load tests for ECE's Chat Web Service APIs.

The public face is small and listed in ``__all__``; everything else is internal and may change.
The names are imported on first use (PEP 562): the pytest plugin imports this package in every pytest
run of the environment, which must not pay for ``requests`` and ``lxml`` unless ecekit is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ecekit.__about__ import __version__

if TYPE_CHECKING:
    from ecekit.client import Client, Exchange
    from ecekit.errors import ConfigError, SchemaError, TargetError, ToolkitError, UsageError
    from ecekit.operations import OPERATIONS, STATUS_OPERATIONS, Operation
    from ecekit.target import Target

_LAZY = {
    "Client": "ecekit.client",
    "Exchange": "ecekit.client",
    "ConfigError": "ecekit.errors",
    "SchemaError": "ecekit.errors",
    "TargetError": "ecekit.errors",
    "ToolkitError": "ecekit.errors",
    "UsageError": "ecekit.errors",
    "OPERATIONS": "ecekit.operations",
    "STATUS_OPERATIONS": "ecekit.operations",
    "Operation": "ecekit.operations",
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
    "Client",
    "ConfigError",
    "Exchange",
    "Operation",
    "SchemaError",
    "Target",
    "TargetError",
    "ToolkitError",
    "UsageError",
    "__version__",
]
