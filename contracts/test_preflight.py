"""CORS preflights (only with --origin / --ece-origin / origin = "..."): the OPTIONS a browser sends
before each kind of request of the site's pages that is not "simple" (the survey's XML body; a status
GET with a header of the page's), judged as the browser judges it (ecekit.checks.preflight).

One test per kind of request, sent once; an OPTIONS writes nothing, so the survey's preflight runs
without --allow-writes.
"""

import pytest

from ecekit.suite.cases import PreflightCase
from ecekit.suite.verdict import Verdict

pytestmark = pytest.mark.ece_origin


def test_preflight(ece: Verdict, ece_preflight_case: PreflightCase) -> None:
    ece.preflight(ece_preflight_case)
