"""`check`, `fuzz` and `load` against a self-signed HTTPS reference server: an untrusted certificate is
exit 2 with one line naming the host and the flag; --ca-bundle passes; --insecure passes and warns in
the output and in the reports; a client certificate reaches a server that demands one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from ecekit.cli import cli
from ecekit.server.embedded import ServerHandle
from ecekit.transport import INSECURE_WARNING
from tests.tls import pki

pytestmark = pytest.mark.slow

COMMANDS = ("check", "fuzz", "load")

ROLES = ["--entry-point", "1001", "--inactive-entry-point", "1005", "--invalid-entry-point", "999999"]


def run(command: str, base_url: str, tmp: Path, *extra: str) -> tuple[int, str]:
    """One command as a user runs it; check in a subprocess (pytest inside pytest shares too much)."""
    if command == "check":
        args = ["check", "--base-url", base_url, *ROLES, "-q", "--junit-xml", str(tmp / "j.xml")]
    elif command == "fuzz":
        args = ["fuzz", "--base-url", base_url, "--allow-writes", "--max-examples", "10", "--no-database",
                "-q", "--junit-xml", str(tmp / "j.xml")]
    else:
        args = ["load", "--base-url", base_url, "--entry-point", "1001", "--duration", "1", "--rate", "10",
                "-q", "--out", str(tmp / "out")]
    proc = subprocess.run([sys.executable, "-m", "ecekit",
                           *args, *extra], capture_output=True, text=True, timeout=120, cwd=tmp,
                          env={**os.environ, "NO_COLOR": "1"})
    return proc.returncode, proc.stdout + proc.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_untrusted_certificate_is_one_line_and_exit_2(command: str, https: ServerHandle, tmp_path: Path) -> None:
    code, out = run(command, https.base_url, tmp_path)
    assert code == 2, out[-3000:]
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, out
    host = https.base_url.split("//")[1].split("/")[0]
    assert host in lines[0] and "--ca-bundle FILE" in lines[0] and "not trusted" in lines[0]
    assert "Traceback" not in out and "transport" not in out


@pytest.mark.parametrize("command", COMMANDS)
def test_ca_bundle_makes_it_pass(command: str, https: ServerHandle, certs: pki.Pki, tmp_path: Path) -> None:
    code, out = run(command, https.base_url, tmp_path, "--ca-bundle", str(certs.server_cert))
    assert code == 0, out[-3000:]
    assert "WARNING" not in out


@pytest.mark.parametrize("command", COMMANDS)
def test_insecure_passes_and_warns_in_output_and_reports(command: str, https: ServerHandle,
                                                         tmp_path: Path) -> None:
    code, out = run(command, https.base_url, tmp_path, "--insecure")
    assert code == 0, out[-3000:]
    assert INSECURE_WARNING in out
    assert "InsecureRequestWarning" not in out  # said once by ecekit, not once per request by urllib3
    if command == "load":
        summary = json.loads((tmp_path / "out" / "summary.json").read_text())
        assert summary["tls"]["warning"] == INSECURE_WARNING
        assert summary["total"]["failures"] == 0
    else:
        props = {p.get("name"): p.get("value") for p in etree.parse(str(tmp_path / "j.xml")).iter("property")}
        assert props["warning"] == INSECURE_WARNING and props["tls_verification"].startswith("OFF")


def test_client_certificate_required_then_given(mtls: ServerHandle, certs: pki.Pki, tmp_path: Path) -> None:
    trust = ("--ca-bundle", str(certs.server_cert))
    code, out = run("check", mtls.base_url, tmp_path, *trust)
    assert code == 2 and "--client-cert FILE" in out and "Traceback" not in out, out[-3000:]
    code, out = run("check", mtls.base_url, tmp_path, *trust, "--client-cert", str(certs.client_cert),
                    "--client-key", str(certs.client_key))
    assert code == 0, out[-3000:]


def test_load_presents_the_client_certificate(mtls: ServerHandle, certs: pki.Pki, tmp_path: Path) -> None:
    code, out = run("load", mtls.base_url, tmp_path, "--ca-bundle", str(certs.server_cert),
                    "--client-cert", str(certs.client_cert), "--client-key", str(certs.client_key))
    assert code == 0, out[-3000:]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["total"]["requests"] > 0 and summary["total"]["failures"] == 0


def test_target_file_keys_are_relative_to_the_file(https: ServerHandle, certs: pki.Pki, tmp_path: Path) -> None:
    folder = tmp_path / "cfg"
    folder.mkdir()
    (folder / "ca.pem").write_bytes(certs.server_cert.read_bytes())
    (folder / "ecekit.toml").write_text(f'base_url = "{https.base_url}"\nentry_points = [1001]\n'
                                        'ca_bundle = "ca.pem"\n', encoding="utf-8")
    code, out = run("check", https.base_url, tmp_path, "--target", str(folder / "ecekit.toml"))
    assert code == 0, out[-3000:]


SMOKE = r"""
import json, runpy, sys
from locust import run_single_user
ns = runpy.run_path(sys.argv[1])
sys.argv = sys.argv[:1]
from ecekit.load import runstate
run_single_user(ns["PageViews"], loglevel=None)
total = runstate.current().recorder.total()
print("RESULT " + json.dumps({"requests": total.requests, "failures": total.failures}))
"""


@pytest.mark.parametrize("trusted", [False, True])
def test_the_load_generator_itself_verifies_certificates(trusted: bool, https: ServerHandle, certs: pki.Pki,
                                                         tmp_path: Path) -> None:
    """Past the up-front probe, FastHttpUser verifies too (locust's default is not to)."""
    from ecekit import resources

    target = {"entry_points": ["1001"], **({"ca_bundle": str(certs.server_cert)} if trusted else {})}
    (tmp_path / "t.json").write_text(json.dumps(target))
    env = {**os.environ, "LOCUST_HOST": https.base_url, "ECEKIT_PROFILE": "one-call", "ECEKIT_RATE": "10",
           "ECEKIT_DURATION": "1", "ECEKIT_TARGET": str(tmp_path / "t.json")}
    proc = subprocess.run([sys.executable, "-c", SMOKE, str(resources.loadtests_dir() / "locustfile.py")],
                          capture_output=True, text=True, env=env, timeout=60)
    line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line is not None, proc.stderr[-2000:]
    result = json.loads(line[7:])
    assert result["requests"] > 0
    assert (result["failures"] == 0) if trusted else (result["failures"] == result["requests"])


def test_serve_prints_an_https_url(certs: pki.Pki, tmp_path: Path) -> None:
    from ecekit.server.embedded import running_server

    with running_server(tls_cert=certs.server_cert, tls_key=certs.server_key, subprocess=True) as srv:
        assert srv.base_url.startswith("https://127.0.0.1:")


def test_serve_refuses_a_bad_certificate(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate")
    result = CliRunner().invoke(cli, ["serve", "--port", "0", "--tls-cert", str(bad),
                                      "--surveys", str(tmp_path / "s.db")])
    assert result.exit_code == 2 and "cannot serve HTTPS" in result.output


class _ConnectProxy:
    """An HTTPS proxy stand-in on loopback: answers CONNECT for any host by tunnelling to one local
    port, and records what it was asked for (so nothing leaves the machine)."""

    def __init__(self, upstream_port: int) -> None:
        import socketserver
        import threading

        self.asked: list[str] = []
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                import selectors
                import socket

                line = self.rfile.readline().decode("latin-1")
                while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                outer.asked.append(line.split()[1] if len(line.split()) > 1 else line)
                up = socket.create_connection(("127.0.0.1", upstream_port))
                self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
                self.wfile.flush()
                sel = selectors.DefaultSelector()
                sel.register(self.connection, selectors.EVENT_READ, up)
                sel.register(up, selectors.EVENT_READ, self.connection)
                with up:
                    while events := sel.select(timeout=10):
                        for key, _ in events:
                            data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                            if not data:
                                return
                            key.data.sendall(data)

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_check_goes_through_https_proxy(https: ServerHandle, certs: pki.Pki, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """HTTPS_PROXY is honoured by the probe and the client (CONNECT tunnel, certificate verified
    end to end for the name in --base-url, which only the proxy resolves: no DNS query is made)."""
    proxy = _ConnectProxy(https.port)
    for name in ("NO_PROXY", "no_proxy", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", proxy.url)
    staging = f"https://{pki.STAGING_NAME}/system"
    try:
        code, out = run("check", staging, tmp_path, "--ca-bundle", str(certs.server_cert))
        assert code == 0, out[-3000:]
        assert proxy.asked and set(proxy.asked) == {f"{pki.STAGING_NAME}:443"}
    finally:
        proxy.close()
