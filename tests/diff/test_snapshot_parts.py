"""Taking, writing and loading a snapshot without a server: a scripted in-process client answers.

:func:`ecekit.diff.snapshot.take` is run against a fake ``Client`` whose answers come from the
reference server's own XML writer (:func:`ecekit.server.render.xml`) and whose elapsed times are
fixed, so every recorded value, percentile and verdict is known in advance.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from ecekit import operations as ops
from ecekit.__about__ import __version__
from ecekit.checks import Context, Role
from ecekit.checks.consistency import rules_for
from ecekit.client import Exchange, TransportError
from ecekit.diff import snapshot
from ecekit.errors import ConfigError, UsageError
from ecekit.live import with_default_roles
from ecekit.server.render import JSON_TYPE, XML_TYPE, json_body, xml
from ecekit.target import Target
from ecekit.xmlsafe import schemas

BASE = "http://127.0.0.1:9/system"
VALUES: dict[str, dict[str, Any]] = {
    "agentAvailability": {"available": True}, "capacity": {"count": 3},
    "liveSessionStatus": {"waitTime": 1.5, "queueDepth": 2}, "checkEligibility": {"responseType": 0},
    "chatAllowed": {"allowed": True}}
STATUS_NAMES = [op.name for op in ops.STATUS_OPERATIONS]
# what answer(round, entry point, operation) returns: values to render, or an Exchange's keywords
Script = Callable[[int, str, str], dict[str, Any]]


def clean(_round: int, _ep: str, op: str) -> dict[str, Any]:
    return dict(VALUES[op])


class FakeClient:
    """Stands in for :class:`ecekit.client.Client`: answers from a script, elapsed 10 ms per round
    (x10 for inactive and invalid entry points), every call recorded: the XML ones in ``calls``, all
    in order in ``sent``. A JSON request (``Accept: application/json``) gets the same values as JSON,
    or what ``json_script`` says."""

    script: ClassVar[Script] = staticmethod(clean)
    json_script: ClassVar[Script | None] = None
    calls: ClassVar[list[tuple[str, str]]] = []
    sent: ClassVar[list[tuple[str, str, str]]] = []

    def __init__(self, target: Target) -> None:
        self.target = target
        self.rounds: dict[tuple[str, str], int] = {}

    def __enter__(self) -> FakeClient:
        return self

    def __exit__(self, *_: object) -> None:
        pass

    def call(self, op: ops.Operation, ep: str, headers: dict[str, str] | None = None) -> Exchange:
        as_json = (headers or {}).get("Accept") == "application/json"
        FakeClient.sent.append((op.name, ep, "json" if as_json else "xml"))
        if not as_json:
            FakeClient.calls.append((op.name, ep))
        key = (op.name, ep, as_json)
        n = self.rounds[key] = self.rounds.get(key, -1) + 1
        script = type(self).json_script if as_json and type(self).json_script else type(self).script
        scripted = script(n, ep, op.name)
        elapsed = (n + 1) * (0.01 if ep in self.target.entry_points else 0.1)
        if "error" in scripted or "status" in scripted:
            return Exchange(op.name, op.method, self.target.url(op, ep), ep, elapsed=elapsed, **scripted)
        media, body = (JSON_TYPE, json_body(op, scripted)) if as_json else (XML_TYPE, xml(op, scripted))
        return Exchange(op.name, op.method, self.target.url(op, ep), ep, status=200,
                        response_headers={"content-type": media.decode()}, body=body, elapsed=elapsed)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> type[FakeClient]:
    reached: list[Target] = []
    monkeypatch.setattr(snapshot, "Client", FakeClient)
    monkeypatch.setattr("ecekit.live.ensure_reachable", reached.append)
    monkeypatch.setattr(FakeClient, "calls", [])
    monkeypatch.setattr(FakeClient, "sent", [])
    monkeypatch.setattr(FakeClient, "script", staticmethod(clean))
    monkeypatch.setattr(FakeClient, "json_script", None)
    FakeClient.reached = reached  # type: ignore[attr-defined]
    return FakeClient


def target(**kw: Any) -> Target:
    return Target(**{"base_url": BASE, "entry_points": ("1001",), "inactive_entry_points": ("1005",), **kw})


# ------------------------------------------------------------------------------ take
def test_a_snapshot_records_every_status_answer_of_every_entry_point(fake: type[FakeClient]) -> None:
    progress: list[str] = []
    t = target(invalid_entry_points=("999",))
    taken = snapshot.take(t, reads=3, progress=progress.append)
    assert progress == ["read 1 of 3", "read 2 of 3", "read 3 of 3"]
    assert fake.reached == [t]  # type: ignore[attr-defined]
    assert len(fake.calls) == 3 * 3 * 5
    assert fake.calls[:6] == [(op, "1001") for op in STATUS_NAMES] + [("agentAvailability", "1005")]
    assert list(taken["answers"]) == STATUS_NAMES
    assert {op: list(eps) for op, eps in taken["answers"].items()} == {op: ["1001", "1005", "999"]
                                                                       for op in STATUS_NAMES}
    assert [taken["answers"]["capacity"][ep]["role"] for ep in ("1001", "1005", "999")] == [
        "any", "inactive", "invalid"]
    capacity = taken["answers"]["capacity"]["1001"]
    assert capacity["response"]["elements"] == {
        f"{{{ops.CHAT_NS}}}count": {"field": "count", "type": "count", "valid": True, "value": 3}}
    assert capacity["response"]["status"] == 200 and capacity["response"]["xml"] == "ok"
    assert capacity["checks"]["fail"] == {} and "xsd" in capacity["checks"]["pass"]
    assert capacity["latency_ms"] == {"p50": 20.0, "p90": 30.0, "max": 30.0, "reads": 3}
    assert taken["answers"]["capacity"]["1005"]["latency_ms"] == {"p50": 200.0, "p90": 300.0, "max": 300.0,
                                                                   "reads": 3}
    # per operation, over every read of every entry point: 10 20 30 100 200 300 100 200 300
    assert taken["latency_ms"] == {op: {"p50": 100.0, "p90": 300.0, "max": 300.0, "reads": 9}
                                   for op in STATUS_NAMES}
    assert list(taken["latency_ms"]) == STATUS_NAMES


def test_a_snapshot_s_own_record(fake: type[FakeClient]) -> None:
    taken = snapshot.take(target(), reads=1)
    assert (taken["schema_version"], taken["ecekit_version"], taken["reads"]) == (1, __version__, 1)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", taken["taken_at"]), taken["taken_at"]
    assert taken["target"]["base_url"] == BASE and taken["target"]["entry_points"] == ["1001"]
    assert set(taken["xsd"]["hashes"]) >= {"eGainBosh.xsd", "eGainSurvey.xsd"}
    assert set(taken) == {"schema_version", "ecekit_version", "taken_at", "target", "xsd", "reads", "answers",
                          "latency_ms", "consistency"}


def test_the_first_round_s_answers_are_the_ones_recorded(fake: type[FakeClient]) -> None:
    fake.script = staticmethod(lambda n, ep, op: {**VALUES[op], "count": 3 + n} if op == "capacity"
                               else dict(VALUES[op]))
    taken = snapshot.take(target(), reads=2)
    assert taken["answers"]["capacity"]["1001"]["response"]["elements"][f"{{{ops.CHAT_NS}}}count"]["value"] == 3


def test_each_xml_read_is_followed_by_the_json_one_and_both_are_recorded(fake: type[FakeClient]) -> None:
    taken = snapshot.take(target(), reads=2)
    assert fake.sent[:4] == [("agentAvailability", "1001", "xml"), ("agentAvailability", "1001", "json"),
                             ("capacity", "1001", "xml"), ("capacity", "1001", "json")]
    assert len(fake.sent) == 2 * len(fake.calls) == 2 * 2 * 2 * 5
    assert taken["answers"]["capacity"]["1001"]["json"] == {
        "transport": None, "status": 200, "content_type": "application/json", "charset": None, "json": "ok",
        "nested_under": None, "disagrees": [],
        "fields": {"count": {"field": "count", "type": "count", "valid": True, "value": 3, "json_type": "number"}}}
    assert taken["answers"]["capacity"]["1001"]["latency_ms"]["reads"] == 2  # the XML reads' alone


def test_a_json_field_disagrees_only_when_it_does_on_every_round(fake: type[FakeClient]) -> None:
    def once(n: int, ep: str, op: str) -> dict[str, Any]:
        return {**VALUES[op], "count": 4} if op == "capacity" and n == 0 else dict(VALUES[op])

    fake.json_script = staticmethod(once)
    taken = snapshot.take(target(), reads=3)
    assert taken["answers"]["capacity"]["1001"]["json"]["disagrees"] == []  # a queue that moved, once
    assert taken["answers"]["capacity"]["1001"]["json"]["fields"]["count"]["value"] == 4  # the first round's
    fake.json_script = staticmethod(lambda n, ep, op: {**VALUES[op], "count": 4} if op == "capacity"
                                    else dict(VALUES[op]))
    taken = snapshot.take(target(), reads=3)
    assert taken["answers"]["capacity"]["1001"]["json"]["disagrees"] == ["count"]
    assert taken["answers"]["capacity"]["1005"]["json"]["disagrees"] == ["count"]
    assert taken["answers"]["chatAllowed"]["1001"]["json"]["disagrees"] == []


def _json_answer(json_answer: dict[str, Any]) -> Script:
    return lambda n, ep, op: json_answer if op == "capacity" else dict(VALUES[op])


@pytest.mark.parametrize(("answer", "expected"), [
    ({"status": 200, "response_headers": {"content-type": "application/xml"}, "body": xml(ops.CAPACITY, {"count": 3})},
     {"status": 200, "content_type": "application/xml", "json": "not_served", "fields": {}}),
    ({"status": 406, "response_headers": {"content-type": "text/plain"}, "body": b"no JSON here"},
     {"status": 406, "content_type": "text/plain", "json": "not_served", "fields": {}}),
    ({"status": 200, "response_headers": {"content-type": "application/json"}, "body": b"{count: 3"},
     {"status": 200, "json": "not_json", "fields": {}}),
    ({"status": 200, "response_headers": {"content-type": "application/json"}, "body": b"[" * 100_000},
     {"status": 200, "json": "not_json", "fields": {}}),
    ({"status": 200, "response_headers": {"content-type": "application/json"}, "body": b"[3]"},
     {"status": 200, "json": "not_object", "fields": {}}),
    ({"status": 500, "response_headers": {"content-type": "application/json; charset=UTF-8"},
      "body": b'{"code": "500-internal"}'},
     {"status": 500, "charset": "utf-8", "json": "ok",
      "fields": {"code": {"type": "text", "value": "500-internal", "json_type": "string"}}}),
    ({"status": 204, "response_headers": {}, "body": b""},
     {"status": 204, "content_type": None, "json": None, "fields": {}}),
    ({"error": TransportError.CONNECTION},
     {"transport": "connection", "status": None, "json": None, "fields": {}}),
])
def test_a_json_answer_that_is_not_json_is_recorded_as_such(fake: type[FakeClient], answer: dict[str, Any],
                                                            expected: dict[str, Any]) -> None:
    fake.json_script = staticmethod(_json_answer(answer))
    record = snapshot.take(target(), reads=2)["answers"]["capacity"]["1001"]["json"]
    assert {k: record[k] for k in expected} == expected
    assert record["disagrees"] == []


def test_the_target_s_size_cap_applies_to_the_recorded_answer(fake: type[FakeClient]) -> None:
    taken = snapshot.take(target(inactive_entry_points=(), max_body_bytes=100), reads=1)
    assert taken["answers"]["capacity"]["1001"]["response"]["xml"] == "too_large"
    assert snapshot.take(target(inactive_entry_points=()), reads=1)["answers"]["capacity"]["1001"]["response"][
        "xml"] == "ok"


def test_checks_are_judged_with_the_entry_point_s_role(fake: type[FakeClient]) -> None:
    taken = snapshot.take(target(), reads=1)
    # an inactive entry point that allows chats breaks its role; an active one does not
    assert "entry_point_role" in taken["answers"]["chatAllowed"]["1001"]["checks"]["pass"]
    assert list(taken["answers"]["chatAllowed"]["1005"]["checks"]["fail"]) == ["entry_point_role"]


def test_a_rule_fails_only_when_contradicted_on_every_read(fake: type[FakeClient]) -> None:
    def script(n: int, ep: str, op: str) -> dict[str, Any]:
        if op == "agentAvailability" and (ep == "1001" or n == 0):
            return {"available": False}  # with capacity 3: contradicted always for 1001, once for 1005
        if op == "capacity" and ep == "1006":
            return {"status": 500, "response_headers": {"content-type": "text/plain"}, "body": b"oops"}
        return dict(VALUES[op])

    fake.script = staticmethod(script)
    t = target(inactive_entry_points=("1005", "1006"))
    verdicts = snapshot.take(t, reads=2)["consistency"]
    assert list(verdicts) == ["1001", "1005", "1006"]
    assert [verdicts[ep]["capacity_implies_availability"] for ep in ("1001", "1005", "1006")] == [
        "fail", "pass", "unknown"]
    assert list(verdicts["1001"]) == [rule.name for rule in rules_for(t)]
    assert verdicts["1001"]["allowed_requires_available_agent"] == "fail"
    assert verdicts["1006"]["allowed_requires_available_agent"] == "pass"


def test_rules_the_target_excludes_are_left_out(fake: type[FakeClient]) -> None:
    t = target(agents_required=False)
    verdicts = snapshot.take(t, reads=1)["consistency"]["1001"]
    assert list(verdicts) == [rule.name for rule in rules_for(t)]
    assert "allowed_requires_available_agent" not in verdicts and "capacity_implies_availability" in verdicts
    assert set(verdicts.values()) == {"pass"}


def test_a_hung_server_gets_three_requests_then_none(fake: type[FakeClient]) -> None:
    fake.script = staticmethod(lambda n, ep, op: {"error": TransportError.TIMEOUT})
    taken = snapshot.take(target(read_timeout=0.5), reads=2)
    # the JSON read after each XML one counts as the XML ones do
    assert fake.sent == [("agentAvailability", "1001", "xml"), ("agentAvailability", "1001", "json"),
                         ("capacity", "1001", "xml")]
    answers = [a for eps in taken["answers"].values() for a in eps.values()]
    assert len(answers) == 10 and {a["response"]["transport"] for a in answers} == {"timeout"}
    assert taken["answers"]["checkEligibility"]["1001"]["checks"]["fail"]["transport"] == [
        {"message": "not sent: the server answered none of the last 3 requests within 0.5s",
         "xpath": None}]


def test_an_answer_between_timeouts_starts_the_count_again(fake: type[FakeClient]) -> None:
    def script(n: int, ep: str, op: str) -> dict[str, Any]:
        return dict(VALUES[op]) if op == "capacity" else {"error": TransportError.TIMEOUT}

    fake.script = staticmethod(script)
    snapshot.take(target(inactive_entry_points=()), reads=2)
    # two timeouts (XML, JSON), two answers, three timeouts in a row: the rest is not sent
    assert fake.sent == [(op, "1001", kind) for op in ("agentAvailability", "capacity", "liveSessionStatus")
                         for kind in ("xml", "json")] + [("checkEligibility", "1001", "xml")]


def test_reads_must_be_one_or_more(fake: type[FakeClient]) -> None:
    with pytest.raises(UsageError, match=r"^--reads must be 1 or more$"):
        snapshot.take(target(), reads=0)
    assert fake.calls == []
    assert snapshot.take(target(inactive_entry_points=()), reads=1)["reads"] == 1
    assert len(fake.calls) == 5


def test_faults_are_for_the_embedded_server_only(fake: type[FakeClient]) -> None:
    with pytest.raises(UsageError) as err:
        snapshot.take(target(), faults=("restyle",))
    assert err.value.message == "--fault applies to the embedded reference server only"
    assert err.value.remedy == "leave out --base-url, or leave out --fault"
    assert fake.calls == []


def test_a_server_without_entry_points_is_a_setup_problem(fake: type[FakeClient]) -> None:
    with pytest.raises(ConfigError) as err:
        snapshot.take(Target(base_url=BASE))
    assert err.value.message == "no entry points to snapshot"
    assert err.value.remedy == ("pass --entry-point ID (and --inactive-entry-point / --invalid-entry-point), "
                                "or list them in ecekit.toml")
    assert fake.reached == [] and fake.calls == []  # type: ignore[attr-defined]


def test_the_embedded_server_gets_the_default_roles_unless_some_are_named() -> None:
    named = Target(entry_points=("1001",))
    assert with_default_roles(named) is named
    roles = with_default_roles(Target())
    assert roles.entry_points and "1005" in roles.inactive_entry_points and "999999" in roles.invalid_entry_points
    assert with_default_roles(Target(invalid_entry_points=("7",))).entry_points == ()


# ------------------------------------------------------------------------------ parts
def test_latency_is_nearest_rank_in_milliseconds() -> None:
    def series(*seconds: float) -> list[Exchange]:
        return [Exchange("capacity", "GET", "http://x/", "1", elapsed=s) for s in seconds]

    assert snapshot.latency(series(0.004)) == {"p50": 4.0, "p90": 4.0, "max": 4.0, "reads": 1}
    ten = series(*(i / 1000 for i in (10, 1, 9, 2, 8, 3, 7, 4, 6, 5)))
    assert snapshot.latency(ten) == {"p50": 5.0, "p90": 9.0, "max": 10.0, "reads": 10}
    assert snapshot.latency(series(0.001, 0.002)) == {"p50": 1.0, "p90": 2.0, "max": 2.0, "reads": 2}
    nineteen = series(*(i / 1000 for i in range(1, 20)))  # 90% of 19 is 17.1: the 18th
    assert snapshot.latency(nineteen) == {"p50": 10.0, "p90": 18.0, "max": 19.0, "reads": 19}
    assert snapshot.latency(series(0.00123456, 0.0019876)) == {"p50": 1.235, "p90": 1.988, "max": 1.988,
                                                               "reads": 2}


def test_a_recorded_verdict_is_fail_pass_or_skip() -> None:
    checks = {"pass": ["xsd"], "skip": ["semantics"], "fail": {"transport": []}}
    assert [snapshot.verdict(checks, n) for n in ("transport", "xsd", "semantics", "cors")] == [
        "fail", "pass", "skip", "skip"]


def test_verdicts_keep_violations_but_not_measurements() -> None:
    context = Context(target(), role=Role.ANY, _schemas=schemas(None))
    body = (b'<availableSlots xmlns:ns2="http://bindings.egain.com/chat"><ns2:count>-1</ns2:count>'
            b"<ns2:extra/></availableSlots>")
    slow = Exchange("capacity", "GET", f"{BASE}/x", "1001", status=200,
                    response_headers={"content-type": "application/xml"}, body=body, elapsed=3.0)
    found = snapshot.verdicts(slow, ops.CAPACITY, context)
    assert found["pass"] == ["content_type", "entry_point_role", "not_a_server_error", "status_code", "transport",
                             "well_formed"]
    assert found["skip"] == []
    assert found["fail"]["response_time"] == []  # failed, but its message holds a time
    assert found["fail"]["semantics"] == [{"message": "count: '-1' is not a non-negative integer",
                                           "xpath": "/availableSlots/ns2:count"}]
    assert [v["xpath"] for v in found["fail"]["xsd"]] == ["/availableSlots", "/availableSlots/ns2:count"]
    assert list(found["fail"]) == ["response_time", "semantics", "xsd"]


def test_verdicts_skip_what_does_not_apply_and_leave_out_what_was_not_asked_for() -> None:
    html = Exchange("capacity", "GET", f"{BASE}/x", "1001", status=200,
                    response_headers={"content-type": "text/html"}, body=b"<html", elapsed=0.1)
    plain = snapshot.verdicts(html, ops.CAPACITY, Context(target(), _schemas=schemas(None)))
    assert plain["skip"] == ["entry_point_role", "semantics", "xsd"]
    assert plain["pass"] == ["not_a_server_error", "response_time", "status_code", "transport"]
    assert plain["fail"]["content_type"] == [{"message": "Content-Type is text/html", "xpath": None}]
    assert "cors" not in plain["fail"] and "widget_state" not in plain["fail"]
    site = snapshot.verdicts(html, ops.CAPACITY,
                             Context(target(origin="https://site.example"), _schemas=schemas(None)))
    assert list(site["fail"]) == ["content_type", "cors", "well_formed"]


def test_describe_target_adds_what_verdicts_depend_on() -> None:
    described = snapshot.describe_target(target(agents_required=False, widget="w", origin="https://s.example",
                                                xsd_dir="/x"), ("restyle",))
    assert {k: described[k] for k in ("agents_required", "xsd_dir", "widget", "origin")} == {
        "agents_required": False, "xsd_dir": "/x", "widget": "w", "origin": "https://s.example"}
    assert described["base_url"] == BASE and described["entry_points"] == ["1001"]
    assert described["faults"] == ["restyle"]


# ------------------------------------------------------------------------------ files
def test_dumps_is_sorted_indented_and_ends_with_a_newline() -> None:
    assert snapshot.dumps({"b": 1, "a": {"d": "é", "c": [1]}}) == (
        '{\n  "a": {\n    "c": [\n      1\n    ],\n    "d": "é"\n  },\n  "b": 1\n}\n')


def test_write_makes_the_folder_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    out = tmp_path / "deep" / "er" / "snap.json"
    snapshot.write({"answers": {}, "x": "é"}, out)
    assert out.read_text(encoding="utf-8") == snapshot.dumps({"answers": {}, "x": "é"})
    snapshot.write({"answers": {"y": {}}}, str(out))  # again, over it, in a folder that exists
    assert json.loads(out.read_text(encoding="utf-8")) == {"answers": {"y": {}}}
    assert sorted(p.name for p in out.parent.iterdir()) == ["snap.json"]
    here = tmp_path / "flat.json"
    snapshot.write({}, here)
    assert here.read_text(encoding="utf-8") == "{}\n"


def good() -> dict[str, Any]:
    response = {"transport": None, "status": 200, "content_type": "application/xml", "charset": None,
                "xml": "ok", "root": "availableSlots", "attributes": {"@a": {"type": "text", "value": "1"}},
                "elements": {"count": {"type": "text", "value": "3"}}, "prefixes": {}}
    return {"schema_version": 1, "answers": {"capacity": {"1001": {
        "response": response, "checks": {"pass": ["xsd"], "skip": [], "fail": {}}}}},
        "latency_ms": {}, "consistency": {}, "xsd": {}}


def load_text(tmp_path: Path, data: Any) -> dict[str, Any]:
    file = tmp_path / "s.json"
    if isinstance(data, bytes):
        file.write_bytes(data)
    else:
        file.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return snapshot.load(file)


def test_load_reads_back_what_write_wrote(tmp_path: Path) -> None:
    snapshot.write(good(), tmp_path / "s.json")
    assert snapshot.load(str(tmp_path / "s.json")) == good()
    minimal = good()
    del minimal["latency_ms"], minimal["consistency"], minimal["xsd"]
    assert load_text(tmp_path, minimal) == minimal


def test_load_says_what_is_wrong_with_a_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        snapshot.load(tmp_path / "nope.json")
    assert err.value.message == f"snapshot file {tmp_path / 'nope.json'} not found"
    assert err.value.remedy == "give a file written by `ecekit snapshot --out FILE`, or a base URL (http://…)"
    file = tmp_path / "s.json"
    not_json, no_answers = "is not a snapshot (not JSON: ", "is not a snapshot (no 'answers')"
    for data, message in ((b"{", not_json), (b"\xff\xfe{}", not_json), ("[]", no_answers),
                          ({"answers": []}, no_answers)):
        with pytest.raises(ConfigError) as err:
            load_text(tmp_path, data)
        assert err.value.message.startswith(f"{file} {message}"), str(err.value)
        assert err.value.remedy == "give a file written by `ecekit snapshot --out FILE`"


def test_load_refuses_another_schema_version(tmp_path: Path) -> None:
    for version, shown in ((2, "2"), ("1", "'1'"), (None, "None")):
        data = good()
        data["schema_version"] = version
        with pytest.raises(ConfigError) as err:
            load_text(tmp_path, data)
        assert err.value.message == f"{tmp_path / 's.json'} has schema_version {shown}; this ecekit reads 1"
        assert err.value.remedy == "take the snapshot again with this version of ecekit"


def _damaged(edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = good()
    edit(data)
    return data


def _answer(d: dict[str, Any]) -> dict[str, Any]:
    return d["answers"]["capacity"]["1001"]


KEYS = "transport, status, content_type, charset, xml, root, attributes, elements, prefixes"
JSON_KEYS = "transport, status, content_type, charset, json, nested_under, fields, disagrees"


def _json() -> dict[str, Any]:
    return {"transport": None, "status": 200, "content_type": "application/json", "charset": None, "json": "ok",
            "nested_under": None, "fields": {"count": {"type": "text", "value": "3"}}, "disagrees": []}
CHECKS = "answers.capacity.1001.checks must hold pass and skip lists and a fail object"
DAMAGE = [
    (lambda d: d["answers"].update(capacity=[]), "answers.capacity is not an object"),
    (lambda d: d["answers"]["capacity"].update({"1001": "x"}), "answers.capacity.1001 is not an object"),
    (lambda d: _answer(d).pop("response"), f"answers.capacity.1001.response lacks one of {KEYS}"),
    (lambda d: _answer(d).update(response=[]), f"answers.capacity.1001.response lacks one of {KEYS}"),
    *[(lambda d, k=k: _answer(d)["response"].pop(k), f"answers.capacity.1001.response lacks one of {KEYS}")
      for k in KEYS.split(", ")],
    *[(lambda d, k=k: _answer(d)["response"].update({k: []}),
       "answers.capacity.1001.response: attributes, elements and prefixes must be objects")
      for k in ("attributes", "elements", "prefixes")],
    (lambda d: _answer(d).pop("checks"), CHECKS),
    (lambda d: _answer(d)["checks"].update(fail=[]),
     CHECKS),
    (lambda d: _answer(d)["checks"].update(fail=None),
     CHECKS),
    (lambda d: _answer(d)["checks"].update(skip={}),
     CHECKS),
    (lambda d: _answer(d)["checks"].pop("pass"),
     CHECKS),
    (lambda d: _answer(d)["response"]["attributes"].update({"@b": {"value": "1"}}),
     "answers.capacity.1001.response.attributes: every value needs a type"),
    (lambda d: _answer(d)["response"]["elements"].update({"x": "3"}),
     "answers.capacity.1001.response.elements: every value needs a type"),
    (lambda d: _answer(d).update(json=[]), f"answers.capacity.1001.json lacks one of {JSON_KEYS}"),
    (lambda d: _answer(d).update(json={"status": 200}), f"answers.capacity.1001.json lacks one of {JSON_KEYS}"),
    (lambda d: _answer(d).update(json={**_json(), "fields": []}),
     "answers.capacity.1001.json: fields must be an object and disagrees a list"),
    (lambda d: _answer(d).update(json={**_json(), "disagrees": "count"}),
     "answers.capacity.1001.json: fields must be an object and disagrees a list"),
    (lambda d: _answer(d).update(json={**_json(), "fields": {"count": {"value": 3}}}),
     "answers.capacity.1001.json.fields: every value needs a type"),
    (lambda d: d.update(latency_ms=[]), "latency_ms is not an object"),
    (lambda d: d.update(consistency="x"), "consistency is not an object"),
    (lambda d: d.update(xsd=None), "xsd is not an object"),
]


@pytest.mark.parametrize(("edit", "problem"), DAMAGE)
def test_a_damaged_snapshot_says_where(tmp_path: Path, edit: Callable[[dict[str, Any]], None],
                                       problem: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_text(tmp_path, _damaged(edit))
    assert err.value.message == f"{tmp_path / 's.json'} is a damaged snapshot: {problem}"
    assert err.value.remedy == "take the snapshot again; do not edit the file by hand"


def test_a_snapshot_without_json_records_loads_and_so_does_one_with_them(tmp_path: Path) -> None:
    """A file written before JSON was recorded is not damaged: schema_version 1 still reads it."""
    assert "json" not in _answer(good()) and load_text(tmp_path, good()) == good()
    with_json = good()
    _answer(with_json)["json"] = _json()
    assert load_text(tmp_path, with_json) == with_json


def test_damage_is_found_in_any_answer_not_only_the_first(tmp_path: Path) -> None:
    data = good()
    data["answers"]["capacity"]["1002"] = {"response": {}, "checks": {}}
    data["answers"]["chatAllowed"] = {"1001": data["answers"]["capacity"]["1001"]}
    with pytest.raises(ConfigError, match=r"answers\.capacity\.1002\.response lacks"):
        load_text(tmp_path, data)


def test_the_target_s_schemas_judge_the_answers_and_are_hashed(fake: type[FakeClient], tmp_path: Path) -> None:
    import shutil

    from ecekit import resources

    own = tmp_path / "xsd"
    shutil.copytree(resources.xsd_dir(), own)
    chat = own / "eGainBoshChat.xsd"
    text = chat.read_text(encoding="utf-8")
    assert 'name="count" type="xs:nonNegativeInteger"' in text
    chat.write_text(text.replace('name="count" type="xs:nonNegativeInteger"', 'name="count" type="xs:integer"'),
                    encoding="utf-8")
    fake.script = staticmethod(lambda n, ep, op: {"count": -1} if op == "capacity" else dict(VALUES[op]))
    taken = snapshot.take(target(inactive_entry_points=(), xsd_dir=str(own)), reads=1)
    assert "xsd" in taken["answers"]["capacity"]["1001"]["checks"]["pass"]  # valid under the target's schemas
    assert taken["xsd"]["dir"] == str(own)
    assert taken["xsd"]["hashes"]["eGainBoshChat.xsd"] == hashlib.sha256(chat.read_bytes()).hexdigest()


def test_schemas_that_do_not_load_stop_the_snapshot_before_any_request(fake: type[FakeClient],
                                                                       tmp_path: Path) -> None:
    from ecekit.errors import SchemaError

    with pytest.raises(SchemaError):
        snapshot.take(target(xsd_dir=str(tmp_path / "nowhere")), reads=1)
    assert fake.calls == []


def test_the_embedded_server_is_started_with_the_faults_and_the_default_roles(
        fake: type[FakeClient], monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[tuple[Target, tuple[str, ...]]] = []

    @contextlib.contextmanager
    def fake_started(t: Target, faults: tuple[str, ...] = ()) -> Iterator[Target]:
        started.append((t, faults))
        yield t.replace(base_url=BASE)

    monkeypatch.setattr(snapshot, "live_target", fake_started)
    taken = snapshot.take(Target(), reads=1, faults=("restyle",))
    assert [f for _, f in started] == [("restyle",)]
    roles = started[0][0]
    assert roles.entry_points and "1005" in roles.inactive_entry_points
    assert set(taken["answers"]["capacity"]) == set(roles.all_entry_points())
    assert taken["target"]["faults"] == ["restyle"]
