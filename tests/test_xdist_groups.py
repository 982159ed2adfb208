"""The suite's xdist groups take effect (tests/conftest.py): the timing tests run one at a time, and a
fixture shared by a group is built once.

xdist 3.8 names a grouped test's node id ``…@group`` by setting ``item._nodeid``, and schedules by that
suffix; pytest 9.2 no longer reads ``_nodeid`` (it keeps ``_id``). On a fresh venv with pytest 9.2 no
test had its group: the report tests' 55-s fixture was built on four workers at once and the timing tests
ran beside each other, seen only in the time (522 s where the checkout took 425 s). The test extra
keeps pytest below 9.2 until xdist follows."""

from __future__ import annotations

import pytest


@pytest.mark.timing
def test_a_timing_test_is_scheduled_in_its_group(request: pytest.FixtureRequest) -> None:
    if not request.config.getvalue("loadgroup") or not hasattr(request.config, "workerinput"):
        return  # not under `--dist loadgroup` (-n 0): nothing is scheduled
    assert request.node.nodeid.endswith("@timing"), (
        f"pytest-xdist did not group this test ({request.node.nodeid}) under pytest {pytest.__version__}: "
        "install the test extra's pins (python3 -m pip install -e '.[test]')")
