"""CHAT_ALLOWED: every per-response check on its answer for every configured entry point (guide §13).

One test per (operation, entry point, check); the checks are ecekit.checks' registry, the entry points
the target's, by role. See docs/contract-checks.md for what each check asserts and why.
"""

from ecekit.operations import CHAT_ALLOWED as OPERATION
from ecekit.suite.cases import StatusCase
from ecekit.suite.verdict import Verdict

__all__ = ["OPERATION"]


def test_contract(ece: Verdict, ece_status_case: StatusCase) -> None:
    ece.status(ece_status_case)
