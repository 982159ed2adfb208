"""Survey fuzzing: hypothesis strategies for survey bodies and a runner that judges a server with them.

``ecekit.fuzz.strategies`` is cheap to import (hypothesis and lxml only) and is what the contract
suites use; ``ecekit.fuzz.runner`` adds the HTTP side and is imported only by ``ecekit fuzz``.
"""

from ecekit.fuzz.diet import survey_cases
from ecekit.fuzz.hostile import hostile_surveys
from ecekit.fuzz.strategies import SID_PREFIX, SurveyCase, documented_sid, is_valid_survey, valid_surveys

__all__ = [
    "SID_PREFIX",
    "SurveyCase",
    "documented_sid",
    "hostile_surveys",
    "is_valid_survey",
    "survey_cases",
    "valid_surveys",
]
