"""The whole-answer deadline: a guard shuts its connection's socket once its time is up, never after
its block has ended; one watch thread serves every guard in deadline order."""

from __future__ import annotations

import socket
import time

from ecekit import deadline


class _Conn:
    def __init__(self) -> None:
        self.sock, self.peer = socket.socketpair()


def test_a_guard_that_outlives_its_deadline_shuts_the_socket() -> None:
    conn = _Conn()
    with deadline.guard(0.2, conn) as cut:
        conn.sock.settimeout(10)
        started = time.monotonic()
        assert conn.sock.recv(1) == b""  # a blocked read ends: the socket was shut under it
    assert cut.fired
    assert time.monotonic() - started < 8


def test_a_guard_whose_block_ended_never_fires() -> None:
    conn = _Conn()
    with deadline.guard(0.05, conn) as cut:
        pass
    time.sleep(0.3)
    assert not cut.fired
    conn.peer.send(b"x")
    assert conn.sock.recv(1) == b"x"  # still open


def test_a_later_guard_with_an_earlier_deadline_fires_first() -> None:
    slow, fast = _Conn(), _Conn()
    with deadline.guard(30, slow) as long_cut, deadline.guard(0.1, fast) as short_cut:
        fast.sock.settimeout(10)
        assert fast.sock.recv(1) == b""
        assert short_cut.fired and not long_cut.fired
