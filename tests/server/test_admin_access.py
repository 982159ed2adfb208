"""Beyond loopback the admin API answers only its owner: 401 and no change without the bearer token.

"Beyond loopback" is never bound here: the gate is a function of the configured host
(:func:`ecekit.server.access.admin_access`), so the app is built as if on 0.0.0.0 and called in-process
(or listens on 127.0.0.1 with ``as_if_host``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from ecekit.errors import UsageError
from ecekit.loopback import is_loopback
from ecekit.server import access, admin
from ecekit.server import faults as faults_mod
from ecekit.server.app import ADMIN_PREFIX, EceApp
from ecekit.server.embedded import running_server
from tests.server.asgi import JSON, bearer, call, dump, good_request, make_app

ROUTE_IDS = [f"{r.method} {r.path}" for r in admin.ROUTES]
CHANGES = {("PUT", "state"), ("POST", "reset"), ("PATCH", "{kind}/{name}"), ("POST", "faults"),
           ("DELETE", "faults"), ("DELETE", "faults/{name}")}


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", "LOCALHOST"])
def test_loopback_hosts_keep_the_admin_api_open(host: str) -> None:
    assert is_loopback(host)
    assert access.admin_access(host, None) == access.AdminAccess(None)
    assert access.exposure_notice(host, 8080, ["capacity-500"], None) is None


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "[::]", "192.168.1.20", "10.0.0.5", "fe80::1%eth0",
                                  "ece-lab.example.com", "127.0.0.1.nip.io"])
def test_every_other_host_gets_a_generated_token(host: str) -> None:
    assert not is_loopback(host)
    gate = access.admin_access(host, None)
    assert gate.required and gate.generated
    assert gate.token is not None and len(gate.token) >= 40
    assert access.admin_access(host, None).token != gate.token  # fresh each start


@pytest.mark.parametrize("host", ["127.0.0.1", "0.0.0.0"])
def test_a_chosen_token_is_required_anywhere(host: str) -> None:
    gate = access.admin_access(host, "chosen-token-0123456789")
    assert (gate.token, gate.generated) == ("chosen-token-0123456789", False)


@pytest.mark.parametrize("token", ["", "with space", "tab\there", "naïve"])
def test_a_token_a_header_cannot_carry_is_a_usage_error(token: str) -> None:
    with pytest.raises(access.UsageError, match="visible ASCII"):
        access.admin_access("0.0.0.0", token)


@pytest.mark.parametrize(("header", "reason"), [
    (b"", "no Authorization header"),
    (b"Basic dXNlcjpwYXNz", "must be 'Bearer TOKEN'"),
    (b"the-token-0123456789", "must be 'Bearer TOKEN'"),
    (b"Bearer", "wrong admin token"),
    (b"Bearer the-token-012345678", "wrong admin token"),  # a prefix
    (b"Bearer the-token-01234567890", "wrong admin token"),  # an extension
    (b"Bearer THE-TOKEN-0123456789", "wrong admin token"),
    (b"Bearer the-token-0123456789", None),
    (b"bearer   the-token-0123456789 ", None),
])
def test_refusal_reasons(header: bytes, reason: str | None) -> None:
    refusal = access.AdminAccess("the-token-0123456789").refusal(header)
    if reason is None:
        assert refusal is None
    else:
        assert refusal is not None and reason in refusal


@pytest.fixture
def exposed(tmp_path: Path) -> EceApp:
    """An admin app gated as if listening on 0.0.0.0, with a fault on so that clearing changes
    something too."""
    app = make_app(tmp_path, access.admin_access("0.0.0.0", None))
    app.set_faults([faults_mod.parse("capacity-500")])
    return app


def _token(app: EceApp) -> str:
    assert app.admin is not None and app.admin.access.token is not None
    return app.admin.access.token


def _other_last(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


WRONG_AUTH: dict[str, Callable[[str], bytes | None]] = {
    "missing": lambda t: None,
    "other token": lambda t: b"Bearer wrong",
    "basic": lambda t: b"Basic YWRtaW46YWRtaW4=",
    "no scheme": lambda t: t.encode(),
    "prefix": lambda t: b"Bearer " + t[:-1].encode(),
    "last character": lambda t: b"Bearer " + _other_last(t).encode(),
}


@pytest.mark.parametrize("route", admin.ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("auth", WRONG_AUTH)
def test_exposed_without_the_token_every_route_is_401_and_nothing_changes(
        exposed: EceApp, route: admin.Route, auth: str) -> None:
    token = _token(exposed)
    header = WRONG_AUTH[auth](token)
    method, path, body = good_request(route)
    before = dump(exposed)
    answer = call(exposed, method, path, body=body,
                  headers=[JSON, *([(b"authorization", header)] if header else [])])
    assert answer.status == 401
    assert answer.headers[b"www-authenticate"].startswith(b"Bearer")
    assert answer.headers[b"content-type"] == b"application/json"
    problem = answer.json()
    assert problem["error"] and "Authorization: Bearer TOKEN" in problem["remedy"]
    assert token not in answer.body.decode()
    assert dump(exposed) == before


def test_exposed_without_the_token_even_unknown_paths_say_nothing(exposed: EceApp) -> None:
    for method, path in [("GET", ADMIN_PREFIX), ("GET", ADMIN_PREFIX + "/nothing"),
                         ("DELETE", ADMIN_PREFIX + "/state")]:
        assert call(exposed, method, path).status == 401


@pytest.mark.parametrize("route", admin.ROUTES, ids=ROUTE_IDS)
def test_exposed_with_the_token_every_route_works(exposed: EceApp, route: admin.Route) -> None:
    method, path, body = good_request(route)
    before = dump(exposed)
    answer = call(exposed, method, path, body=body, headers=[JSON, bearer(_token(exposed))])
    assert answer.status in (200, 201), answer.body
    assert (dump(exposed) != before) == ((route.method, route.path) in CHANGES)


@pytest.mark.parametrize("route", admin.ROUTES, ids=ROUTE_IDS)
def test_loopback_without_a_token_works_as_before(tmp_path: Path, route: admin.Route) -> None:
    app = make_app(tmp_path, access.admin_access("127.0.0.1", None))
    app.set_faults([faults_mod.parse("capacity-500")])
    method, path, body = good_request(route)
    assert call(app, method, path, body=body, headers=[JSON]).status in (200, 201)


def test_loopback_with_a_chosen_token_requires_it(tmp_path: Path) -> None:
    app = make_app(tmp_path, access.admin_access("127.0.0.1", "chosen-token-0123456789"))
    assert call(app, "GET", ADMIN_PREFIX + "/state").status == 401
    assert call(app, "GET", ADMIN_PREFIX + "/state", headers=[bearer("chosen-token-0123456789")]).status == 200


def test_the_token_is_checked_before_the_body_is_read(exposed: EceApp) -> None:
    """A stranger cannot make the server buffer a megabyte: the 401 comes with the body unread."""
    answer = call(exposed, "PUT", ADMIN_PREFIX + "/state", body=b"x" * (2 << 20),
                  headers=[JSON, (b"content-length", str(2 << 20).encode())], chunks=[1024] * 4)
    assert answer.status == 401


def test_over_http_as_if_on_0000_then_with_the_handles_token() -> None:
    """The whole stack (uvicorn passing the header through), listening on 127.0.0.1 only."""
    with running_server(admin=True, as_if_host="0.0.0.0") as srv, requests.Session() as http:
        assert srv.admin_url is not None and srv.admin_token
        assert srv.base_url.startswith("http://127.0.0.1:")
        refused = http.patch(srv.admin_url + "/agents/alice", json={"available": False}, timeout=5)
        assert refused.status_code == 401 and "no Authorization header" in refused.json()["error"]
        assert http.get(srv.admin_url + "/state", timeout=5).status_code == 401
        accepted = http.patch(srv.admin_url + "/agents/alice", json={"available": False},
                              headers=srv.admin_headers, timeout=5)
        assert accepted.status_code == 200
        assert accepted.json()["agents"]["alice"]["available"] is False


def test_subprocess_server_takes_the_token_from_the_environment() -> None:
    """`ecekit serve --admin` with ECEKIT_ADMIN_TOKEN set (as testing.py passes it: not in argv)."""
    token = "sub-process-token-0123456789"
    with running_server(admin=True, admin_token=token, subprocess=True) as srv:
        assert srv.admin_url is not None
        assert requests.get(srv.admin_url + "/stats", timeout=5).status_code == 401
        assert requests.get(srv.admin_url + "/stats", headers=srv.admin_headers, timeout=5).ok
        srv.reset()  # through the admin API, with the token
        assert srv.process is not None and token not in " ".join(map(str, srv.process.args))


def test_as_if_host_needs_an_in_thread_server() -> None:
    with pytest.raises(TypeError, match="in-thread"):
        running_server(admin=True, as_if_host="0.0.0.0", subprocess=True).__enter__()


@pytest.mark.parametrize(("url", "loopback"), [
    ("http://127.0.0.1:8080/system", True), ("http://[::1]:8080", True), ("http://localhost", True),
    ("http://0.0.0.0:8080", False), ("http://192.168.1.20", False), ("https://ece.example.com", False),
])
def test_load_guards_its_targets_with_the_same_loopback_test(url: str, loopback: bool) -> None:
    from ecekit.loopback import is_loopback_url

    assert is_loopback_url(url) is loopback


def test_exposure_notice_names_the_host_port_and_faults() -> None:
    line = access.exposure_notice("192.168.1.20", 8080, ["capacity-500", "latency=50ms"],
                                  access.AdminAccess("t" * 20))
    assert line is not None and "\n" not in line
    assert "192.168.1.20" in line and "port 8080" in line
    assert "capacity-500, latency=50ms" in line and "bearer token" in line
    assert access.faults_notice("192.168.1.20", 8080, ["drop"]).endswith(
        "(served to anyone who can reach 192.168.1.20:8080, not only this machine)")
    assert access.faults_notice("127.0.0.1", 8080, ["drop"]) == "ecekit serve: faults on: drop"


@pytest.fixture
def open_app(tmp_path: Path) -> EceApp:
    app = make_app(tmp_path, access.admin_access("127.0.0.1", None))
    app.set_faults([faults_mod.parse("capacity-500")])
    return app


WEB_PAGE = {
    "cross-origin page": [(b"origin", b"https://stranger.example")],
    "fetch metadata": [(b"sec-fetch-site", b"cross-site"), (b"sec-fetch-mode", b"no-cors")],
    "same-origin fetch": [(b"sec-fetch-site", b"same-origin")],
    "DNS rebinding": [(b"host", b"rebind.stranger.example:8080")],
}


@pytest.mark.parametrize("route", admin.ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("sent", WEB_PAGE)
def test_an_open_admin_api_refuses_what_a_web_page_sends(open_app: EceApp, route: admin.Route,
                                                         sent: str) -> None:
    """On loopback without a token, a page the owner's browser opens must not reset the state or add
    a fault (a POST /reset needs no CORS preflight): 403, nothing changed."""
    method, path, body = good_request(route)
    before = dump(open_app)
    answer = call(open_app, method, path, body=body, headers=[JSON, *WEB_PAGE[sent]])
    assert answer.status == 403
    assert "--admin-token" in answer.json()["remedy"]
    assert dump(open_app) == before


@pytest.mark.parametrize("headers", [
    [(b"host", b"127.0.0.1:8080")], [(b"host", b"localhost:8080")], [(b"host", b"[::1]:8080")],
    [(b"host", b"127.0.0.1:8080"), (b"sec-fetch-site", b"none")],  # typed in the address bar
])
def test_an_open_admin_api_answers_scripts_and_the_address_bar(open_app: EceApp,
                                                               headers: list[tuple[bytes, bytes]]) -> None:
    assert call(open_app, "POST", ADMIN_PREFIX + "/reset", headers=headers).status == 200


def test_with_a_token_a_web_page_of_the_owner_may_drive_it(exposed: EceApp) -> None:
    answer = call(exposed, "POST", ADMIN_PREFIX + "/reset",
                  headers=[(b"origin", b"https://dashboard.example"), bearer(_token(exposed))])
    assert answer.status == 200


def test_cors_for_every_origin_still_keeps_pages_off_the_open_admin_api() -> None:
    """`ecekit serve --admin --cors-origin '*'`: the preflight may pass, the request itself does not."""
    with running_server(admin=True, cors_origins=("*",)) as srv, requests.Session() as http:
        assert srv.admin_url is not None and srv.app is not None
        page = {"Origin": "https://stranger.example"}
        refused = http.post(srv.admin_url + "/faults", json={"fault": "capacity-500"}, headers=page,
                            timeout=5)
        assert refused.status_code == 403
        assert http.post(srv.admin_url + "/reset", headers=page, timeout=5).status_code == 403
        assert srv.app.faults == ()
        assert http.post(srv.admin_url + "/faults", json={"fault": "capacity-500"}, timeout=5).status_code == 201


PROXIED = {
    "X-Forwarded-For": [(b"x-forwarded-for", b"203.0.113.5")],
    "Forwarded": [(b"forwarded", b"for=203.0.113.5;proto=https")],
    "X-Real-IP": [(b"x-real-ip", b"203.0.113.5")],
    "Via": [(b"via", b"1.1 proxy.example")],
    "empty X-Forwarded-For": [(b"x-forwarded-for", b"")],
}


@pytest.mark.parametrize("route", admin.ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("sent", PROXIED)
def test_an_open_admin_api_refuses_what_a_proxy_relays(open_app: EceApp, route: admin.Route,
                                                       sent: str) -> None:
    """A reverse proxy on this machine that keeps a loopback Host would open the API to the proxy's
    clients: a request that says it went through a proxy gets 403, and nothing changes."""
    method, path, body = good_request(route)
    before = dump(open_app)
    answer = call(open_app, method, path, body=body,
                  headers=[JSON, (b"host", b"127.0.0.1:8080"), *PROXIED[sent]])
    assert answer.status == 403
    name = PROXIED[sent][0][0].decode()
    assert "relayed by a proxy" in answer.json()["error"] and name in answer.json()["error"]
    assert "--admin-token" in answer.json()["remedy"]
    assert dump(open_app) == before


@pytest.mark.parametrize("sent", PROXIED)
def test_with_a_token_a_proxy_may_relay_the_admin_api(exposed: EceApp, sent: str) -> None:
    answer = call(exposed, "POST", ADMIN_PREFIX + "/reset", headers=[*PROXIED[sent], bearer(_token(exposed))])
    assert answer.status == 200


def test_proxy_refusal_names_every_proxy_header_it_saw() -> None:
    gate = access.admin_access("127.0.0.1", None)
    assert gate.proxy_refusal([]) is None
    reason = gate.proxy_refusal([b"via", b"x-real-ip"])
    assert reason is not None and "via, x-real-ip" in reason
    assert access.AdminAccess("t" * 20).proxy_refusal([b"via"]) is None


def test_an_open_admin_api_behind_a_real_proxy_header_over_http() -> None:
    """Over the wire, as a proxy on the same host would send it (uvicorn keeps the header)."""
    with running_server(admin=True) as srv, requests.Session() as http:
        assert srv.admin_url is not None
        relayed = http.post(srv.admin_url + "/reset", headers={"X-Forwarded-For": "203.0.113.5"}, timeout=5)
        assert relayed.status_code == 403 and "--admin-token" in relayed.json()["remedy"]
        assert http.post(srv.admin_url + "/reset", timeout=5).status_code == 200


@pytest.mark.parametrize(("host", "shown"), [
    ("0.0.0.0", "0.0.0.0 (every IPv4 interface of this machine)"),
    (" 0.0.0.0 ", "0.0.0.0 (every IPv4 interface of this machine)"),
    ("", "0.0.0.0 (every IPv4 interface of this machine)"),
    ("::", ":: (every interface of this machine)"), ("[::]", ":: (every interface of this machine)"),
    ("192.168.1.20", "192.168.1.20"), ("[fe80::1]", "[fe80::1]"),
])
def test_describe_host_says_what_a_wildcard_means(host: str, shown: str) -> None:
    assert access.describe_host(host) == shown


def test_faults_notice_lists_every_fault() -> None:
    assert access.faults_notice("127.0.0.1", 8080, ["drop", "capacity-500"]) == \
        "ecekit serve: faults on: drop, capacity-500"


def test_exposure_notice_without_faults_or_admin_and_on_loopback() -> None:
    assert access.exposure_notice("127.0.0.1", 8080, ["drop"], access.AdminAccess()) is None
    line = access.exposure_notice("0.0.0.0", 9, [], None)
    assert line == ("ecekit serve: WARNING: listening beyond loopback on 0.0.0.0 (every IPv4 interface of this "
                    "machine): anyone who can reach port 9 of this machine gets its answers and can submit surveys; "
                    "no fault modes on")
    with_admin = access.exposure_notice("0.0.0.0", 9, [], access.AdminAccess("t" * 20))
    assert with_admin == line + "; the admin API needs the bearer token"


@pytest.mark.parametrize(("token", "ok"), [
    ("!", True), ("~", True), ('"', True), ("a" * 40, True),
    (" ", False), ("\x7f", False), ("tab\t", False), ("é", False), ("", False),
])
def test_a_token_is_visible_ascii_from_bang_to_tilde(token: str, ok: bool) -> None:
    if ok:
        assert access.check_token(token) == token
        return
    with pytest.raises(UsageError) as caught:
        access.check_token(token)
    assert caught.value.message == "the admin token must be visible ASCII characters, no spaces, not empty"
    assert caught.value.remedy == ("pass --admin-token (or ECEKIT_ADMIN_TOKEN) e.g. from "
                                   "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`, "
                                   "or leave it out to have one generated")


def test_a_generated_token_has_43_characters_and_differs_each_time() -> None:
    one, two = access.admin_access("0.0.0.0", None), access.admin_access("0.0.0.0", None)
    assert one.generated and one.token is not None and len(one.token) == 43 and one.token != two.token


def test_the_refusal_reasons_word_for_word() -> None:
    gate = access.AdminAccess("t" * 20)
    assert gate.refusal(b"") == "this admin API needs a token: no Authorization header"
    assert gate.refusal(b"Basic abc") == "the Authorization header must be 'Bearer TOKEN'"
    assert gate.refusal(b"Bearer nope") == "wrong admin token"


@pytest.mark.parametrize(("host", "loopback"), [("::1%lo", True), ("::1%lo%x", True), ("[::1%1]", True),
                                                ("fe80::1%lo", False)])
def test_a_zone_id_is_cut_at_the_first_percent_sign(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_what_a_web_page_refusal_shows() -> None:
    gate = access.AdminAccess()
    assert gate.web_page_refusal(b"[::1]", b"", b"") is None  # a bracketed host without a port
    assert gate.web_page_refusal(b"[::1]:8080", b"", b"") is None
    long_host = b"h" * 100 + b":80"
    reason = gate.web_page_refusal(long_host, b"", b"")
    assert reason is not None and repr("h" * 80) in reason and repr("h" * 81) not in reason
    by_origin = gate.web_page_refusal(b"127.0.0.1:80", b"https://" + b"o" * 100, b"cross-site")
    assert by_origin == f"this open admin API does not answer web pages (the request came from {'https://' + 'o' * 72})"
    by_site = gate.web_page_refusal(b"127.0.0.1:80", b"", b"cross-site-and-then-some-more")
    assert by_site == "this open admin API does not answer web pages (the request came from cross-site-and-then-)"
