"""ARCHITECTURE.md's rule that imports run down the layers: nothing below the front doors imports the
CLI (the flags -> Target mapping lives in ecekit.flags for that reason)."""

from __future__ import annotations

import ast
from pathlib import Path

import ecekit

SRC = Path(ecekit.__file__).parent


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_nothing_below_the_front_doors_imports_the_cli() -> None:
    upward = {str(path.relative_to(SRC)): sorted(m for m in _imports(path) if m.split(".")[:2] == ["ecekit", "cli"])
              for path in SRC.rglob("*.py") if path.relative_to(SRC).parts[0] != "cli"}
    assert {k: v for k, v in upward.items() if v} == {}
