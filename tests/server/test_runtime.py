"""How the server's socket is made: details that cost 40 ms per answer when wrong."""

from __future__ import annotations

import socket

from ecekit.server import runtime


def test_listening_socket_says_it_is_tcp_so_asyncio_sets_nodelay() -> None:
    # asyncio sets TCP_NODELAY on accepted connections only for sockets whose proto is IPPROTO_TCP.
    sock = runtime.bind("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        client = socket.create_connection(sock.getsockname())
        conn, _ = sock.accept()
        try:
            assert conn.proto == socket.IPPROTO_TCP
        finally:
            conn.close()
            client.close()
    finally:
        sock.close()
