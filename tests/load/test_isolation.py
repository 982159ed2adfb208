"""The trap of DESIGN.md: locust (gevent) must never be imported outside the load path's processes."""

from __future__ import annotations

import subprocess
import sys

PURE = ["ecekit.load", "ecekit.load.slo", "ecekit.load.recorder", "ecekit.load.summary",
        "ecekit.load.schedule", "ecekit.load.profile", "ecekit.load.visitor", "ecekit.load.checking",
        "ecekit.load.settings", "ecekit.load.runstate", "ecekit.load.launch", "ecekit.cli.load",
        "ecekit.cli.capacity", "ecekit.cli"]


def test_pure_modules_do_not_import_locust_or_gevent() -> None:
    code = (f"import importlib, sys\nfor m in {PURE!r}: importlib.import_module(m)\n"
            "bad = [m for m in ('locust', 'gevent') if m in sys.modules]\nassert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_this_pytest_process_has_no_locust() -> None:
    assert "locust" not in sys.modules
    assert "gevent" not in sys.modules
