"""The one rule of what is secret (ecekit.redaction), and the roads around it: the client, curl lines
that still reproduce, error messages, the load processes' command line, a proxy's password.

The end-to-end proof, every command with every kind of secret, is tests/report/test_no_secret_anywhere.py.
"""

from __future__ import annotations

import base64
import http.server
import os
import shlex
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ecekit import operations, redaction
from ecekit.cli.errors import ToolkitClickError
from ecekit.client import Client
from ecekit.errors import ConfigError, TargetError
from ecekit.flags import header
from ecekit.target import REDACTED, Target, from_mapping

SECRET = "pw-S3CRET"


@pytest.mark.parametrize(("url", "shown"), [
    ("https://alice:pw-S3CRET@ece.example.com/system", "https://alice:<redacted>@ece.example.com/system"),
    ("https://tok-S3CRET@ece.example.com/system", "https://<redacted>@ece.example.com/system"),  # a token
    ("https://alice:@h/s", "https://alice:<redacted>@h/s"),
    ("https://a:b@c:pw-S3CRET@h:8443/s?x=a@b", "https://a:<redacted>@h:8443/s?x=a@b"),  # the last @ ends it
    ("http://127.0.0.1:8080/system", "http://127.0.0.1:8080/system"),
    ("http://h/system/x@y", "http://h/system/x@y"),  # an @ in the path is no user info
])
def test_a_url_keeps_its_user_and_hides_its_password(url: str, shown: str) -> None:
    assert redaction.url(url) == shown
    assert redaction.text(f"cannot reach {url}: refused") == f"cannot reach {shown}: refused"


def test_headers_hide_what_the_user_added_and_every_credential_header() -> None:
    shown = redaction.headers({"Authorization": "a", "proxy-authorization": "b", "Cookie": "c", "set-cookie": "d",
                               "X-Api-Key": "e", "Accept": "application/xml"}, ["x-api-key"])
    assert shown == {"Authorization": REDACTED, "proxy-authorization": REDACTED, "Cookie": REDACTED,
                     "set-cookie": REDACTED, "X-Api-Key": REDACTED, "Accept": "application/xml"}


def test_free_text_loses_every_given_secret_too() -> None:
    target = Target(base_url="http://alice:pw%21S3CRET@h/system", headers={"X-Api-Key": "key-S3CRET"})
    assert set(target.secrets()) == {"pw%21S3CRET", "pw!S3CRET", "key-S3CRET"}
    text = "bad header 'key-S3CRET'; password pw!S3CRET; url 'http://alice:pw%21S3CRET@h/system'"
    assert "S3CRET" not in redaction.text(text, target.secrets())


def test_a_target_never_shows_its_secrets_in_a_traceback() -> None:
    target = Target(base_url=f"http://alice:{SECRET}@h/system", headers={"Authorization": f"Basic {SECRET}"})
    assert SECRET not in repr(target) and "alice:<redacted>@h" in repr(target)
    assert target.shown_base_url == "http://alice:<redacted>@h/system"


@pytest.mark.parametrize("data", [
    {"base_url": f"ftp://alice:{SECRET}@h/system"},
    {"headers": {"Authorization": f"Bearer {SECRET}", "X-Bad": "caf\u20ac"}},
    {"headers": {"Authorization": f"Bearer {SECRET}", "X-Bad": 3}},
])
def test_configuration_errors_do_not_echo_secrets(data: dict[str, object]) -> None:
    with pytest.raises(ConfigError) as caught:
        from_mapping(data)
    assert SECRET not in str(caught.value) and SECRET not in (caught.value.remedy or "")


def test_a_malformed_header_flag_is_not_echoed() -> None:
    with pytest.raises(ConfigError) as caught:
        header(f"Authorization Bearer {SECRET}")
    assert SECRET not in str(caught.value)


def test_the_cli_edge_hides_a_url_password_in_any_message() -> None:
    error = ToolkitClickError(TargetError(f"cannot reach http://alice:{SECRET}@h/system",
                                          remedy=f"check http://alice:{SECRET}@h/system"))
    assert SECRET not in error.format_message() and "alice:<redacted>@h" in error.format_message()


def test_a_proxy_password_is_not_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    from ecekit import transport

    monkeypatch.setenv("HTTP_PROXY", f"http://proxyuser:{SECRET}@127.0.0.1:1")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    target = Target(base_url=f"http://alice:{SECRET}@ece.example.invalid/system", connect_timeout=2)
    with pytest.raises(TargetError) as caught:
        transport.probe(target)  # nothing listens on port 1: refused at once
    message = str(caught.value)
    assert "through the proxy http://proxyuser:<redacted>@127.0.0.1:1" in message, message
    assert SECRET not in message


def test_the_fuzz_rerun_command_names_the_password_variable() -> None:
    from ecekit.fuzz.run import DEFAULT_DATABASE, rerun_command

    line = rerun_command(Target(base_url=f"http://alice:{SECRET}@h/system"), (), DEFAULT_DATABASE)
    assert SECRET not in line
    assert shlex.split(line.replace("$ECE_PASSWORD", "pw"))[2:4] == ["--base-url", "http://alice:pw@h/system"]


def test_load_processes_get_the_password_in_their_environment_only(monkeypatch: pytest.MonkeyPatch,
                                                                   tmp_path: Path) -> None:
    from ecekit.load import launch, settings

    host = f"http://alice:{SECRET}@127.0.0.1:8080/system"
    run = launch.Launch(host=host, options={}, out=tmp_path)
    for role in ("local", "master"):
        cmd = launch.command(run, role)
        assert SECRET not in " ".join(cmd) and "http://127.0.0.1:8080/system" in cmd
    assert SECRET not in str(settings.target_json(Target(base_url=host)))
    monkeypatch.setenv(settings.CREDENTIALS_ENV, f"alice:{SECRET}")
    assert settings.resolve({}, "http://127.0.0.1:8080/system").target.base_url == host


# ---------------------------------------------------------------------------- the client, for real
class HeaderRecorder(http.server.BaseHTTPRequestHandler):
    """Answers every GET, records its headers, sets a load balancer's cookie."""

    protocol_version = "HTTP/1.1"
    seen: list[dict[str, str]] = []  # noqa: RUF012  (shared by design: the test reads it)

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        HeaderRecorder.seen.append(dict(self.headers))
        body = b'<chatAllowed allowed="true"/>'
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Set-Cookie", f"LB={SECRET}-cookie; Path=/")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def header_recorder() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), HeaderRecorder)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_client_sends_the_credentials_reports_none_and_its_curl_line_sends_them_again(header_recorder: str) -> None:
    target = Target(base_url=f"http://alice:{SECRET}@{header_recorder}/system", headers={"X-Api-Key": f"k-{SECRET}"},
                    read_timeout=5)
    with Client(target) as client:
        ex = client.call(operations.CHAT_ALLOWED, 1)
    sent = HeaderRecorder.seen[-1]
    assert ex.status == 200
    assert sent["Authorization"] == "Basic " + base64.b64encode(f"alice:{SECRET}".encode()).decode()
    assert sent["X-Api-Key"] == f"k-{SECRET}"
    assert ex.response_headers["set-cookie"] == REDACTED
    assert SECRET not in repr(ex) and SECRET not in ex.curl()
    assert ex.url == f"http://alice:<redacted>@{header_recorder}/system/egain/chat/entrypoint/chatAllowed/1"
    # the curl line, with the variables it names set, sends what the client sent
    env = {**os.environ, redaction.PASSWORD_ENV: SECRET, "ECE_X_API_KEY": f"k-{SECRET}"}
    proc = subprocess.run(["sh", "-c", ex.curl()], capture_output=True, text=True, timeout=30, env=env)
    assert proc.returncode == 0 and "200" in proc.stdout.splitlines()[0], proc.stderr
    again = HeaderRecorder.seen[-1]
    assert (again["Authorization"], again["X-Api-Key"]) == (sent["Authorization"], sent["X-Api-Key"])


def test_load_run_hands_the_password_to_every_process_in_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    from ecekit.load import launch, settings

    started: list[tuple[list[str], dict[str, str]]] = []

    class Finished:
        returncode = 0

        def __init__(self, cmd: list[str], *, env: dict[str, str], cwd: str, **_: object) -> None:
            started.append((cmd, env))
            (Path(cwd) / "summary.json").write_text("{}", encoding="utf-8")

        def poll(self) -> int:
            return 0

        def wait(self, timeout: float | None = None) -> int:
            return 0

    monkeypatch.setattr(launch.subprocess, "Popen", Finished)
    host = f"http://alice:{SECRET}@127.0.0.1:8080/system"
    launch.run(launch.Launch(host=host, options={}, out=tmp_path, workers=2))
    assert len(started) == 3  # a master and two workers
    for cmd, env in started:
        assert SECRET not in " ".join(cmd)
        assert env[settings.CREDENTIALS_ENV] == f"alice:{SECRET}"
