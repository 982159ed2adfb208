"""The fault ``preflight-refused``: the survey's CORS preflight gets 403 and no Access-Control-Allow-*
header, while every simple request, and the status operations' preflights, are answered as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecekit import operations as ops
from ecekit.server.app import EceApp
from ecekit.server.runtime import build_app
from tests.server.asgi import Answer, call
from tests.server.helpers import survey_xml

SITE = b"https://www.example.com"
ROOT = "/system"


def app(tmp_path: Path, *faults: str) -> EceApp:
    return build_app(surveys_db=tmp_path / "surveys.sqlite3", cors_origins=(SITE.decode(),), faults=faults)


def preflight(server: EceApp, op: ops.Operation, method: str, requested: bytes) -> Answer:
    return call(server, "OPTIONS", ROOT + op.url_path(1001), headers=[
        (b"origin", SITE), (b"access-control-request-method", method.encode()),
        (b"access-control-request-headers", requested)])


def allowances(answer: Answer) -> set[bytes]:
    return {name for name in answer.headers if name.startswith(b"access-control-allow-")}


@pytest.mark.parametrize("faults", [(), ("preflight-refused",)], ids=["clean", "preflight-refused"])
def test_the_fault_refuses_the_surveys_preflight_only(tmp_path: Path, faults: tuple[str, ...]) -> None:
    server = app(tmp_path, *faults)
    survey = preflight(server, ops.SURVEY, "POST", b"content-type")
    if faults:
        assert survey.status == 403 and allowances(survey) == set()
    else:
        assert survey.status == 204
        assert survey.headers[b"access-control-allow-origin"] == SITE
        assert survey.headers[b"access-control-allow-headers"] == b"content-type"
    status = preflight(server, ops.CHAT_ALLOWED, "GET", b"x-site")
    assert status.status == 204 and status.headers[b"access-control-allow-origin"] == SITE
    simple = call(server, "GET", ROOT + ops.CHAT_ALLOWED.url_path(1001), headers=[(b"origin", SITE)])
    assert simple.status == 200 and simple.headers[b"access-control-allow-origin"] == SITE
    posted = call(server, "POST", ROOT + ops.SURVEY.url_path(), body=survey_xml(),
                  headers=[(b"origin", SITE), (b"content-type", b"application/xml")])
    assert posted.status == 204 and posted.headers[b"access-control-allow-origin"] == SITE


def test_an_origin_the_server_does_not_allow_is_refused_either_way(tmp_path: Path) -> None:
    answer = call(app(tmp_path), "OPTIONS", ROOT + ops.SURVEY.url_path(), headers=[
        (b"origin", b"https://other.example"), (b"access-control-request-method", b"POST")])
    assert answer.status == 403 and allowances(answer) == set()
