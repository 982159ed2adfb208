"""A contract run's options: what each option value becomes, and every mistake refused before pytest starts."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecekit.checks.consistency import DEFAULT_READS
from ecekit.errors import ConfigError, ToolkitError, UsageError
from ecekit.suite.options import DEFAULT_FUZZ_EXAMPLES, Options, checked, from_options
from ecekit.suite.session import Suite
from ecekit.target import Target

REMOTE = "https://ece.example.com/system"


def test_no_values_are_the_defaults() -> None:
    target, options = from_options({})
    assert target.is_embedded and target.agents_required
    assert (options.allow_writes, options.fuzz_examples, options.consistency_reads) == (
        False, DEFAULT_FUZZ_EXAMPLES, DEFAULT_READS)
    assert options.faults == () and options.out is None and options.junit_xml is None


def test_each_value_lands_where_the_run_reads_it() -> None:
    target, options = from_options({
        "base_url": REMOTE, "entry_points": ["1001"], "allow_writes": True, "fuzz_examples": 0,
        "consistency_reads": 5, "faults": ["drop=0.5"], "out": "o", "junit_xml": "j.xml", "seed": 7,
        "agents_not_required": True, "strict_surveys": False, "json": True, "max_response_time": 4.0,
        "sid": "1000_abc", "canary_url": "http://10.0.0.5:8765"})
    assert options == Options(allow_writes=True, fuzz_examples=0, consistency_reads=5, faults=("drop=0.5",),
                              junit_xml="j.xml", out="o", seed=7, seed_how="given")
    assert target.base_url == REMOTE and target.entry_points == ("1001",)
    assert not target.agents_required and target.lenient_surveys_fail is False and target.json_parity
    assert target.max_response_time == 4.0 and target.sid == "1000_abc"
    assert target.canary_url == "http://10.0.0.5:8765"


def test_an_unset_strictness_leaves_the_targets_own() -> None:
    assert from_options({"strict_surveys": True})[0].lenient_surveys_fail is True
    assert from_options({})[0].lenient_surveys_fail is None


@pytest.mark.parametrize("options", [Options(fuzz_examples=-1), Options(consistency_reads=0)])
def test_counts_out_of_range_are_refused(options: Options) -> None:
    with pytest.raises(UsageError, match="--fuzz-examples must be 0 or more"):
        checked(Target(), options)


def test_the_smallest_counts_are_allowed() -> None:
    checked(Target(), Options(fuzz_examples=0, consistency_reads=1))


def test_a_remote_server_needs_entry_points() -> None:
    with pytest.raises(ConfigError, match="no entry points to test"):
        checked(Target(base_url=REMOTE), Options())
    assert checked(Target(base_url=REMOTE, entry_points=("1001",)), Options()).entry_points == ("1001",)


def test_the_embedded_server_gets_its_default_entry_points() -> None:
    target = checked(Target(), Options())
    assert target.entry_points and target.inactive_entry_points and target.invalid_entry_points
    assert Suite.build(Target()).target == target


def test_a_mistake_is_a_toolkit_error_before_the_run(tmp_path: Path) -> None:
    with pytest.raises(ToolkitError, match="no-such-fault"):
        checked(Target(), Options(faults=("no-such-fault",)))
    with pytest.raises(ToolkitError, match="--junit-xml"):
        checked(Target(), Options(junit_xml=str(tmp_path)))  # a directory, not a file
    (tmp_path / "taken").write_text("a file where the directory would go")
    with pytest.raises(ToolkitError, match="--out"):
        checked(Target(), Options(out=str(tmp_path / "taken")))


def test_faults_go_only_with_the_embedded_server(tmp_path: Path) -> None:
    with pytest.raises(ToolkitError):
        checked(Target(base_url=REMOTE, entry_points=("1001",)), Options(faults=("drop=0.5",)))
    checked(Target(), Options(faults=("drop=0.5",), out=str(tmp_path / "out")))
