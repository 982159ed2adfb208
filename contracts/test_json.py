"""JSON parity (only with --json / --ece-json / json = true): each status operation's answer asked for
with ``Accept: application/json`` is JSON carrying the same values as the XML (ecekit.checks.json_parity).

One test per run says whether the server answers JSON at all (json_served); then one per operation
and entry point compares the two representations read back to back (json_parity).
"""

import pytest

from ecekit.suite.cases import JsonCase, JsonServedCase
from ecekit.suite.verdict import Verdict

pytestmark = pytest.mark.ece_json


def test_json(ece: Verdict, ece_json_case: JsonCase | JsonServedCase) -> None:
    ece.json(ece_json_case)
