"""ecekit: contract tests, survey fuzzing and load tests for ECE's Chat Web Service APIs.

The public face is small and listed in ``__all__``; everything else is internal and may change.
"""

from ecekit.__about__ import __version__
from ecekit.client import Client, Exchange
from ecekit.errors import ConfigError, SchemaError, TargetError, ToolkitError, UsageError
from ecekit.operations import OPERATIONS, STATUS_OPERATIONS, Operation
from ecekit.target import Target

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
