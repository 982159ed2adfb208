"""ecekit.transport: the probe's one-line verdicts, proxies from the environment (never for loopback),
and the TLS keys of a target."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecekit import target as target_mod
from ecekit import transport
from ecekit.errors import ConfigError, TargetError
from ecekit.server.embedded import ServerHandle
from ecekit.target import Target
from tests.tls import pki


def test_probe_names_host_and_flag(https: ServerHandle, certs: pki.Pki) -> None:
    with pytest.raises(TargetError) as err:
        transport.probe(Target(base_url=https.base_url))
    assert err.value.remedy is None and "\n" not in err.value.message
    assert f"127.0.0.1:{https.port}" in err.value.message and "--ca-bundle" in err.value.message
    transport.probe(Target(base_url=https.base_url, ca_bundle=str(certs.server_cert)))
    transport.probe(Target(base_url=https.base_url, insecure=True))


def test_client_certificate_demanded(mtls: ServerHandle, certs: pki.Pki) -> None:
    with pytest.raises(TargetError, match="--client-cert FILE"):
        transport.probe(Target(base_url=mtls.base_url, ca_bundle=str(certs.server_cert)))
    transport.probe(Target(base_url=mtls.base_url, ca_bundle=str(certs.server_cert),
                           client_cert=str(certs.client_cert), client_key=str(certs.client_key)))


def test_proxies_from_the_environment_but_never_for_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy", "ALL_PROXY",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "direct.example")
    assert transport.proxies_for("https://ece.example.com/system")["https"] == "http://proxy.example:3128"
    assert transport.proxies_for("https://direct.example/system") == {}
    assert transport.proxies_for("https://127.0.0.1:8443/system") == {}
    assert transport.proxies_for("http://localhost:8080/system") == {}


def test_tls_keys_and_flags(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("x")
    (tmp_path / "ecekit.toml").write_text('ca_bundle = "ca.pem"\ninsecure = true\njson = true\n')
    t = target_mod.resolve(tmp_path / "ecekit.toml")
    assert t.ca_bundle == str(tmp_path / "ca.pem") and t.insecure and t.json_parity
    with pytest.raises(ConfigError, match=r"--ca-bundle .*no such file"):
        target_mod.resolve(None, ca_bundle=str(tmp_path / "missing.pem"))
    with pytest.raises(ConfigError, match="--client-key without --client-cert"):
        target_mod.resolve(None, client_key=str(tmp_path / "ca.pem"))


def test_insecure_warning_only_for_https() -> None:
    assert transport.warning(Target(base_url="http://127.0.0.1:1/system", insecure=True)) is None
    assert transport.warning(Target(base_url="https://127.0.0.1:1/system", insecure=True)) == \
        transport.INSECURE_WARNING


def test_client_goes_through_the_proxy_and_ignores_netrc(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A non-loopback target through HTTP_PROXY (a recording stand-in on loopback, so nothing leaves the
    machine); ~/.netrc credentials for that host are not sent."""
    import http.server
    import threading

    from ecekit import operations
    from ecekit.client import Client

    seen: list[tuple[str, str | None]] = []

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append((self.path, self.headers.get("Authorization")))
            self.send_response(200)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    (tmp_path / "netrc").write_text("machine ece.invalid login user password secret\n")
    monkeypatch.setenv("NETRC", str(tmp_path / "netrc"))
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_address[1]}")
    try:
        with Client(Target(base_url="http://ece.invalid/system")) as client:
            ex = client.call(operations.CAPACITY, "1001")
    finally:
        proxy.shutdown()
    assert ex.status == 200, ex.describe()
    assert seen == [("http://ece.invalid/system/egain/chat/endpoint/capacity/1001", None)]
