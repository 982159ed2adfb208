"""The wheel carries the schemas, the suites and the locustfile, so `pip install .` works anywhere."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from ecekit import resources

ROOT = Path(__file__).resolve().parents[2]


def test_resources_are_found_in_a_checkout() -> None:
    assert (resources.xsd_dir() / "eGainBosh.xsd").is_file()
    assert (resources.contracts_dir() / "conftest.py").is_file()
    assert (resources.loadtests_dir() / "locustfile.py").is_file()


@pytest.mark.slow
def test_wheel_bundles_what_a_non_editable_install_needs(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("ecekit-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("ecekit/_bundled/xsd/eGainBosh.xsd", "ecekit/_bundled/xsd/eGainBoshChat.xsd",
                     "ecekit/_bundled/xsd/eGainSurvey.xsd", "ecekit/_bundled/contracts/conftest.py",
                     "ecekit/_bundled/loadtests/locustfile.py", "ecekit/cli/__init__.py",
                     "ecekit/report/assets/uPlot.iife.min.js", "ecekit/report/assets/charts.js",
                     "ecekit/report/templates/check.html.j2"):
        assert required in names, required
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "ecekit = ecekit.cli:main" in text
    assert "ecekit = ecekit.pytest_plugin" in text
