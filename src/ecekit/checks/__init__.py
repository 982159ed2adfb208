"""Contract checks: small registered functions over one exchange, plus cross-operation consistency.

Import :func:`evaluate` to judge one exchange; :data:`REGISTRY` lists every per-response check by name.
"""

from ecekit.checks import response as _response  # noqa: F401  (registers the checks)
from ecekit.checks import widget as _widget  # noqa: F401  (registers widget_state and cors)
from ecekit.checks.base import REGISTRY, Context, Observation, Role, Violation, register, run_checks
from ecekit.client import Exchange
from ecekit.operations import Operation


def evaluate(exchange: Exchange, operation: Operation, context: Context,
             select: list[str] | None = None) -> list[Violation]:
    """Every violation of the selected checks (default: all) for one exchange."""
    return run_checks(Observation(exchange, operation, context), select)


__all__ = ["REGISTRY", "Context", "Observation", "Role", "Violation", "evaluate", "register", "run_checks"]
