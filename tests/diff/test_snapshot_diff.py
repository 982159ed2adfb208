"""Snapshots of the reference server, clean and broken, and what `diff` makes of them.

The faults come from the server's own catalogue, so a new fault without a verdict here fails the
build. Whether a fault changes the *shape* of an answer is read from the check it trips: those that
trip a check of the body's form (status, content type, well-formedness, schema, transport) must
show as breaking and name the field; those that trip a check of meaning (semantics, roles,
consistency) must show as breaking too, through the failing check; the latency fault as slower; the
harmless restyle fault as compatible only (the harmless set-cookie fault as nothing at all); the
faults of the JSON answer alone (json_parity, json_served) as breaking changes of fields marked
``(JSON)`` only. Survey faults are outside a snapshot (it never writes).
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from ecekit import operations
from ecekit.diff import snapshot
from ecekit.diff.classify import Severity, Tolerance
from ecekit.diff.compare import compare
from ecekit.server.embedded import running_server
from ecekit.server.faults import catalogue
from ecekit.target import Target

SHAPE_CHECKS = frozenset({"status_code", "content_type", "well_formed", "xsd", "transport",
                          "not_a_server_error"})
# Checks of meaning, and opt-in checks of what a page sees: breaking through the check they trip.
MEANING_CHECKS = frozenset({"semantics", "entry_point_role", "consistency", "cors", "widget_state"})
# Parameterised faults: the value to run with, and a narrow target so that stalls cost little.
PARAMETERISED: dict[str, tuple[str, dict[str, Any]]] = {
    "latency": ("latency=60ms", {}),
    "stall": ("stall=30", {"entry_points": ("1001",), "read_timeout": 0.3}),
    "drop": ("drop", {}),
}
# Faults that only an opt-in check sees: the target option that turns it on.
OPT_IN: dict[str, dict[str, Any]] = {"cors-missing": {"origin": "https://www.example.com"}}
# Latency is not what the shape tests are about: one read each, judged with a wide tolerance.
WIDE = Tolerance(ratio=100.0, floor_ms=5000.0)


def take(reads: int = 1, faults: tuple[str, ...] = (), **target: Any) -> dict[str, Any]:
    return snapshot.take(Target(**target), reads=reads, faults=faults)


@pytest.fixture(scope="module")
def clean() -> dict[str, Any]:
    return take()


# Faults of the JSON answer alone (seen by --json's checks): a snapshot records JSON answers too.
JSON_CHECKS = frozenset({"json_parity", "json_served"})


def snapshotted_faults() -> list[str]:
    return [name for name, cls in catalogue().items() if cls.operation is not operations.SURVEY]


def test_survey_faults_are_the_only_ones_left_out() -> None:
    left_out = set(catalogue()) - set(snapshotted_faults())
    assert left_out and all(catalogue()[n].operation is operations.SURVEY for n in left_out)
    assert {n for n in snapshotted_faults() if catalogue()[n].trips in JSON_CHECKS}  # JSON faults are in


def _fault_fields(cls: type) -> set[str]:
    """The fields a data fault changes or drops, read from the fault itself."""
    return set(getattr(cls, "changes", {}) or ()) | ({cls.field} if getattr(cls, "field", "") else set())


@pytest.mark.parametrize("name", snapshotted_faults())
def test_each_fault_shows_in_the_diff_as_its_catalogue_says(clean: dict[str, Any], name: str) -> None:
    cls = catalogue()[name]
    spec, target = PARAMETERISED.get(name, (name, OPT_IN.get(name, {})))
    if cls.takes_param:
        assert name in PARAMETERISED, f"fault {name!r} takes a parameter: add it to PARAMETERISED"
    base = take(**target) if target else clean
    broken = take(faults=(spec,), **target)
    changes = compare(base, broken, WIDE if name != "latency" else Tolerance())
    breaking = [c for c in changes if c.severity is Severity.BREAKING]
    shown = "\n".join(f"{c.severity} {c.kind} {c.operation} {c.entry_point} {c.field}" for c in changes)
    if cls.harmless:  # restyle changes the form of every answer; set-cookie only a header no one reads
        assert (bool(changes) is (name == "restyle")) and all(c.severity is Severity.COMPATIBLE
                                                              for c in changes), shown
        return
    if name == "latency":
        slower = [c for c in changes if c.severity is Severity.SLOWER]
        assert not breaking, shown
        assert {c.operation for c in slower} == {op.name for op in operations.STATUS_OPERATIONS}, shown
        return
    assert breaking, f"{spec}: nothing breaking\n{shown}"
    if cls.operation is not None:
        mine = [c for c in breaking if cls.operation.name in c.operation.split("+")]
        assert mine, f"{spec}: no breaking change names {cls.operation.name}\n{shown}"
        assert all(cls.operation.name in c.operation.split("+") for c in breaking), shown
    else:
        mine = breaking
    assert all(c.field for c in mine), shown
    if cls.trips in JSON_CHECKS:  # the XML answers are untouched: every breaking change is of the JSON
        assert all(c.field.endswith(" (JSON)") for c in breaking), shown
    elif cls.trips in SHAPE_CHECKS:
        expected = _fault_fields(cls)
        if expected:  # a data fault: the very field it breaks is named
            assert expected <= {c.field for c in mine}, f"{spec}: {expected} not named\n{shown}"
    else:
        assert cls.trips in MEANING_CHECKS, f"{name} trips {cls.trips}: classify it in this test"
        assert any(c.kind in ("contract_broken", "consistency_broken") and cls.trips in c.field
                   for c in mine), shown


def test_shape_faults_name_their_field(clean: dict[str, Any]) -> None:
    """The fields of the faults that change a body's form, as a person reads them."""
    expected = {
        "status-missing-element": ("element_gone", "queueDepth"),
        "chatallowed-missing-attribute": ("attribute_gone", "allowed"),
        "availability-not-boolean": ("type_changed", "available"),
        "capacity-negative": ("type_changed", "count"),
        "eligibility-out-of-range": ("value_outside_enumeration", "responseType"),
        "capacity-wrong-namespace": ("element_gone", "count"),
        "availability-wrong-root": ("root_changed", "root"),
        "status-wrong-content-type": ("content_type_changed", "content_type"),
        "capacity-500": ("status_changed", "status"),
        "eligibility-undocumented-status": ("status_changed", "status"),
        "eligibility-unquoted": ("xml_broken", "body"),
        "doctype-entity": ("xml_broken", "body"),
        "huge-body": ("transport_failed", "transport"),
    }
    for name, (kind, field) in expected.items():
        changes = compare(clean, take(faults=(name,)), WIDE)
        hits = [c for c in changes if (c.kind, c.field, c.severity) == (kind, field, Severity.BREAKING)]
        assert hits and all(c.operation == catalogue()[name].operation.name for c in hits), name


def _empty_diff(take_pair: Any, attempts: int = 3) -> list[dict[str, Any]]:
    """Differences between two snapshots; latency ones alone earn another attempt (a shared CI machine
    can slow every answer for a second: the server really was slower then), anything else never."""
    for _ in range(attempts):
        changes = [c.as_dict() for c in compare(*take_pair())]
        assert [c for c in changes if not c["kind"].startswith("latency")] == []
        if not changes:
            return changes
    return changes


def test_two_snapshots_of_the_same_clean_server_diff_as_empty() -> None:
    roles = Target(**_default_roles())
    with running_server() as srv:
        live = roles.replace(base_url=srv.base_url)
        assert _empty_diff(lambda: (snapshot.take(live), snapshot.take(live))) == []
    # two embedded servers, one after the other
    assert _empty_diff(lambda: (take(reads=10), take(reads=10))) == []


def _default_roles() -> dict[str, Any]:
    from ecekit.server.embedded import default_roles

    return default_roles().target_kwargs()


def _without_times(text: str) -> str:
    document = json.loads(text)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", document["taken_at"])
    text = text.replace(document["taken_at"], "<time>")
    masked, n = re.subn(r'"(p50|p90|max)": [0-9.]+', r'"\1": <ms>', text)
    assert n > 3 * len(document["answers"])  # every latency record, per answer and per operation
    return masked


def test_snapshots_taken_twice_are_byte_identical_but_for_times_and_latencies() -> None:
    first, second = snapshot.dumps(take(reads=3)), snapshot.dumps(take(reads=3))
    assert first != second  # the latencies at least differ: the masking below is not vacuous
    assert _without_times(first) == _without_times(second)
    assert "127.0.0.1" not in first  # the embedded server's port is not recorded


def test_a_broken_snapshot_is_not_byte_identical() -> None:
    """The byte-identity above can fail: one fault is enough."""
    clean = snapshot.dumps(take(reads=2))
    broken = snapshot.dumps(take(reads=2, faults=("capacity-negative",)))
    assert _without_times(clean) != _without_times(broken)


def test_snapshot_records_the_documented_parts(clean: dict[str, Any]) -> None:
    assert clean["schema_version"] == snapshot.SCHEMA_VERSION
    hashes = clean["xsd"]["hashes"]
    assert set(hashes) >= {"eGainBosh.xsd", "eGainSurvey.xsd"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", v) for v in hashes.values())
    assert set(clean["answers"]) == {op.name for op in operations.STATUS_OPERATIONS}
    answer = clean["answers"]["liveSessionStatus"]["1001"]
    chat = operations.CHAT_NS
    assert answer["response"]["elements"][f"{{{chat}}}queueDepth"]["type"] == "count"
    assert isinstance(answer["response"]["elements"][f"{{{chat}}}waitTime"]["value"], float)
    assert answer["response"]["prefixes"][chat] == "ns2"
    assert answer["checks"]["fail"] == {} and "xsd" in answer["checks"]["pass"]
    assert set(answer["latency_ms"]) == {"p50", "p90", "max", "reads"}
    assert clean["latency_ms"]["capacity"]["reads"] == len(clean["answers"]["capacity"])
    assert clean["answers"]["chatAllowed"]["1005"]["role"] == "inactive"
    assert clean["consistency"]["1001"] and set(clean["consistency"]["1001"].values()) == {"pass"}


def test_header_values_are_redacted(tmp_path: Any) -> None:
    taken = snapshot.take(Target(entry_points=("1001",), headers={"Authorization": "Basic c2VjcmV0"}),
                          reads=1)
    text = snapshot.dumps(taken)
    assert "c2VjcmV0" not in text and taken["target"]["headers"] == {"Authorization": "<redacted>"}
    url = snapshot.describe_target(Target(base_url="https://qa:s3cret@ece.example.com/system"))["base_url"]
    assert url == "https://qa:<redacted>@ece.example.com/system"


def test_a_hung_server_costs_a_few_timeouts_not_one_per_read() -> None:
    start = time.perf_counter()
    taken = take(reads=10, faults=("stall=60",), read_timeout=0.3)
    elapsed = time.perf_counter() - start
    answers = [a for eps in taken["answers"].values() for a in eps.values()]
    assert all(a["response"]["transport"] == "timeout" for a in answers)
    assert all(a["checks"]["fail"]["transport"] for a in answers)
    assert elapsed < 15, f"{elapsed:.1f}s for 450 reads of a hung server"


@pytest.mark.parametrize(("mode", "kind"), [("gzip-bomb", "too_large"), ("endless-chunked", "too_large"),
                                            ("drip", "timeout"), ("lying-length", "timeout")])
def test_a_hostile_server_is_recorded_within_caps_and_deadline(mode: str, kind: str) -> None:
    from tests import hostile

    with hostile.serving(mode, max_seconds=30) as srv:
        started = time.monotonic()
        taken = take(base_url=srv.base_url, entry_points=("1001",), read_timeout=1.0)
        seconds = time.monotonic() - started
    answers = [a for eps in taken["answers"].values() for a in eps.values()]
    assert answers and {a["response"]["transport"] for a in answers} == {kind}
    # timeouts: three, then the rest is not sent (UNRESPONSIVE_AFTER); too large: each ends at the cap
    assert seconds < 3 * 1.0 + 10, seconds
