"""Every Python block of docs/api.md runs as printed, top to bottom, in one interpreter.

The blocks are one session, as a reader would run them in a notebook: later blocks use what earlier
ones made. They run in a child process in an empty directory (they write ``reports/``, a module of
checks and an ``ecekit.toml`` there), against the embedded reference server and ``ecekit.serve``.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
API_DOC = REPO / "docs" / "api.md"
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)


def blocks() -> list[str]:
    return BLOCK.findall(API_DOC.read_text(encoding="utf-8"))


def test_the_api_page_has_a_block_for_every_public_call() -> None:
    text = "\n".join(blocks())
    for name in ("Target(", "serve(", "run_checks(", "run_load(", "find_capacity(", "take_snapshot(",
                 "diff_snapshots(", "register_check(", "ece_client", "ece_target"):
        assert name in text, f"docs/api.md shows no runnable example of {name}"


def test_every_block_of_the_api_page_runs_as_printed(tmp_path: Path) -> None:
    script = "\n\n".join(f"# --- block {n}\n{code}" for n, code in enumerate(blocks(), 1))
    (tmp_path / "api_page.py").write_text(script, encoding="utf-8")
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("PYTHONPATH", None)
    run = subprocess.run([sys.executable, "api_page.py"], cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=400)
    assert run.returncode == 0, f"{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    assert "False 1" in run.stdout  # the broken server's run, as the page prints it
