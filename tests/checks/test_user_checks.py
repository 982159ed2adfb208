"""Checks of the user's own (ecekit.register_check): registered from a module outside the project,
judged wherever the built-in checks are: `ecekit check` (its output and JUnit file), under load, in a
snapshot; and every mistake in naming one is a ConfigError."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecekit import operations as ops
from ecekit.checks import base, user
from ecekit.errors import ConfigError
from ecekit.target import Target

RULE = '''
import ecekit


@ecekit.register_check(operations=["capacity"])
def at_most_three_slots(obs):
    """No entry point offers more than three chat slots."""
    count = obs.values.get("count")
    if count is not None and int(count) > 3:
        yield obs.violation("at_most_three_slots", f"count {count} is over 3")
'''


@pytest.fixture
def registry() -> Iterator[None]:
    """User checks registered by a test are gone after it (the registry is the process's)."""
    saved, loaded = dict(base.REGISTRY), dict(user._LOADED)
    yield
    base.REGISTRY.clear()
    base.REGISTRY.update(saved)
    user._LOADED.clear()
    user._LOADED.update(loaded)


@pytest.fixture
def rule_module(tmp_path: Path) -> Path:
    package = tmp_path / "outside" / "companyrules"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "ece_rules.py").write_text(RULE)
    return tmp_path / "outside"


def _capacity(count: int) -> base.Observation:
    from ecekit.client import Exchange
    from ecekit.server.render import XML_TYPE, xml

    ex = Exchange("capacity", "GET", "http://h/c/1001", "1001", status=200,
                  response_headers={"content-type": XML_TYPE.decode()}, body=xml(ops.CAPACITY, {"count": count}))
    return base.Observation(ex, ops.CAPACITY, base.Context(Target(base_url="http://h")))


def test_a_registered_check_joins_the_registry_for_its_operations(registry: None) -> None:
    @user.register_check(operations=["capacity"])
    def slots(obs: base.Observation) -> Iterator[base.Violation]:
        """At most three."""
        if int(obs.values["count"] or 0) > 3:
            yield obs.violation("slots", "too many")

    spec = base.REGISTRY["slots"]
    assert (spec.origin, spec.description, spec.only_operations) == (__name__, "At most three.",
                                                                       frozenset({"capacity"}))
    target = Target(base_url="http://h")
    assert spec.wanted_for(target, ops.CAPACITY) and not spec.wanted_for(target, ops.CHAT_ALLOWED)
    assert not spec.wanted_for(target, ops.SURVEY)
    assert [v.message for v in base.run_checks(_capacity(4), ["slots"])] == ["too many"]
    assert base.run_checks(_capacity(2), ["slots"]) == []
    assert user.user_check_names() == ["slots"]


def test_a_check_sees_only_answers_that_came_whole(registry: None) -> None:
    seen: list[int | None] = []

    @user.register_check()
    def everything(obs: base.Observation) -> None:
        seen.append(obs.exchange.status)

    refused = _capacity(4)
    refused.exchange.status = 500
    assert base.run_checks(refused, ["everything"]) == [] and seen == []
    assert base.run_checks(_capacity(4), ["everything"]) == [] and seen == [200]


def test_naming_mistakes_are_config_errors(registry: None, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no status operation 'capacty'") as info:
        user.register_check(operations=["capacty"])
    assert "did you mean 'capacity'" in (info.value.remedy or "")
    with pytest.raises(ConfigError, match="name of a built-in check"):
        user.register_check(name="xsd")(lambda obs: None)
    with pytest.raises(ConfigError, match=r"'no\.such\.module' could not be imported: ModuleNotFoundError"):
        user.load(["no.such.module"])
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('half written')\n")
    with pytest.raises(ConfigError, match="RuntimeError: half written"):
        user.load([str(broken)])
    with pytest.raises(ConfigError, match="no such file"):
        user.load(["missing.py"], tmp_path)


def test_a_module_is_found_by_name_or_by_path_beside_the_target_file(registry: None, rule_module: Path) -> None:
    toml = rule_module / "ecekit.toml"
    toml.write_text('checks = ["companyrules/ece_rules.py"]\n')
    from ecekit.target import resolve

    target = resolve(toml)
    assert target.checks == (str(rule_module / "companyrules/ece_rules.py"),)
    assert user.load_for(target) == ["at_most_three_slots"]
    assert user.load_for(target) == ["at_most_three_slots"]  # imported once


def test_ecekit_check_fails_by_the_user_s_check_and_names_it(rule_module: Path, tmp_path: Path) -> None:
    (rule_module / "ecekit.toml").write_text('checks = ["companyrules.ece_rules"]\n')

    def check(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "ecekit", "check", "-q", "-k", "capacity", *args],
                              cwd=rule_module, capture_output=True, text=True, timeout=120)

    run = check("--out", str(tmp_path / "run"), "--junit-xml", str(tmp_path / "j.xml"))
    # the reference server's 1001 and 1002 offer 4 and 2 slots
    assert run.returncode == 1, run.stdout + run.stderr
    assert "at_most_three_slots · capacity [1001]: count 4 is over 3" in run.stdout
    junit = (tmp_path / "j.xml").read_text()
    assert 'name="ecekit.at_most_three_slots"' in junit and "count 4 is over 3" in junit
    listed = subprocess.run([sys.executable, "-m", "ecekit", "check", "--list-checks"], cwd=rule_module,
                            capture_output=True, text=True, timeout=60)
    assert "at_most_three_slots" in listed.stdout and "companyrules.ece_rules" in listed.stdout
    (rule_module / "companyrules" / "ece_rules.py").write_text(RULE.replace("> 3", "> 4"))
    held = check("--out", str(tmp_path / "held"))
    assert held.returncode == 0, held.stdout + held.stderr


def test_under_load_a_user_check_counts_by_its_name(registry: None, rule_module: Path) -> None:
    from ecekit.load.checking import FastChecker
    from ecekit.server.render import XML_TYPE, xml

    checker = FastChecker(Target(base_url="http://h", checks=(str(rule_module / "companyrules/ece_rules.py"),)))
    assert "at_most_three_slots" in checker.checks
    verdict = checker.judge(ops.CAPACITY, "http://h/c/1001", "1001", status=200, content_type=XML_TYPE.decode(),
                            body=xml(ops.CAPACITY, {"count": 4}), elapsed=0.01)
    assert verdict.checks == ("at_most_three_slots",)


def test_a_snapshot_records_the_user_s_verdicts(registry: None, rule_module: Path) -> None:
    from ecekit.diff.snapshot import take_snapshot

    taken = take_snapshot(Target(checks=(str(rule_module / "companyrules/ece_rules.py"),)), reads=1)
    answers = taken.answers["capacity"]
    assert "at_most_three_slots" in answers["1001"]["checks"]["fail"]
    assert "at_most_three_slots" not in answers["1002"]["checks"]["fail"]


def test_a_check_that_raises_is_the_user_s_mistake_not_the_server_s(registry: None, rule_module: Path,
                                                                    tmp_path: Path) -> None:
    @user.register_check(operations=["capacity"])
    def broken(obs: base.Observation) -> None:
        raise KeyError("count")

    with pytest.raises(ConfigError, match=r"check 'broken' of .* raised KeyError") as info:
        base.run_checks(_capacity(4), ["broken"])
    assert "fix the check" in (info.value.remedy or "")
    (rule_module / "companyrules" / "ece_rules.py").write_text(RULE.replace('count = obs.values.get("count")',
                                                                            'count = obs.values["nothing"]'))
    (rule_module / "ecekit.toml").write_text('checks = ["companyrules.ece_rules"]\n')
    run = subprocess.run([sys.executable, "-m", "ecekit", "check", "-q", "-k", "at_most_three_slots", "--out",
                          str(tmp_path / "run")], cwd=rule_module, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stdout + run.stderr
    assert "at_most_three_slots" in run.stdout + run.stderr and "KeyError" in run.stdout + run.stderr
