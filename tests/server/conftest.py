"""Fixtures in layers: one in-thread reference server per session, reset before each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from ecekit.server.embedded import ServerHandle, running_server


@pytest.fixture(scope="session")
def session_server() -> Iterator[ServerHandle]:
    with running_server(admin=True) as handle:
        yield handle


@pytest.fixture
def srv(session_server: ServerHandle) -> ServerHandle:
    """The session's server, back to the default scenario with no faults."""
    session_server.reset()
    return session_server


@pytest.fixture(scope="session")
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        yield session
