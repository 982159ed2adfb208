"""A self-signed HTTPS reference server (certificates made at test time), shared by the TLS tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ecekit.server.embedded import ServerHandle, running_server
from tests.tls import pki


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> pki.Pki:
    return pki.make(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def https(certs: pki.Pki) -> Iterator[ServerHandle]:
    with running_server(tls_cert=certs.server_cert, tls_key=certs.server_key) as srv:
        yield srv


@pytest.fixture(scope="module")
def mtls(certs: pki.Pki) -> Iterator[ServerHandle]:
    """An HTTPS server that demands a client certificate (a load balancer doing mTLS)."""
    with running_server(tls_cert=certs.server_cert, tls_key=certs.server_key,
                        tls_client_ca=certs.client_cert) as srv:
        yield srv

