"""`ecekit check --origin` sends the browser's CORS preflight and judges it: green on the clean server,
red (exit 1, the failure naming the preflight, with its curl line) when the survey's preflight is
refused while every simple request still passes; and without --origin no preflight is sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import run_check

pytestmark = pytest.mark.slow
SITE = "https://www.example.com"


def methods(out: Path) -> list[tuple[str, str]]:
    entries = json.loads((out / "exchanges.har").read_text())["log"]["entries"]
    return [(e["request"]["method"], e["request"]["url"]) for e in entries]


def test_the_clean_server_passes_its_preflight(tmp_path: Path) -> None:
    result = run_check(tmp_path, "--origin", SITE, "--out", str(tmp_path / "out"))
    assert result.code == 0, result.output[-3000:]
    assert result.failed_checks() == {}
    assert 'name="ecekit.preflight"' in result.junit.read_text()
    options = [url for method, url in methods(tmp_path / "out") if method == "OPTIONS"]
    assert len(options) == 1 and options[0].endswith("/egain/chat/entrypoint/survey"), options


def test_a_refused_preflight_fails_the_run_and_only_it(tmp_path: Path) -> None:
    result = run_check(tmp_path, "--origin", SITE, "--fault", "preflight-refused")
    assert result.code == 1, result.output[-3000:]
    assert result.failed_checks() == {"preflight": 1}, result.output[-3000:]
    assert (f"a page on {SITE} cannot send the survey (POST with Content-Type: application/xml): the browser "
            "refuses its CORS preflight: OPTIONS answered HTTP 403") in result.output
    assert ("curl -sS -i --max-time 30 -X OPTIONS -H 'Accept: */*' -H 'Origin: https://www.example.com' "
            "-H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type' "
            "http://127.0.0.1:") in result.output
    assert "Traceback" not in result.output


def test_without_an_origin_no_preflight_is_sent(tmp_path: Path) -> None:
    """Not even with a header a browser would preflight: the guide says nothing of CORS."""
    result = run_check(tmp_path, "--header", "X-Site: a", "--out", str(tmp_path / "out"))
    assert result.code == 0, result.output[-3000:]
    assert "preflight" not in result.junit.read_text()
    assert {method for method, _ in methods(tmp_path / "out")} == {"GET"}
