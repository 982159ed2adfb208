"""Fault objects called directly (fast, in process, no server, no thread that fetches): their
catalogue entries, specs, survey verdicts at their thresholds and what the XXE fault would fetch."""

from __future__ import annotations

from typing import Any

import pytest

from ecekit import operations as ops
from ecekit.errors import ConfigError
from ecekit.server import faults
from ecekit.server.render import XML_TYPE, Reply
from ecekit.server.survey import Outcome


def test_a_fault_without_a_parameter_refuses_one() -> None:
    with pytest.raises(ConfigError) as info:
        faults.parse("capacity-500=1")
    assert info.value.message == "fault 'capacity-500' takes no parameter (got '1')"
    assert info.value.remedy == "write --fault capacity-500"
    plain = faults.parse(" capacity-500 ")
    assert (plain.param, plain.spec) == (None, "capacity-500")


def test_parse_names_a_close_match_or_none() -> None:
    with pytest.raises(ConfigError) as info:
        faults.parse("capacity-50")
    assert info.value.message == "unknown fault 'capacity-50'. Did you mean 'capacity-500'?"
    assert info.value.remedy == "see `ecekit serve --list-faults` for the catalogue"
    with pytest.raises(ConfigError) as info:
        faults.parse("zzzzzzzz")
    assert info.value.message == "unknown fault 'zzzzzzzz'."


def test_a_parameterised_spec_keeps_its_parameter() -> None:
    fault = faults.parse("drop=0.5")
    assert (fault.name, fault.param, fault.spec) == ("drop", "0.5", "drop=0.5")
    assert fault.describe() == {"name": "drop", "spec": "drop=0.5", "trips": fault.trips, "summary": fault.summary}


def test_describe_is_the_catalogue_entry() -> None:
    assert faults.parse("capacity-negative").describe() == {
        "name": "capacity-negative", "spec": "capacity-negative", "trips": "xsd",
        "summary": "capacity answers count -1"}


def test_the_catalogue_is_sorted_complete_and_cached() -> None:
    cat = faults.catalogue()
    assert list(cat) == sorted(cat)
    assert {"restyle", "set-cookie", "cors-missing", "json-ignored", "latency", "stall", "drop",
            "survey-fetches-dtd", "survey-500-many-pairs", "status-missing-element"} <= set(cat)
    assert "" not in cat and all(name == cls.name for name, cls in cat.items())
    assert faults.catalogue() is cat and faults._catalogue() == cat
    harmless = {name for name, cls in cat.items() if cls.harmless}
    assert harmless == {"restyle", "set-cookie"}
    assert all(cls.trips for name, cls in cat.items() if name not in harmless)
    assert [name for name, cls in cat.items() if cls.drops_cors] == ["cors-missing"]


def test_a_fault_applies_to_its_operation_only() -> None:
    capacity = faults.parse("capacity-500")
    assert capacity.applies(ops.CAPACITY) and not capacity.applies(ops.CHAT_ALLOWED)
    everywhere = faults.parse("json-ignored")
    assert all(everywhere.applies(op) for op in ops.OPERATIONS)


def test_the_base_hooks_change_nothing() -> None:
    import asyncio

    fault = faults.Fault()
    reply = Reply(200, XML_TYPE, b"<x/>")
    ctx = faults.Context(ops.CAPACITY, 1001, False, None, {"count": 4})  # type: ignore[arg-type]
    assert asyncio.run(fault.before(0.0)) is False
    assert fault.values(ctx, {"count": 4}) == {"count": 4}
    assert fault.reply(ctx, reply) is reply
    assert fault.survey(Outcome(), b"") is None and fault.headers() == []


def test_set_cookie_adds_its_cookie_and_nothing_else() -> None:
    assert faults.parse("set-cookie").headers() == [
        (b"set-cookie", b"ECEKITLB=lb-session-5f2c9e81d7a4; Path=/; HttpOnly")]


def _ok(*answers: str) -> Outcome:
    return Outcome(sid="1", pairs=[(f"q{i}", a) for i, a in enumerate(answers)])


@pytest.mark.parametrize(("name", "hated", "fine"), [
    ("survey-500-non-ascii", _ok("plain", "café"), _ok("plain", "cafe")),
    ("survey-500-long-answer", _ok("x" * 301), _ok("x" * 300, "y" * 300)),
    ("survey-500-many-pairs", _ok(*"abcdef"), _ok(*"abcde")),
    ("survey-500-malformed", Outcome(status=400, code="not_well_formed"), Outcome(status=400, code="not_a_survey")),
])
def test_survey_500_faults_at_their_thresholds(name: str, hated: Outcome, fine: Outcome) -> None:
    fault = faults.parse(name)
    answer = fault.survey(hated, b"")
    assert answer is not None and answer.status == 500
    assert f"simulated server error (fault {name})".encode() in answer.body
    assert fault.survey(fine, b"") is None


@pytest.mark.parametrize("name", ["survey-500-non-ascii", "survey-500-long-answer", "survey-500-many-pairs"])
def test_survey_500_faults_leave_a_refused_survey_alone(name: str) -> None:
    refused = Outcome(status=400, code="not_a_survey", pairs=[(str(i), "é" + "x" * 400) for i in range(9)])
    assert faults.parse(name).survey(refused, b"") is None


def test_survey_204_only_for_what_is_not_xml_at_all() -> None:
    fault = faults.parse("survey-204-non-xml")
    bad = Outcome(status=400, code="not_well_formed")
    answer = fault.survey(bad, b"hello")
    assert answer is not None and answer.status == 204
    assert fault.survey(bad, b"  \n<egainSurvey") is None  # malformed XML keeps its 400
    assert fault.survey(Outcome(status=400, code="not_a_survey"), b"hello") is None


def test_survey_400_refuses_only_valid_surveys() -> None:
    fault = faults.parse("survey-400-valid")
    answer = fault.survey(_ok("a"), b"")
    assert answer is not None and answer.status == 400 and b'code="115"' in answer.body
    assert fault.survey(Outcome(status=400, code="not_well_formed"), b"") is None


class _Threads:
    """Stands in for threading.Thread in the faults module: records what would be fetched."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def __call__(self, target: Any, args: tuple[str], daemon: bool, name: str) -> _Threads:
        assert target is faults._fetch and daemon and name == "fault-fetch"
        self.urls.extend(args)
        return self

    def start(self) -> None:
        pass


@pytest.fixture
def threads(monkeypatch: pytest.MonkeyPatch) -> _Threads:
    recorder = _Threads()
    monkeypatch.setattr(faults.threading, "Thread", recorder)
    return recorder


def test_the_xxe_fault_fetches_loopback_http_ids_before_the_root(threads: _Threads) -> None:
    body = (b'<?xml version="1.0"?>\n<!DOCTYPE egainSurvey PUBLIC "-//x//EN" \'http://127.0.0.1:9/p.dtd\' [\n'
            b'<!ENTITY a SYSTEM "http://localhost:9/a">\n'
            b"<!ENTITY b SYSTEM 'http://[::1]:9/b'>\n"
            b'<!ENTITY c SYSTEM "file:///etc/passwd">\n'
            b'<!ENTITY d SYSTEM "https://127.0.0.1:9/tls">\n'
            b'<!ENTITY e SYSTEM "http://ece.example.com/x">\n'
            b'<!ENTITY f SYSTEM"http://127.0.0.1:9/nospace">\n'
            b']>\n<egainSurvey sid="1"><!-- SYSTEM "http://127.0.0.1:9/after-the-root" --></egainSurvey>')
    assert faults.parse("survey-fetches-dtd").survey(Outcome(), body) is None
    # SYSTEM with no space before its literal is not XML: no parser would fetch it
    assert threads.urls == ["http://127.0.0.1:9/p.dtd", "http://localhost:9/a", "http://[::1]:9/b"]


def test_the_xxe_fault_stops_after_max_fetches(threads: _Threads) -> None:
    fault = faults.parse("survey-fetches-dtd")
    body = b'<!DOCTYPE egainSurvey SYSTEM "http://127.0.0.1:9/x.dtd"><egainSurvey/>'
    for _ in range(faults.MAX_FETCHES + 5):
        fault.survey(Outcome(), body)
    assert len(threads.urls) == faults.MAX_FETCHES == 200
    assert faults.parse("survey-fetches-dtd").survey(Outcome(), body) is None
    assert len(threads.urls) == 201  # each fault object counts its own


class _Answer:
    def __init__(self, log: list[Any]) -> None:
        self.log = log

    def __enter__(self) -> _Answer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.log.append("closed")

    def read(self, n: int) -> bytes:
        self.log.append(("read", n))
        return b""


def test_fetch_waits_then_reads_a_bounded_answer_without_a_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[Any] = []

    class Opener:
        def open(self, url: str, timeout: float) -> _Answer:
            log.append(("open", url, timeout))
            return _Answer(log)

    def build_opener(*handlers: Any) -> Opener:
        assert len(handlers) == 1 and isinstance(handlers[0], faults.urllib.request.ProxyHandler)
        assert handlers[0].proxies == {}
        return Opener()

    monkeypatch.setattr(faults.time, "sleep", lambda s: log.append(("sleep", s)))
    monkeypatch.setattr(faults.urllib.request, "build_opener", build_opener)
    faults._fetch("http://127.0.0.1:9/x")
    assert log == [("sleep", 0.3), ("open", "http://127.0.0.1:9/x", 1.0), ("read", 64 << 10), "closed"]


@pytest.mark.parametrize("error", [OSError("refused"), ValueError("bad url")])
def test_fetch_swallows_what_a_fetch_can_raise(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    class Opener:
        def open(self, url: str, timeout: float) -> _Answer:
            raise error

    monkeypatch.setattr(faults.time, "sleep", lambda s: None)
    monkeypatch.setattr(faults.urllib.request, "build_opener", lambda *h: Opener())
    faults._fetch("http://127.0.0.1:9/x")  # no exception


def test_huge_body_streams_exactly_its_length_around_a_valid_answer() -> None:
    ctx = faults.Context(ops.CAPACITY, 1001, False, None, {"count": 4})  # type: ignore[arg-type]
    reply = faults.parse("huge-body").reply(ctx, Reply(200, XML_TYPE, b""))
    assert (reply.status, reply.content_type, reply.length) == (200, XML_TYPE, faults.HUGE_BODY_BYTES)
    chunks = list(reply.chunks())  # type: ignore[misc]
    assert sum(len(c) for c in chunks) == faults.HUGE_BODY_BYTES == 64 << 20
    assert chunks[0].endswith(b"\n<!--") and chunks[-1].startswith(b"-->\n</")
    assert max(len(c) for c in chunks[1:-1]) == 64 << 10 and set(chunks[1]) == {ord("x")}


def _ctx(op: ops.Operation, as_json: bool, values: dict[str, Any]) -> faults.Context:
    return faults.Context(op, 1001, as_json, None, values)  # type: ignore[arg-type]


def test_json_disagrees_adds_a_slot_to_the_json_answer_only() -> None:
    fault = faults.parse("json-disagrees")
    assert fault.values(_ctx(ops.CAPACITY, True, {"count": 4}), {"count": 4}) == {"count": 5}
    assert fault.values(_ctx(ops.CAPACITY, False, {"count": 4}), {"count": 4}) == {"count": 4}
    missing = {"count": None}
    assert fault.values(_ctx(ops.CAPACITY, True, missing), missing) is missing


def test_json_ignored_answers_xml_where_json_was_asked() -> None:
    from ecekit.server import render

    fault = faults.parse("json-ignored")
    values = {"count": 4}
    as_json = render.answer(ops.CAPACITY, values, as_json=True)
    replaced = fault.reply(_ctx(ops.CAPACITY, True, values), as_json)
    assert (replaced.status, replaced.content_type) == (200, XML_TYPE)
    assert replaced.body == render.answer(ops.CAPACITY, values, as_json=False).body
    xml = render.answer(ops.CAPACITY, values, as_json=False)
    assert fault.reply(_ctx(ops.CAPACITY, False, values), xml) is xml
    refused = Reply(404, XML_TYPE, b"<error/>")
    assert fault.reply(_ctx(ops.CAPACITY, True, values), refused) is refused
