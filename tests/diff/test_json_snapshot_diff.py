"""The JSON answers of the reference server in snapshots, and `ecekit diff` on them, end to end.

The faults used change only the JSON answer (``json-disagrees``: capacity's JSON count is one more
than the XML's; ``json-ignored``: XML to ``Accept: application/json``), so what the diff finds comes
from the JSON records alone. A snapshot written before JSON was recorded is the new one with every
``json`` record taken out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ecekit.cli import cli
from ecekit.diff import snapshot
from ecekit.diff.classify import Severity, Tolerance
from ecekit.diff.compare import compare
from ecekit.target import Target

# Latency is not what these tests are about: judged with a wide tolerance.
WIDE = Tolerance(ratio=100.0, floor_ms=5000.0)


def run(*args: str) -> Result:
    return CliRunner(env={"NO_COLOR": "1"}).invoke(cli, list(args), catch_exceptions=False)


def take(faults: tuple[str, ...] = ()) -> dict[str, Any]:
    return snapshot.take(Target(), reads=2, faults=faults)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Snapshot files of the clean server (twice), of each JSON fault, and the clean one without JSON."""
    folder = tmp_path_factory.mktemp("snaps")
    out: dict[str, Path] = {}
    for name, faults in (("clean", ()), ("again", ()), ("disagrees", ("json-disagrees",)),
                         ("ignored", ("json-ignored",))):
        out[name] = folder / f"{name}.json"
        snapshot.write(take(faults), out[name])
    old = json.loads(out["clean"].read_text(encoding="utf-8"))
    for eps in old["answers"].values():
        for answer in eps.values():
            del answer["json"]
    out["old"] = folder / "old.json"
    snapshot.write(old, out["old"])
    return out


def load(path: Path) -> dict[str, Any]:
    return snapshot.load(path)


def breaking(a: Path, b: Path) -> list[tuple[str, str, str]]:
    return sorted({(c.kind, c.operation, c.field) for c in compare(load(a), load(b), WIDE)
                   if c.severity is Severity.BREAKING})


def test_every_answer_of_the_clean_server_has_its_json_record(files: dict[str, Path]) -> None:
    answers = [a for eps in load(files["clean"])["answers"].values() for a in eps.values()]
    assert len(answers) == 45
    assert all(a["json"]["json"] == "ok" and a["json"]["disagrees"] == [] and a["json"]["fields"]
               for a in answers)
    capacity = load(files["clean"])["answers"]["capacity"]["1001"]
    assert capacity["json"]["fields"]["count"]["value"] == next(iter(capacity["response"]["elements"].values()))[
        "value"]


def test_json_disagrees_is_breaking_and_names_capacity_s_count(files: dict[str, Path]) -> None:
    assert breaking(files["clean"], files["disagrees"]) == [("json_disagrees", "capacity", "count (JSON)")]
    result = run("diff", str(files["clean"]), str(files["disagrees"]))
    assert result.exit_code == 1, result.output
    lines = [ln.split(None, 1) for ln in result.stdout.splitlines() if ln.startswith("BREAKING")]
    assert len(lines) == 1 and lines[0][1].startswith("capacity [1001, "), result.output  # folded: one line
    assert "] count (JSON): json disagrees: 1001: the XML answer's value → XML " in lines[0][1]


def test_json_no_longer_served_is_breaking_for_every_operation(files: dict[str, Path]) -> None:
    found = breaking(files["clean"], files["ignored"])
    operations = {"agentAvailability", "capacity", "liveSessionStatus", "checkEligibility", "chatAllowed"}
    assert found == sorted({(kind, op, field) for op in operations for kind, field in (
        ("content_type_changed", "content_type (JSON)"), ("json_broken", "body (JSON)"))})
    assert run("diff", str(files["clean"]), str(files["ignored"])).exit_code == 1


def test_two_snapshots_of_the_clean_server_have_no_json_difference(files: dict[str, Path]) -> None:
    assert compare(load(files["clean"]), load(files["again"]), WIDE) == []
    result = run("diff", str(files["clean"]), str(files["again"]), "--latency-tolerance", "10000%",
                 "--latency-floor", "100000")
    assert result.exit_code == 0 and "no differences" in result.stdout, result.output


def test_an_old_snapshot_diffs_against_a_new_one_with_one_compatible_finding(files: dict[str, Path]) -> None:
    for a, b, side in ((files["old"], files["disagrees"], "A (before)"), (files["disagrees"], files["old"],
                                                                          "B (after)")):
        changes = compare(load(a), load(b), WIDE)
        assert [(c.kind, c.severity, c.field) for c in changes] == [
            ("not_compared", Severity.COMPATIBLE, "JSON answers")], changes
        assert f"JSON answers not recorded in {side}" in changes[0].detail
    result = run("diff", str(files["old"]), str(files["disagrees"]), "--latency-tolerance", "10000%",
                 "--latency-floor", "100000")
    assert result.exit_code == 0, result.output
    assert "COMPATIBLE - JSON answers: not compared: JSON answers not recorded in A (before)" in result.stdout
    # the XML is still compared: an XML fault in the new snapshot is found against the old one
    assert run("diff", str(files["old"]), str(files["ignored"])).exit_code == 0
    broken = files["old"].with_name("broken.json")
    snapshot.write(take(("capacity-negative",)), broken)
    assert ("type_changed", "capacity", "count") in breaking(files["old"], broken)
