"""Settings shared by ecekit's own tests: hypothesis profiles (``dev`` small, ``ci`` larger), which tests
run together on one pytest-xdist worker, and the fixtures more than one test directory uses."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.survey_recorder import Recorder, recording

settings.register_profile("dev", max_examples=50, deadline=None)
# ci: no example database (a fresh checkout has none to replay, and parallel workers would share it);
# a failure prints its blob to reproduce it with @reproduce_failure.
settings.register_profile(
    "ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True,
    database=None,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


# -- running in parallel (pytest-xdist: `-n auto --dist loadgroup --no-loadscope-reorder`, pyproject; two
# workers per core, pytest_xdist_auto_num_workers below) ---
# A test goes to whichever worker is free, unless it is in a group, whose tests run on one worker, in
# order:
# * ``timing``: tests marked ``timing`` (real runs whose verdicts rest on timing: load claims, capacity
#   searches, the report tests' runs), so no two of them ever share the machine;
# * tests sharing a fixture too expensive to build once per worker (the fixture's name -> its group);
# * tests/test_docs_commands.py puts each fenced block of the docs in a group of its own.
# The order handed out is: the timing group first (it starts at once on one worker, while the others
# take the light tests, one process each), then the tests not marked slow, then the slow ones. Each
# timing test must still pass with two busy processes beside it.
SHARED_FIXTURES = {"runs": "timing", "hung": "timing", "real_run": "real_run"}


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    """A survey server of the test's own that records what arrived (tests/survey_recorder.py)."""
    with recording() as server:
        yield server


def _group(item: pytest.Item) -> str | None:
    """The item's group, marked on it here if it has none marked yet."""
    mark = item.get_closest_marker("xdist_group")
    if mark:
        return str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
    shared = [SHARED_FIXTURES[f] for f in getattr(item, "fixturenames", ()) if f in SHARED_FIXTURES]
    group = "timing" if item.get_closest_marker("timing") else shared[0] if shared else None
    if group:
        item.add_marker(pytest.mark.xdist_group(group))
    return group


def pytest_configure(config: pytest.Config) -> None:
    """Byte-compile ecekit's own code once, before any test: the suite starts some 300 Python processes
    (commands, servers, locust workers), and where writing bytecode is off (PYTHONDONTWRITEBYTECODE, as
    in many containers) each of them compiled ecekit's modules anew, 0.1-0.3 CPU-s apiece. compileall
    writes the same ``__pycache__`` files Python itself would; they are ignored by git."""
    if hasattr(config, "workerinput"):  # an xdist worker: the controller has done it
        return
    import compileall

    root = Path(__file__).resolve().parents[1]
    for name in ("src", "contracts", "loadtests", "tests"):
        compileall.compile_dir(root / name, quiet=1)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: two workers per core. Most of the suite's time is spent waiting on child processes
    (a server coming up, a load run's fixed duration, a fuzz run's answers): with one worker per core a
    quarter to a third of the CPU sat idle on two cores. The timing tests still run one at a time."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return 2 * cores


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    groups = {item: _group(item) for item in items}

    def order(item: pytest.Item) -> int:
        if groups[item] == "timing":
            return 0
        return 2 if item.get_closest_marker("slow") or groups[item] else 1

    items.sort(key=order)


@pytest.fixture(autouse=True)
def _own_working_directory(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test runs in an empty directory of its own: what a command writes where it runs (reports/,
    .ecekit/) never lands in the checkout, where parallel workers would share it."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
