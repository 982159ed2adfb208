"""ARCHITECTURE.md's table of layers, enforced: every import of every module (at the top, inside a
function, under TYPE_CHECKING) goes to its own layer or one the table allows, and no two modules
import each other, even through others."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import ecekit

SRC = Path(ecekit.__file__).parent
ARCHITECTURE = Path(__file__).resolve().parents[2] / "ARCHITECTURE.md"

FOUNDATION = {"__about__", "caches", "canary", "client", "deadline", "errors", "flags", "inflate", "processes",
              "interrupts", "loopback", "redaction", "resources", "run_summaries", "seeds", "target",
              "target_options", "transport", "widgets", "writable", "xmlsafe"}
FRONT_DOORS = {"cli", "pytest_plugin", "__main__", "__init__"}
# layer -> the layers it may import besides its own (ARCHITECTURE.md, "Layers")
MAY_IMPORT: dict[str, set[str]] = {
    "operations": set(),
    "foundation": {"operations"},
    "checks": {"operations", "foundation"},
    "server": {"operations", "foundation"},
    "report": {"operations", "foundation", "checks"},
    "fuzz": {"operations", "foundation", "checks", "report", "live"},
    "live": {"operations", "foundation", "server"},
    "suite": {"operations", "foundation", "checks", "report", "fuzz", "live"},
    "diff": {"operations", "foundation", "checks", "report", "live"},
    "load": {"operations", "foundation", "checks", "report", "live"},
    "capacity": {"operations", "foundation", "load", "report"},
    "compare": {"operations", "foundation", "load", "capacity", "report"},
}


def layer(module: str) -> str:
    """The layer of ``ecekit.x.y``: its first name below ecekit, foundation modules as one."""
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    if top in FOUNDATION:
        return "foundation"
    return "front door" if top in FRONT_DOORS else top


def module_of(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_of(p): p for p in SRC.rglob("*.py")}


def imports(module: str) -> Iterator[tuple[str, int]]:
    """(an ecekit module it imports, line): every import statement anywhere in the file."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for name in names:
            if name.startswith("ecekit.") and name in MODULES and name != module:
                yield name, node.lineno


def test_every_import_follows_the_table_of_layers() -> None:
    breaks = []
    for module in MODULES:
        mine = layer(module)
        if mine == "front door":
            continue
        assert mine in MAY_IMPORT, f"{module}: layer {mine!r} is not in the table (ARCHITECTURE.md)"
        for imported, line in imports(module):
            theirs = layer(imported)
            if theirs != mine and theirs not in MAY_IMPORT[mine]:
                breaks.append(f"{module}:{line} ({mine}) imports {imported} ({theirs})")
    assert breaks == []


def test_no_module_imports_itself_through_others() -> None:
    graph = {m: {i for i, _ in imports(m)} for m in MODULES}
    cycles = []
    state: dict[str, int] = {}  # 1 on the path, 2 done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for nxt in sorted(graph[module]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_table_in_architecture_md_is_this_table() -> None:
    """The documented table names the same layers and the same permissions."""
    text = ARCHITECTURE.read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (\w[\w ]*?) \| [^|]+ \| ([^|]+) \|$", text, re.M))
    for name, allowed in MAY_IMPORT.items():
        assert name in rows, f"ARCHITECTURE.md has no row for layer {name!r}"
        documented = {w for w in re.findall(r"`?(\w+)`?", rows[name]) if w in MAY_IMPORT}
        assert documented == allowed, f"layer {name}: ARCHITECTURE.md says {sorted(documented)}"


def test_nothing_imports_a_layer_from_a_module_the_table_does_not_know() -> None:
    known = set(MAY_IMPORT) | {"front door"}
    assert {layer(m) for m in MODULES} <= known


TESTS = Path(__file__).resolve().parents[1]


def test_the_tests_mirror_the_packages_of_src() -> None:
    """Each package of ecekit has its tests in a directory of the same name (the foundation's in core)."""
    packages = {p.parent.name for p in SRC.glob("*/__init__.py")}
    missing = sorted(p for p in packages if not (TESTS / p / "__init__.py").is_file())
    assert missing == [], f"no tests/<name>/ for these packages of src/ecekit: {missing}"


def test_tests_share_helpers_through_fixtures_or_helper_modules() -> None:
    """A test module imports no conftest and no other test module: what two directories share lives in a
    helper module (``tests/<dir>/helpers.py``, ``tests/hostile.py`` …) or a fixture of tests/conftest.py."""
    breaks = []
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                last = name.rpartition(".")[2]
                if name.startswith("tests") and (last == "conftest" or last.startswith("test_")):
                    breaks.append(f"{path.relative_to(TESTS)}:{node.lineno} imports {name}")
    assert breaks == []
