"""The fuzzer's diet: valid surveys (:mod:`ecekit.fuzz.strategies`) and hostile ones
(:mod:`ecekit.fuzz.hostile`), about half each; what ``ecekit fuzz`` and the survey suite draw from."""

from __future__ import annotations

from hypothesis import strategies as st

from ecekit.fuzz.hostile import hostile_surveys
from ecekit.fuzz.strategies import SurveyCase, valid_surveys


def survey_cases(sid: str | None = None) -> st.SearchStrategy[SurveyCase]:
    """Valid and hostile surveys, about half each.

    A coin decides between the two, rather than ``one_of``, because ``one_of`` flattens the dozen
    hostile families into branches beside the one valid strategy, which would make valid cases rare.
    """
    valid, hostile = valid_surveys(sid), hostile_surveys(sid)
    return st.booleans().flatmap(lambda is_hostile: hostile if is_hostile else valid)
