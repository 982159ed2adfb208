"""Cross-operation consistency for each entry point, read back to back (ecekit.checks.consistency).

One test per (entry point, rule); a contradiction counts only if it holds on every repeated read.
"""

from ecekit.suite.cases import ConsistencyCase
from ecekit.suite.verdict import Verdict


def test_consistency(ece: Verdict, ece_consistency_case: ConsistencyCase) -> None:
    ece.consistency(ece_consistency_case)
