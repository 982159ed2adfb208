"""`ecekit snapshot` and `ecekit diff` from the command line: files, URLs, exit codes, text and JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ecekit import resources
from ecekit.cli import cli
from ecekit.server.embedded import running_server


def run(*args: str) -> Result:
    return CliRunner(env={"NO_COLOR": "1"}).invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(autouse=True)
def _in_a_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each diff writes its folder under ./reports: here, a temporary one."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="module")
def before(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("snap") / "before.json"
    result = run("snapshot", "--out", str(out), "--reads", "3")
    assert result.exit_code == 0, result.output
    assert "45 answers (0 with failing checks) written to" in result.output
    return out


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("snap") / "broken.json"
    result = run("snapshot", "--out", str(out), "--reads", "3", "--fault", "status-missing-element",
                 "--fault", "restyle")
    assert result.exit_code == 0, result.output
    return out


def test_identical_snapshots_exit_0(before: Path, tmp_path: Path) -> None:
    result = run("diff", str(before), str(before))
    assert result.exit_code == 0, result.output
    assert "no differences" in result.output
    folders = list((tmp_path / "reports").glob("diff-*"))
    assert len(folders) == 1 and (folders[0] / "report.html").is_file()  # the default --out


def test_a_breaking_difference_exits_1_and_says_where(before: Path, broken: Path) -> None:
    result = run("diff", str(before), str(broken))
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    gone = [line for line in lines if line.startswith("BREAKING") and "element gone" in line]
    assert len(gone) == 1, result.output  # one line for the nine entry points
    assert gone[0].startswith("BREAKING   liveSessionStatus [1001, 1002,") and "queueDepth" in gone[0]
    assert "1001: 1 → (none)" in gone[0]  # the values differ per entry point
    prefixes = [line for line in lines if "prefix changed" in line]
    assert len(prefixes) == 5 and all(line.startswith("COMPATIBLE") for line in prefixes), result.output
    assert "ns2 → chat" in prefixes[0]
    # element gone, semantics, xsd, and queueDepth gone from the JSON answer too: 9 each
    assert lines[-1].startswith("36 breaking, "), lines[-1]


def test_json_lists_every_difference(before: Path, broken: Path) -> None:
    result = run("diff", str(before), str(broken), "--json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["counts"]["breaking"] >= 9
    change = next(c for c in document["changes"] if c["kind"] == "element_gone")
    assert (change["operation"], change["field"], change["severity"]) == ("liveSessionStatus", "queueDepth",
                                                                          "breaking")
    assert change["entry_point"]


def test_a_report_page_in_the_style_of_the_others(before: Path, broken: Path, tmp_path: Path) -> None:
    out = tmp_path / "diff-report"
    result = run("diff", str(before), str(broken), "--out", str(out))
    assert result.exit_code == 1
    page = (out / "report.html").read_text()
    assert "BREAKING FOR A PAGE THAT CALLS THE API" in page and 'class="banner failed"' in page
    assert "queueDepth" in page and "element gone" in page and "prefix changed" in page
    assert "1001: 1 → (none)" in page
    summary = (out / "summary.md").read_text()
    assert "| breaking | liveSessionStatus |" in summary and "prefix" not in summary  # the glance
    assert json.loads((out / "diff.json").read_text())["counts"]["breaking"] == 36
    (out / "report.html").unlink()
    again = run("report", str(out))
    assert again.exit_code == 0 and (out / "report.html").read_text() == page
    clean = run("diff", str(before), str(before), "--out", str(tmp_path / "clean"))
    assert clean.exit_code == 0
    assert "NO DIFFERENCES" in (tmp_path / "clean" / "report.html").read_text()


def test_a_url_is_snapshotted_on_the_spot(before: Path) -> None:
    with running_server(faults=["latency=40ms"]) as srv:
        result = run("diff", str(before), srv.base_url, "--reads", "2", "--entry-point", "1001",
                     "--inactive-entry-point", "1005", "--invalid-entry-point", "999999")
        assert result.exit_code == 0, result.output  # slower is not failing by default
        assert "SLOWER" in result.output and "latency p50" in result.output
        assert "not compared" in result.output  # 1002-1004, 1006-1008 were only read for A
        strict = run("diff", str(before), srv.base_url, "--reads", "2", "--entry-point", "1001",
                     "--fail-on-slower")
        assert strict.exit_code == 1
        lenient = run("diff", str(before), srv.base_url, "--reads", "2", "--entry-point", "1001",
                      "--latency-tolerance", "100000%", "--fail-on-slower")
        assert lenient.exit_code == 0 and "SLOWER" not in lenient.output


def test_the_embedded_word(before: Path) -> None:
    result = run("diff", str(before), "embedded", "--reads", "2")
    assert result.exit_code == 0, result.output
    assert "embedded (snapshotted now)" in result.output


def test_usage_errors_exit_2(before: Path, tmp_path: Path) -> None:
    missing = run("diff", str(tmp_path / "nope.json"), str(before))
    assert missing.exit_code == 2 and "not found" in missing.output
    (tmp_path / "junk.json").write_text("{}")
    junk = run("diff", str(tmp_path / "junk.json"), str(before))
    assert junk.exit_code == 2 and "not a snapshot" in junk.output
    old = json.loads(before.read_text())
    old["schema_version"] = 99
    (tmp_path / "future.json").write_text(json.dumps(old))
    future = run("diff", str(tmp_path / "future.json"), str(before))
    assert future.exit_code == 2 and "schema_version 99" in future.output
    damaged = json.loads(before.read_text())
    del damaged["answers"]["capacity"]["1001"]["response"]["elements"]
    (tmp_path / "damaged.json").write_text(json.dumps(damaged))
    broken = run("diff", str(tmp_path / "damaged.json"), str(before))
    assert broken.exit_code == 2 and "answers.capacity.1001.response lacks" in broken.output
    flag = run("diff", str(before), str(before), "--base-url", "http://127.0.0.1:9/system")
    assert flag.exit_code == 2 and "give the URLs as A and B" in flag.output
    nothing = run("diff", str(before), "http://127.0.0.1:9/system", "--entry-point", "1001")
    assert nothing.exit_code == 2 and "cannot connect" in nothing.output
    no_eps = run("snapshot", "--out", str(tmp_path / "x.json"), "--base-url", "http://127.0.0.1:9/system")
    assert no_eps.exit_code == 2 and "no entry points" in no_eps.output
    tolerance = run("diff", str(before), str(before), "--latency-tolerance", "fast")
    assert tolerance.exit_code == 2


def test_xsd_sets(tmp_path: Path) -> None:
    same = run("diff", "--xsd", str(resources.xsd_dir()), str(resources.xsd_dir()))
    assert same.exit_code == 0 and "no differences" in same.output
    copy = tmp_path / "vendor"
    shutil.copytree(resources.xsd_dir(), copy)
    bosh = copy / "eGainBosh.xsd"
    bosh.write_text(bosh.read_text().replace('<xs:enumeration value="3"/>', ""))
    narrower = run("diff", "--xsd", str(resources.xsd_dir()), str(copy), "--json")
    assert narrower.exit_code == 0
    assert json.loads(narrower.stdout)["changes"][0]["kind"] == "xsd_narrowed"
    gone = run("diff", "--xsd", str(copy), str(resources.xsd_dir()))
    assert gone.exit_code == 1 and "BREAKING" in gone.output and "responseType" in gone.output
    missing = run("diff", "--xsd", str(tmp_path / "nope"), str(copy))
    assert missing.exit_code == 2


def test_snapshot_to_standard_output() -> None:
    result = CliRunner().invoke(cli, ["snapshot", "--out", "-", "--reads", "1", "--entry-point", "1001"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["target"]["entry_points"] == ["1001"]


def test_help_imports_neither_command() -> None:
    code = ("import sys; from ecekit.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit: pass\n"
            "print(any(m in sys.modules for m in ('ecekit.cli.snapshot', 'ecekit.cli.diff', 'ecekit.diff')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "snapshot" in out and "diff" in out
    assert out.strip().endswith("False")
