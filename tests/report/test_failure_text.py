"""The text of one failure, in process: the one-line headline, what came back, and a curl line that
still works for a long request body."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ecekit.checks.base import Violation
from ecekit.client import Exchange
from ecekit.report import failure


def _v(message: str = "bad", **more: str) -> Violation:
    return Violation("xsd", "capacity", message, entry_point="1001", **more)


def test_headline_is_the_first_line_of_the_first_violation_and_a_count() -> None:
    assert failure.headline([]) == "no violations"
    assert failure.headline([_v("bad\nsecond line")]) == "xsd · capacity [1001]: bad"
    assert failure.headline([_v(), _v(), _v()]) == "xsd · capacity [1001]: bad (+2 more)"
    assert failure.headline([_v(), _v()]) == "xsd · capacity [1001]: bad (+1 more)"


def test_headline_is_cut_at_300_characters_before_the_count() -> None:
    prefix = len("xsd · capacity [1001]: ")
    one = failure.headline([_v("m" * 400)])
    assert len(one) == 300 and one.endswith("m")
    two = failure.headline([_v("m" * 400), _v()])
    assert two == "xsd · capacity [1001]: " + "m" * (300 - prefix) + " (+1 more)"
    assert failure.headline([_v("bell\x07")]) == "xsd · capacity [1001]: bell\\x07"


def test_exchange_lines_show_the_body_indented_and_the_curl_line() -> None:
    ex = Exchange("capacity", "GET", "http://x/ws/capacity", "1001", status=500,
                  response_headers={"content-type": "text/plain"}, body=b"line one\nline two", elapsed=0.002)
    lines = failure.exchange_lines(ex)
    assert lines[0] == "request:   GET http://x/ws/capacity"
    assert lines[1] == "response:  HTTP 500, Content-Type text/plain, 17 bytes in 2.0 ms"
    assert lines[2] == "body:      line one\n           line two"
    assert lines[3] == f"reproduce: {ex.curl()}"
    assert len(failure.exchange_lines(Exchange("capacity", "GET", "http://x/", "1", status=204))) == 3


@pytest.fixture
def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_long_request_body_goes_to_a_file_the_curl_line_reads(in_tmp: Path) -> None:
    short = b"s" * failure.INLINE_REQUEST_BODY
    ex = Exchange("survey", "POST", "http://x/ws/survey", None, request_body=short)
    assert failure.curl_line(ex) == ex.curl()  # at the limit: inline
    assert not (in_tmp / ".ecekit").exists()
    long = short + b"!"
    line = failure.curl_line(Exchange("survey", "POST", "http://x/ws/survey", None, request_body=long))
    name = hashlib.sha256(long).hexdigest()[:16] + ".body"
    assert line.endswith(f" --data-binary @.ecekit/requests/{name}")
    assert "sss" not in line
    assert (in_tmp / ".ecekit" / "requests" / name).read_bytes() == long


def test_a_saved_body_is_written_once(in_tmp: Path) -> None:
    path = failure.save_request_body(b"abc")
    assert path == Path(".ecekit") / "requests" / (hashlib.sha256(b"abc").hexdigest()[:16] + ".body")
    path.write_bytes(b"kept")
    assert failure.save_request_body(b"abc") == path and path.read_bytes() == b"kept"
