"""docs/ci.md: each job definition parses (YAML, the Jenkinsfile's Groovy structure), publishes the
JUnit file and the report folder, and runs only ecekit commands and flags that exist and that the
README documents."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from ecekit.cli import cli

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC, re.S)


def ecekit_commands(text: str) -> list[list[str]]:
    """Every `ecekit …` command in a block of shell text (line continuations joined)."""
    text = text.replace("\\\n", " ")
    return [shlex.split(m.group(0)) for m in re.finditer(r"ecekit [^\n'`]+", text)]


def strings(node: Any) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in strings(v)]
    if isinstance(node, list):
        return [s for v in node for s in strings(v)]
    return []


def check_command(argv: list[str]) -> None:
    """The sub-command exists, every flag is one of its options, and the README documents it."""
    assert argv[0] == "ecekit"
    ctx = click.Context(cli)
    command = cli.get_command(ctx, argv[1])
    assert command is not None, argv
    command.make_context(argv[1], list(argv[2:]))  # click's own parser: unknown options raise
    assert f"ecekit {argv[1]}" in README
    for flag in (a for a in argv[2:] if a.startswith("--")):
        assert flag in README, f"{flag} of `ecekit {argv[1]}` is not in README.md"


def test_github_actions_workflow() -> None:
    (text,) = [b for b in blocks("yaml") if "runs-on" in b]
    workflow = yaml.safe_load(text)
    assert set(workflow["jobs"]) == {"contract", "nightly-load"}
    steps = workflow["jobs"]["contract"]["steps"]
    assert any("action-junit-report" in s.get("uses", "") for s in steps)
    assert any(s.get("uses", "").startswith("actions/upload-artifact") for s in steps)
    commands = [c for s in strings(workflow) for c in ecekit_commands(s)]
    assert [c[1] for c in commands] == ["check", "load"]
    for argv in commands:
        check_command(argv)


def test_gitlab_ci_definition() -> None:
    (text,) = [b for b in blocks("yaml") if "stages:" in b]
    jobs = yaml.safe_load(text)
    assert jobs["ece-contract"]["artifacts"]["reports"]["junit"] == "reports/contract.xml"
    assert "reports/check/" in jobs["ece-contract"]["artifacts"]["paths"]
    commands = [c for s in strings(jobs) for c in ecekit_commands(s)]
    assert [c[1] for c in commands] == ["check", "load"]
    for argv in commands:
        check_command(argv)


def test_jenkinsfile_structure() -> None:
    (text,) = blocks("groovy")
    code = re.sub(r"'''.*?'''|'[^'\n]*'", "''", text, flags=re.S)  # strings cannot unbalance anything
    for open_, close in ("{}", "()", "[]"):
        depth = 0
        for ch in code:
            depth += (ch == open_) - (ch == close)
            assert depth >= 0, f"unbalanced {open_}{close}"
        assert depth == 0, f"unbalanced {open_}{close}"
    for required in (r"^pipeline \{", r"^\s+agent ", r"^\s+stages \{", r"stage\('Contract'\)",
                     r"^\s+junit .*testResults: 'reports/\*\.xml'", r"^\s+archiveArtifacts artifacts: 'reports/\*\*'"):
        assert re.search(required, text, re.M), required
    commands = ecekit_commands(text)
    assert [c[1] for c in commands] == ["check", "load"]
    for argv in commands:
        check_command(argv)


@pytest.mark.parametrize("word", ["GitHub Actions", "GitLab CI", "Jenkins"])
def test_each_ci_system_has_a_section(word: str) -> None:
    assert f"## {word}" in DOC
