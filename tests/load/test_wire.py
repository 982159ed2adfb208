"""PreparedGets' rule for a closed connection: a kept-alive socket the server closed while it was idle is
tried once more on another, as a browser does; a new connection closed without an answer is the
server dropping the request and is raised, never retried into a success (the client's own rule of
pool size + 1 attempts hid every dropped GET of a server that dropped 30 % of them).

The client runs in a child process: geventhttpclient brings gevent, which stays out of pytest's."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"

CLIENT = r"""
import sys, gevent
from geventhttpclient import HTTPClient
from ecekit.load.wire import PreparedGets
client = HTTPClient("127.0.0.1", int(sys.argv[1]), concurrency=4, network_timeout=5, connection_timeout=5)
gets = PreparedGets.of(client, {"Host": "127.0.0.1"})
assert gets is not None
for i in range(int(sys.argv[2])):
    gets.ready()         # the socket is taken before the page view's time ...
    gevent.sleep(0.4)    # ... and the server may close it meanwhile
    try:
        r = gets.get("/x")
        print(r.status_code, r.read().decode())
    except Exception as e:
        print("failed", type(e).__name__)
"""


@contextmanager
def _server(*answers: int) -> Iterator[tuple[int, list[int]]]:
    """Connection i answers ``answers[i]`` requests (the last number holds for the rest): 0 closes on the
    first request without an answer; n > 0 answers n, keeps the connection alive a moment and closes it
    while the client holds it idle. Yields the port and, per connection, how many requests it received."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    seen: list[int] = []
    stop = threading.Event()

    def serve(conn: socket.socket, index: int) -> None:
        budget = answers[min(index, len(answers) - 1)]
        with conn:
            conn.settimeout(10)
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                seen[index] += 1
                if seen[index] > budget:
                    return  # closed without an answer
                conn.sendall(ANSWER)
                if seen[index] == budget:
                    time.sleep(0.1)  # the client takes the socket for its next GET, then it is closed
                    return

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            seen.append(0)
            threading.Thread(target=serve, args=(conn, len(seen) - 1), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], seen
    finally:
        stop.set()
        thread.join(5)
        listener.close()


def _client(port: int, gets: int) -> list[str]:
    proc = subprocess.run([sys.executable, "-c", CLIENT, str(port), str(gets)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout.splitlines()


def test_a_kept_alive_socket_closed_while_idle_is_tried_again() -> None:
    with _server(1) as (port, seen):
        lines = _client(port, 3)
    assert lines == ["200 ok"] * 3
    assert seen == [1, 1, 1]  # each GET after the first found its socket closed and was answered on a new one


def test_a_new_connection_closed_without_an_answer_is_a_failure_not_retried() -> None:
    with _server(0) as (port, seen):
        lines = _client(port, 2)
    assert lines == ["failed HTTPConnectionClosed"] * 2
    assert seen == [1, 1]  # one connection per GET, none tried again


def test_a_stale_socket_is_tried_once_not_until_one_answers() -> None:
    """The first connection answers once and is closed while idle; every later one drops its request: the
    second GET tries its stale socket, then one new connection, and fails."""
    with _server(1, 0) as (port, seen):
        lines = _client(port, 2)
    assert lines == ["200 ok", "failed HTTPConnectionClosed"]
    assert seen == [1, 1]
