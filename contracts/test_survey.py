"""The survey operation (guide §14): it writes, so it runs only with --allow-writes.

Fixed probes (a valid survey gets 204; malformed or invalid bodies a 4xx, never a 5xx or a 2xx), then
a bounded hypothesis phase over ``ecekit.fuzz.diet.survey_cases()``. Every sid starts with
``ecekit.fuzz.strategies.SID_PREFIX`` so the test data can be found and removed.
"""

import pytest

from ecekit.suite.surveys import SurveyProbe
from ecekit.suite.verdict import Verdict

pytestmark = pytest.mark.ece_writes


def test_survey(ece: Verdict, ece_survey_case: SurveyProbe) -> None:
    ece.survey(ece_survey_case)


def test_survey_fuzz(ece: Verdict) -> None:
    ece.survey_fuzz()


def test_survey_xxe(ece: Verdict) -> None:
    ece.survey_xxe()
