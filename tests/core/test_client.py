"""The HTTP client against a small hostile server on loopback: timeouts, caps, resets, curl lines."""

from __future__ import annotations

import http.server
import shlex
import socket
import struct
import threading
import time
from collections.abc import Iterator

import pytest

from ecekit import operations
from ecekit.client import USER_AGENT, Client, TransportError
from ecekit.target import Target


class Hostile(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[dict[str, str]] = []  # noqa: RUF012  (shared by design: the test reads it)

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        Hostile.seen.append(dict(self.headers))
        entry = self.path.rsplit("/", 1)[-1]
        if entry == "1":  # a normal answer
            self._send(b'<chatAllowed allowed="true"/>')
        elif entry == "2":  # never answers within the test's timeout
            time.sleep(1.5)
        elif entry == "3":  # 8 MiB, streamed
            self.send_response(200)
            self.send_header("Content-Length", str(8 << 20))
            self.end_headers()
            try:
                for _ in range(128):
                    self.wfile.write(b"x" * 65536)
            except OSError:
                pass
        elif entry == "4":  # reset mid-response
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b"<chat")
            self.wfile.flush()
            # linger 0: close() sends RST; every makefile() reference must go for the fd to close
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.rfile.close()
            self.wfile.close()
            self.connection.close()
        elif entry == "5":  # trickles a byte at a time past the deadline
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            try:
                for _ in range(100):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass

        elif entry == "6":  # headers, then silence
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.flush()
            time.sleep(1.5)
        elif entry == "7":  # chunked, pretty-printed
            self.send_response(200)
            self.send_header("Content-Type", "text/xml; charset=UTF-8")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"<availableSlots>\n\t", b"<count>4</count>\n", b"</availableSlots>"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        self.send_response(204)
        self.end_headers()

    def _send(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/system"
    server.shutdown()
    server.server_close()


def _client(base_url: str, **kw: object) -> Client:
    return Client(Target(base_url=base_url, read_timeout=0.5, connect_timeout=0.5, **kw))  # type: ignore[arg-type]


def test_normal_exchange_is_recorded(base_url: str) -> None:
    with _client(base_url, headers={"X-Proxy-Auth": "s3cret"}) as client:
        ex = client.call(operations.CHAT_ALLOWED, 1)
    assert ex.status == 200 and ex.error is None
    assert ex.body == b'<chatAllowed allowed="true"/>'
    assert ex.media_type == "application/xml"
    assert ex.url == f"{base_url}/egain/chat/entrypoint/chatAllowed/1"
    assert 0 < ex.elapsed < 0.5
    assert Hostile.seen[-1]["User-Agent"] == USER_AGENT and "ecekit/" in USER_AGENT
    assert Hostile.seen[-1]["X-Proxy-Auth"] == "s3cret"  # sent ...
    assert "s3cret" not in repr(ex) and "s3cret" not in ex.curl()  # ... but never reported


def test_curl_line_reproduces_the_request(base_url: str) -> None:
    with _client(base_url, headers={"X-Proxy-Auth": "s3cret"}) as client:
        ex = client.call(operations.SURVEY, body=b"<egainSurvey sid='1'/>",
                         headers={"Content-Type": "text/xml;charset=utf-8"})
    words = shlex.split(ex.curl())
    assert words[0] == "curl" and words[-1] == ex.url
    assert "-X" in words and "POST" in words
    assert "Content-Type: text/xml;charset=utf-8" in words
    assert "<egainSurvey sid='1'/>" in words
    assert '"X-Proxy-Auth: $ECE_X_PROXY_AUTH"' in ex.curl()


def test_no_answer_is_a_timeout_within_the_limit(base_url: str) -> None:
    with _client(base_url) as client:
        ex = client.call(operations.CHAT_ALLOWED, 2)
    assert ex.error is TransportError.TIMEOUT
    assert ex.elapsed < 1.0
    assert "0.5s" in ex.error_detail


def test_silence_after_the_headers_is_a_timeout(base_url: str) -> None:
    with _client(base_url) as client:
        ex = client.call(operations.CHAT_ALLOWED, 6)
    assert ex.error is TransportError.TIMEOUT
    assert ex.elapsed < 1.0


def test_chunked_body_is_read_whole(base_url: str) -> None:
    with _client(base_url) as client:
        ex = client.call(operations.CAPACITY, 7)
    assert ex.error is None
    assert ex.body == b"<availableSlots>\n\t<count>4</count>\n</availableSlots>"
    assert ex.media_type == "text/xml"


def test_body_cap_is_enforced_while_reading(base_url: str) -> None:
    with _client(base_url, max_body_bytes=100_000) as client:
        ex = client.call(operations.CAPACITY, 3)
    assert ex.error is TransportError.TOO_LARGE
    assert len(ex.body) <= 100_001


def test_reset_is_a_connection_error(base_url: str) -> None:
    with _client(base_url) as client:
        ex = client.call(operations.CHAT_ALLOWED, 4)
    assert ex.error is TransportError.CONNECTION


def test_a_trickling_server_cannot_outlast_the_deadline(base_url: str) -> None:
    with _client(base_url) as client:
        ex = client.call(operations.CHAT_ALLOWED, 5)
    assert ex.error is TransportError.TIMEOUT
    assert ex.elapsed < 1.0


def test_refused_connection() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with _client(f"http://127.0.0.1:{port}/system") as client:
        ex = client.call(operations.CHAT_ALLOWED, 1)
    assert ex.error is TransportError.CONNECTION
    assert "refused" in ex.error_detail


# -- hostile answers (tests/hostile.py): each ends within its cap, in bounded time ------------------

HOSTILE_KIND = {"gzip-bomb": TransportError.TOO_LARGE, "deflate-bomb": TransportError.TOO_LARGE,
                "raw-deflate-bomb": TransportError.TOO_LARGE, "br-bomb": TransportError.TOO_LARGE,
                "endless-chunked": TransportError.TOO_LARGE, "huge-length": TransportError.TOO_LARGE,
                "lying-length": TransportError.TIMEOUT, "drip": TransportError.TIMEOUT,
                "drip-head": TransportError.TIMEOUT}


@pytest.mark.parametrize("mode", sorted(HOSTILE_KIND))
def test_hostile_answers_end_within_the_cap_and_the_deadline(mode: str) -> None:
    from ecekit import inflate
    from tests import hostile

    if mode == "br-bomb" and not inflate.BROTLI:
        pytest.skip("no brotli that can limit its output")
    with hostile.serving(mode, max_seconds=20) as srv, \
            Client(Target(base_url=srv.base_url, read_timeout=1.5)) as client:
        ex = client.call(operations.CHAT_ALLOWED, "1")
    assert ex.error is HOSTILE_KIND[mode], ex.describe()
    assert len(ex.body) <= 1048576
    assert ex.elapsed < 1.5 + 3.0  # the deadline, plus a busy machine's slack
    if ex.error is TransportError.TOO_LARGE:
        assert "limit of 1048576 bytes" in ex.error_detail
        if mode.endswith("bomb"):
            assert "once decompressed" in ex.error_detail
    else:
        assert "1.5s" in ex.error_detail


def test_the_probe_reads_only_the_head() -> None:
    from ecekit.live import ensure_reachable
    from tests import hostile

    with hostile.serving("drip", max_seconds=20) as srv:
        started = time.monotonic()
        ensure_reachable(Target(base_url=srv.base_url, read_timeout=10))
    assert time.monotonic() - started < 5  # not the drip's read timeout of 10 s


def test_client_asks_only_for_codings_it_inflates(base_url: str) -> None:
    from ecekit import inflate

    ex = _client(base_url).call(operations.CHAT_ALLOWED, "1")
    assert ex.request_headers["Accept-Encoding"] == inflate.ACCEPT_ENCODING
