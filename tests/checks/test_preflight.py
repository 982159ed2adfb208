"""The ``preflight`` check (``--origin``) on hand-made answers, rule by rule as the Fetch standard has
them, and the requests a page's browser preflights. A refusal here must be one a browser makes; where
the standard lets a server leave something out, the check must pass."""

from __future__ import annotations

import dataclasses

import pytest

from ecekit import operations as ops
from ecekit.checks.base import Context, Observation
from ecekit.checks.preflight import (
    Preflight,
    preflight,
    preflight_for,
    preflights,
    refusals,
    unsafe_header_names,
)
from ecekit.client import Exchange, TransportError

from .helpers import TARGET

SITE = "https://www.example.com"
SITE_TARGET = dataclasses.replace(TARGET, origin=SITE)
SURVEY = Preflight(ops.SURVEY, "POST", ("content-type",), "the survey (POST with Content-Type: application/xml)")
ALLOWING = {"access-control-allow-origin": SITE, "access-control-allow-methods": "POST",
            "access-control-allow-headers": "content-type"}


def observe(status: int | None = 204, headers: dict[str, str] | None = None, *, asked: Preflight = SURVEY,
            error: TransportError | None = None) -> Observation:
    """The answer to ``asked``'s OPTIONS: ``headers`` (default: everything allowed), lower-case names."""
    ex = Exchange(asked.operation.name, "OPTIONS", TARGET.url(asked.operation, "1001"), None,
                  asked.request_headers(SITE), status=status,
                  response_headers=dict(ALLOWING if headers is None else headers))
    if error is not None:
        ex.status, ex.error, ex.error_detail = None, error, "simulated"
    return Observation(ex, asked.operation, Context(SITE_TARGET))


def why(obs: Observation, *, credentials: bool = False) -> list[str]:
    return [reason for reason, _, _ in refusals(obs, credentials=credentials)]


def without(name: str, **more: str) -> dict[str, str]:
    return {**{k: v for k, v in ALLOWING.items() if k != name}, **more}


# ------------------------------------------------------------------------------------------- status
@pytest.mark.parametrize("status", [200, 204, 299])
def test_any_2xx_is_a_successful_preflight(status: int) -> None:
    assert preflight(observe(status)) == []


@pytest.mark.parametrize("status", [403, 405, 301, 404, 500, 199])
def test_a_preflight_answered_with_anything_else_is_refused(status: int) -> None:
    assert why(observe(status)) == [f"OPTIONS answered HTTP {status}"]


def test_no_answer_to_the_preflight_is_refused() -> None:
    (violation,) = preflight(observe(error=TransportError.TIMEOUT))
    assert "no answer to the preflight" in violation.message and "timeout" in violation.actual


# ----------------------------------------------------------------------------- Access-Control-Allow-Origin
@pytest.mark.parametrize("allow", [SITE, "*", f" {SITE} "])
def test_the_origin_or_a_star_is_allowed(allow: str) -> None:
    assert why(observe(headers=without("access-control-allow-origin", **{"access-control-allow-origin": allow}))) == []


@pytest.mark.parametrize("allow", [
    SITE + "/",  # browsers compare byte for byte
    "https://WWW.example.com", "http://www.example.com", "https://www.example.com:8443", "null", "",
    f"{SITE}, https://other.example",  # two values (two headers, or a list): never a match
])
def test_another_allowed_origin_is_refused(allow: str) -> None:
    headers = without("access-control-allow-origin", **{"access-control-allow-origin": allow})
    assert why(observe(headers=headers)) == [f"Access-Control-Allow-Origin names another origin than {SITE}"]


def test_no_allowed_origin_is_refused() -> None:
    assert why(observe(headers=without("access-control-allow-origin"))) == ["no Access-Control-Allow-Origin"]


def test_with_credentials_the_star_origin_is_refused_and_the_origin_needs_allow_credentials() -> None:
    star = without("access-control-allow-origin", **{"access-control-allow-origin": "*"})
    assert why(observe(headers=star), credentials=True) == [
        "Access-Control-Allow-Origin is * for a request with credentials"]
    assert why(observe(), credentials=True) == [
        "no Access-Control-Allow-Credentials: true for a request with credentials"]
    allowed = {**ALLOWING, "access-control-allow-credentials": "true"}
    assert why(observe(headers=allowed), credentials=True) == []


# ---------------------------------------------------------------------------- Access-Control-Allow-Methods
PUT = Preflight(ops.SURVEY, "PUT", ("content-type",), "a PUT")


def test_a_safelisted_method_needs_no_allow_methods() -> None:
    """POST, GET and HEAD are CORS-safelisted: a server may leave Access-Control-Allow-Methods out."""
    assert why(observe(headers=without("access-control-allow-methods"))) == []
    only_get = without("access-control-allow-methods", **{"access-control-allow-methods": "GET"})
    assert why(observe(headers=only_get)) == []
    get = Preflight(ops.CHAT_ALLOWED, "GET", ("x-site",), "chatAllowed")
    assert why(observe(headers={"access-control-allow-origin": SITE, "access-control-allow-headers": "x-site"},
                       asked=get)) == []


@pytest.mark.parametrize(("allow", "refused"), [
    (None, True), ("GET, POST", True), ("put", True), ("GET, PUT", False), (" GET ,, PUT ", False), ("*", False),
])
def test_another_method_must_be_allowed(allow: str | None, refused: bool) -> None:
    headers = without("access-control-allow-methods", **({"access-control-allow-methods": allow} if allow else {}))
    reasons = why(observe(headers=headers, asked=PUT))
    assert reasons == (["Access-Control-Allow-Methods does not allow PUT"
                        + (" (methods match case-sensitively)" if allow == "put" else "")] if refused else [])


def test_the_star_method_does_not_count_with_credentials() -> None:
    headers = {**ALLOWING, "access-control-allow-methods": "*", "access-control-allow-credentials": "true"}
    assert why(observe(headers=headers, asked=PUT), credentials=True) == [
        "Access-Control-Allow-Methods does not allow PUT"]


@pytest.mark.parametrize("allow", ["POST;", "POST GET", "(POST)"])
def test_allow_methods_that_is_no_list_of_methods_is_refused_even_for_post(allow: str) -> None:
    headers = {**ALLOWING, "access-control-allow-methods": allow}
    assert why(observe(headers=headers)) == ["Access-Control-Allow-Methods is not a comma-separated list of methods"]


# ---------------------------------------------------------------------------- Access-Control-Allow-Headers
@pytest.mark.parametrize("allow", ["content-type", "Content-Type", "CONTENT-TYPE", "x-a, Content-Type", "*",
                                   "content-type,,"])
def test_the_requested_header_is_allowed_in_any_case_or_by_a_star(allow: str) -> None:
    assert why(observe(headers={**ALLOWING, "access-control-allow-headers": allow})) == []


@pytest.mark.parametrize("allow", [None, "", "x-content-type", "content_type", "accept"])
def test_a_requested_header_not_allowed_is_refused(allow: str | None) -> None:
    headers = without("access-control-allow-headers",
                      **({"access-control-allow-headers": allow} if allow is not None else {}))
    assert why(observe(headers=headers)) == ["Access-Control-Allow-Headers does not allow content-type"]


def test_every_missing_header_is_named() -> None:
    asked = Preflight(ops.SURVEY, "POST", ("content-type", "x-a", "x-b"), "the survey")
    headers = {**ALLOWING, "access-control-allow-headers": "X-A"}
    assert why(observe(headers=headers, asked=asked)) == [
        "Access-Control-Allow-Headers does not allow content-type, x-b"]


def test_the_star_header_does_not_count_with_credentials_nor_for_authorization() -> None:
    star = {**ALLOWING, "access-control-allow-headers": "*", "access-control-allow-credentials": "true"}
    assert why(observe(headers=star), credentials=True) == ["Access-Control-Allow-Headers does not allow content-type"]
    asked = Preflight(ops.SURVEY, "POST", ("authorization", "content-type"), "the survey")
    assert why(observe(headers=star, asked=asked)) == [
        "Access-Control-Allow-Headers does not allow authorization (* does not cover Authorization)"]
    named = {**star, "access-control-allow-headers": "*, Authorization"}
    assert why(observe(headers=named, asked=asked)) == []


def test_allow_headers_that_is_no_list_of_names_is_refused() -> None:
    headers = {**ALLOWING, "access-control-allow-headers": "content-type; x-a"}
    assert why(observe(headers=headers)) == [
        "Access-Control-Allow-Headers is not a comma-separated list of header names"]


# ----------------------------------------------------------------------------------------- the verdict
def test_one_violation_names_what_the_browser_refuses_for_which_request() -> None:
    (violation,) = preflight(observe(403, {}), what=SURVEY.what)
    assert violation.check == "preflight" and violation.operation == "survey"
    assert violation.message == (
        f"a page on {SITE} cannot send the survey (POST with Content-Type: application/xml): the browser "
        "refuses its CORS preflight: OPTIONS answered HTTP 403; no Access-Control-Allow-Origin; "
        "Access-Control-Allow-Headers does not allow content-type")
    assert violation.actual == "HTTP 403; no Access-Control-Allow-Origin; no Access-Control-Allow-Headers"
    assert "OPTIONS" in violation.remedy


def test_the_request_is_the_browsers_preflight_and_its_curl_line_reproduces_it() -> None:
    ex = observe().exchange
    assert ex.request_headers == {"Accept": "*/*", "Origin": SITE, "Access-Control-Request-Method": "POST",
                                  "Access-Control-Request-Headers": "content-type"}
    assert ex.curl() == ("curl -sS -i --max-time 30 -X OPTIONS -H 'Accept: */*' -H 'Origin: https://www.example.com' "
                         "-H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type' "
                         "http://ece.test/system/egain/chat/entrypoint/survey")
    assert "Access-Control-Request-Headers" not in Preflight(ops.SURVEY, "PUT", (), "").request_headers(SITE)


# ------------------------------------------------------------------------ what a page's browser preflights
@pytest.mark.parametrize(("headers", "unsafe"), [
    ({"Content-Type": "application/xml"}, ("content-type",)),
    ({"Content-Type": "text/xml;charset=utf-8"}, ("content-type",)),
    ({"Content-Type": "application/json"}, ("content-type",)),
    ({"Content-Type": "text/plain;charset=utf-8"}, ()),
    ({"content-type": "application/x-www-form-urlencoded"}, ()),
    ({"Content-Type": "text/plain; x=\"(\""}, ("content-type",)),  # a CORS-unsafe byte
    ({"Accept": "application/json", "Accept-Language": "en-GB, de;q=0.5", "Content-Language": "en"}, ()),
    ({"Accept": "application/xml{"}, ("accept",)),
    ({"Accept-Language": "en/GB"}, ("accept-language",)),
    ({"Range": "bytes=0-100"}, ()), ({"Range": "bytes=100-0"}, ("range",)), ({"Range": "bytes=-5"}, ("range",)),
    ({"X-Site": "a", "Authorization": "Basic x"}, ("authorization", "x-site")),
    ({"Cookie": "a=b", "Sec-Foo": "1", "Proxy-Foo": "1", "Origin": "x", "User-Agent": "x"}, ("user-agent",)),
    ({"Accept": "a" * 129}, ("accept",)),
    ({"Accept": "a" * 128, "Accept-Language": "b" * 128, "Content-Language": "c" * 128,
      "Content-Type": "text/plain;" + "d" * 117, "Range": "bytes=0-1"}, ()),  # 128 bytes each at most
])
def test_the_unsafe_header_names_are_the_standards(headers: dict[str, str], unsafe: tuple[str, ...]) -> None:
    assert unsafe_header_names(headers) == unsafe


def test_a_simple_request_needs_no_preflight() -> None:
    assert preflight_for(ops.CHAT_ALLOWED, {"Accept": "application/json"}, "") is None
    assert preflight_for(ops.SURVEY, {"Content-Type": "text/plain"}, "") is None
    assert preflight_for(ops.SURVEY, {"Content-Type": "application/xml"}, "x") == Preflight(
        ops.SURVEY, "POST", ("content-type",), "x")


def test_the_preflights_of_a_sites_pages() -> None:
    assert preflights(TARGET) == []  # no --origin: nothing is preflighted
    (survey,) = preflights(SITE_TARGET)
    assert survey == SURVEY
    status, survey = preflights(SITE_TARGET.replace(headers={"X-Site": "secret-value", "Accept-Language": "en"}))
    assert (status.operation, status.method, status.header_names) == (ops.CHAT_ALLOWED, "GET", ("x-site",))
    assert status.what == "chatAllowed (GET with x-site)"
    assert survey.header_names == ("content-type", "x-site")
    assert survey.what == "the survey (POST with Content-Type: application/xml and x-site)"
    assert "secret-value" not in repr([status, survey])
    (status, _) = preflights(SITE_TARGET.replace(headers={"X-Site": "a"}, widget="eligibility"))
    assert status.operation is ops.CHECK_ELIGIBILITY
