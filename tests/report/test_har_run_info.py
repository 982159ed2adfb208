"""exchanges.har and the provenance block, in process from hand-made exchanges and targets (the real
runs' files are checked against the HAR 1.2 schema in tests/report/test_reports.py)."""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import jsonschema
import pytest

from ecekit.__about__ import __version__
from ecekit.client import Exchange, TransportError
from ecekit.report import har, run_info
from ecekit.target import Target

HAR_SCHEMA = json.loads((Path(__file__).parent / "har-1.2.schema.json").read_text())


def _get() -> Exchange:
    return Exchange("capacity", "GET", "http://ece.test/system/ws/capacity?entryPointId=1001&x=a%20b", "1001",
                    request_headers={"Accept": "application/xml", "Authorization": "<redacted>"}, status=200,
                    response_headers={"content-type": "application/xml", "location": "/next"},
                    body="<c>é</c>".encode(), elapsed=0.0125, started=1_700_000_000.5)


def test_an_answered_get() -> None:
    item = har.entry(_get())
    assert item["startedDateTime"] == "2023-11-14T22:13:20.500+00:00"
    assert item["time"] == 12.5 and item["timings"]["wait"] == 12.5 and item["timings"]["send"] == 0
    req, resp = item["request"], item["response"]
    assert (req["method"], req["url"], req["httpVersion"]) == ("GET", _get().url, "HTTP/1.1")
    assert req["queryString"] == [{"name": "entryPointId", "value": "1001"}, {"name": "x", "value": "a b"}]
    assert req["headers"] == [{"name": "Accept", "value": "application/xml"},
                              {"name": "Authorization", "value": "<redacted>"}]
    assert req["bodySize"] == 0 and "postData" not in req and req["headersSize"] == -1
    assert (resp["status"], resp["statusText"]) == (200, "OK")
    assert resp["content"] == {"size": 9, "mimeType": "application/xml", "text": "<c>é</c>"}
    assert resp["bodySize"] == 9 and resp["redirectURL"] == "/next"
    assert item["_operation"] == "capacity" and item["_entryPoint"] == "1001" and "_error" not in item


def test_a_survey_post_with_a_binary_answer() -> None:
    ex = Exchange("survey", "POST", "http://ece.test/system/ws/survey", None,
                  request_headers={"Content-Type": "application/xml"}, request_body=b"<s/>", status=599,
                  response_headers={}, body=b"\xff\xfe\x00")
    item = har.entry(ex)
    assert item["request"]["postData"] == {"mimeType": "application/xml", "text": "<s/>", "params": []}
    assert item["request"]["bodySize"] == 4
    content = item["response"]["content"]
    assert content == {"size": 3, "mimeType": "x-unknown", "text": base64.b64encode(b"\xff\xfe\x00").decode(),
                       "encoding": "base64"}
    assert item["response"]["statusText"] == ""  # 599 is no status Python knows
    assert "_entryPoint" not in item and item["startedDateTime"] == "1970-01-01T00:00:00.000+00:00"
    binary = Exchange("survey", "POST", "http://x/", None, request_body=b"\x80\x81")
    post = har.entry(binary)["request"]["postData"]
    assert post == {"mimeType": "application/octet-stream", "text": base64.b64encode(b"\x80\x81").decode(),
                    "params": [], "_encoding": "base64"}
    assert har.entry(Exchange("survey", "POST", "http://x/", None, request_body=b""))["request"]["postData"][
        "text"] == ""


def test_no_answer_is_status_0_with_the_error() -> None:
    ex = Exchange("capacity", "GET", "http://x/", "1", error=TransportError.TIMEOUT, error_detail="read timed out",
                  elapsed=5.0)
    item = har.entry(ex)
    assert (item["response"]["status"], item["response"]["statusText"]) == (0, "")
    assert item["response"]["content"] == {"size": 0, "mimeType": "x-unknown", "text": ""}
    assert item["_error"] == "timeout: read timed out" and item["time"] == 5000.0


def test_the_document_is_har_1_2_and_written_atomically(tmp_path: Path) -> None:
    doc = har.document([_get(), _get()], comment="ecekit check")
    jsonschema.validate(doc, HAR_SCHEMA)
    assert doc["log"]["version"] == "1.2" and doc["log"]["creator"] == {"name": "ecekit", "version": __version__}
    assert doc["log"]["comment"] == "ecekit check" and len(doc["log"]["entries"]) == 2
    assert "comment" not in har.document([])["log"] and doc["log"]["pages"] == []
    path = har.write([_get()], tmp_path / "new", comment="c")
    assert path == tmp_path / "new" / "exchanges.har"
    assert json.loads(path.read_text(encoding="utf-8")) == har.document([_get()], comment="c")
    assert sorted(p.name for p in path.parent.iterdir()) == ["exchanges.har"]


@pytest.mark.parametrize(("url", "shown"), [
    # the password is hidden, the user kept (redaction.py: it opens nothing and says which account ran)
    ("https://user:secret@ece.example/system", "https://user:<redacted>@ece.example/system"),
    ("https://a:b@c@ece.example:8443/x?q=1", "https://a:<redacted>@ece.example:8443/x?q=1"),
    ("https://TOKEN@ece.example/system", "https://<redacted>@ece.example/system"),  # a lone user: a token
    ("https://ece.example/system", "https://ece.example/system"),
    (None, None),
])
def test_credentials_never_reach_a_report(url: str | None, shown: str | None) -> None:
    assert run_info.without_credentials(url) == shown


def test_target_info_hides_header_values_and_says_what_was_tested() -> None:
    target = Target(base_url="https://u:p@ece.example/system", entry_points=("1001",),
                    inactive_entry_points=("1002",), invalid_entry_points=("9",),
                    headers={"Authorization": "Bearer s3cr3t"}, insecure=True)
    info = run_info.target_info(target, faults=("capacity-500",))
    assert info["base_url"] == "https://u:<redacted>@ece.example/system"
    assert info["headers"] == {"Authorization": "<redacted>"} and "s3cr3t" not in json.dumps(info)
    assert (info["entry_points"], info["inactive_entry_points"], info["invalid_entry_points"]) == (
        ["1001"], ["1002"], ["9"])
    assert info["faults"] == ["capacity-500"] and info["insecure"] is True and info["embedded"] is True
    assert info["max_response_time"] == target.max_response_time and info["read_timeout"] == target.read_timeout
    plain = run_info.target_info(Target(base_url="https://ece.example/system"))
    assert plain["embedded"] is False and "faults" not in plain and "insecure" not in plain
    assert run_info.target_info(Target())["embedded"] is True


def test_xsd_hashes_and_the_header(tmp_path: Path) -> None:
    (tmp_path / "b.xsd").write_text("<b/>")
    (tmp_path / "a.xsd").write_text("<a/>")
    (tmp_path / "notes.txt").write_text("x")
    own = run_info.xsd_hashes(tmp_path)
    assert own == {"dir": str(tmp_path), "hashes": {"a.xsd": hashlib.sha256(b"<a/>").hexdigest(),
                                                     "b.xsd": hashlib.sha256(b"<b/>").hexdigest()}}
    assert list(own["hashes"]) == ["a.xsd", "b.xsd"]
    bundled = run_info.xsd_hashes(None)
    assert bundled["dir"] == "ecekit's bundled xsd/" and {"eGainBosh.xsd", "eGainSurvey.xsd"} <= set(bundled["hashes"])
    data = run_info.header(Target(xsd_dir=str(tmp_path)), faults=("drop",), seed=3)
    assert data["ecekit_version"] == __version__ and data["seed"] == 3
    assert data["target"]["faults"] == ["drop"] and data["xsd"] == own
    assert len(data["started"]) >= 24 and data["started"][4] == "-" and data["started"][10] == "T"
    assert "seed" not in run_info.header(Target())
