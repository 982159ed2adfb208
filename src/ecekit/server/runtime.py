"""Assembling and running the server: scenario + store + faults -> app -> uvicorn on a bound socket.

Shared by ``ecekit serve`` and :mod:`ecekit.server.embedded` so the tests run exactly what users run.
The socket is bound here (port 0 allowed) before uvicorn starts, so the caller knows the real port
without parsing logs. The stack is fixed for speed: httptools, uvloop when installed, one worker,
no access log (``--log-level debug`` gives one line per request from the app itself).

:func:`serve` leaves SIGTERM and SIGINT to :class:`ecekit.server.stopping.StopSignals`, installed by
the caller before anything is built, and says when the server accepts connections.
"""

from __future__ import annotations

import contextlib
import socket
import ssl
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import uvicorn

from ecekit import xmlsafe
from ecekit.errors import UsageError
from ecekit.server import faults as faults_mod
from ecekit.server import scenario
from ecekit.server.access import AdminAccess
from ecekit.server.app import EceApp
from ecekit.server.cors import CorsPolicy, parse_origins
from ecekit.server.stopping import StopSignals
from ecekit.server.store import SurveyStore


def build_app(
    *,
    scenario_file: str | Path | None = None,
    faults: Iterable[str | faults_mod.Fault] = (),
    admin: bool = False,
    admin_access: AdminAccess | None = None,
    surveys_db: str | Path,
    context_root: str = "/system",
    max_body: int = xmlsafe.DEFAULT_MAX_BODY,
    cors_origins: tuple[str, ...] = (),
    survey_parsing: str = "strict",
) -> EceApp:
    """Validate everything (ConfigError on a bad scenario or fault) and build the app.
    ``admin_access`` (from :func:`ecekit.server.access.admin_access`) guards the admin API."""
    state = scenario.load(scenario_file)
    chosen = [f if isinstance(f, faults_mod.Fault) else faults_mod.parse(f) for f in faults]
    store = SurveyStore(surveys_db)
    cors = CorsPolicy(parse_origins(cors_origins)) if cors_origins else None
    return EceApp(state, store, context_root=context_root, faults=chosen, admin=admin,
                  admin_access=admin_access, max_body=max_body,
                  initial=lambda: scenario.load(scenario_file), cors=cors, survey_parsing=survey_parsing)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket (port 0: a free one), ready to hand to uvicorn."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted sockets only when the listening socket
    # says it is TCP; with proto 0 every answer waited ~40 ms for Nagle and delayed ACKs (uvloop sets
    # it anyway, so only servers without uvloop showed it).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def loop_name() -> str:
    try:
        import uvloop  # noqa: F401
    except ImportError:  # pragma: no cover - uvloop is optional
        return "asyncio"
    return "uvloop"


def config(app: object, *, log_level: str = "warning", tls_cert: str | Path | None = None,
           tls_key: str | Path | None = None, tls_client_ca: str | Path | None = None) -> uvicorn.Config:
    """uvicorn's settings; with ``tls_cert`` (and ``tls_key`` unless the cert file holds it) it serves
    HTTPS through uvicorn's own ssl options, as a staging ECE behind a company CA does, and with
    ``tls_client_ca`` it also demands a client certificate signed by that CA (a load balancer's mTLS)."""
    return uvicorn.Config(
        app,  # type: ignore[arg-type]
        http="httptools",
        loop=loop_name(),
        lifespan="off",
        access_log=False,
        log_level=log_level,
        server_header=False,
        timeout_graceful_shutdown=5,
        backlog=2048,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
        ssl_ca_certs=str(tls_client_ca) if tls_client_ca else None,
        ssl_cert_reqs=ssl.CERT_REQUIRED if tls_client_ca else ssl.CERT_NONE,
    )


class _Server(uvicorn.Server):
    """uvicorn's server with the signals left to :class:`StopSignals` (uvicorn's own capture would
    install its handlers late, inside the event loop, and raise the signal again after shutdown) and a
    callback once it accepts connections."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit:
            self._on_ready()


def serve(server_config: uvicorn.Config, sock: socket.socket, stop: StopSignals,
          on_ready: Callable[[], None]) -> None:
    """Serve on ``sock`` until ``stop`` is signalled, then shut down gracefully and return.
    ``on_ready`` runs once the server accepts connections (not at all when stopped before that)."""
    server = _Server(server_config, on_ready)
    stop.attach(server)
    if not stop.requested:
        server.run(sockets=[sock])


def prepared(app: Any, host: str, port: int, *, log_level: str = "info", tls_cert: str | None = None,
             tls_key: str | None = None, tls_client_ca: str | None = None) -> tuple[socket.socket, uvicorn.Config]:
    """The bound socket and the loaded configuration of ``ecekit serve``; a port in use or a bad
    certificate is a UsageError (exit 2), and nothing is left open."""
    try:
        sock = bind(host, port)
    except OSError as exc:
        app.store.close()
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                         remedy="choose another --port (0 picks a free one)") from exc
    try:
        server_config = config(app, log_level=log_level, tls_cert=tls_cert, tls_key=tls_key,
                               tls_client_ca=tls_client_ca)
        server_config.load()  # loads the certificate now: a bad one is a usage error, not a traceback
    except (OSError, ValueError) as exc:
        sock.close()
        app.store.close()
        raise UsageError(f"cannot serve HTTPS with {tls_cert}: {exc}",
                         remedy="--tls-cert and --tls-key must be a PEM certificate and its key") from exc
    return sock, server_config


def ready_lines(app: Any, host: str, port: int, faults: Iterable[str], access: AdminAccess | None, *,
                https: bool, cors_origins: Iterable[str], surveys_db: str, survey_parsing: str) -> list[str]:
    """What ``ecekit serve`` says once it accepts connections: the listening line first (tests and
    benchmarks read it), then exposure, faults, the admin API, cross-origin reads, the survey store."""
    from ecekit.server.access import start_notices
    from ecekit.server.asgi import ADMIN_PREFIX

    root = f"{'https' if https else 'http'}://{f'[{host}]' if ':' in host else host}:{port}"
    lines = [f"ecekit serve: listening on {root}{app.context_root}",
             *start_notices(host, port, tuple(faults), access, root + ADMIN_PREFIX)]
    origins = tuple(cors_origins)
    if origins:
        lines.append(f"ecekit serve: cross-origin reads allowed from {', '.join(origins)}; widget page "
                     f"{root}/_widget/?entry_points=1001,1002")
    lines.append(f"ecekit serve: surveys stored in {surveys_db}"
                 + (" (lenient parsing: as JAXB without schema validation)" if survey_parsing == "lenient" else ""))
    return lines


def check_tls_flags(cert: str | None, key: str | None, client_ca: str | None) -> None:
    if (key or client_ca) and not cert:
        raise UsageError("--tls-key and --tls-client-ca need --tls-cert",
                         remedy="pass the server certificate too: --tls-cert FILE --tls-key FILE")


def run_server(host: str, port: int, *, gate: Callable[[], AdminAccess | None], say: Callable[[list[str]], None],
               log_level: str = "info", scenario_file: str | None = None, faults: tuple[str, ...] = (),
               admin: bool = False, surveys_db: str = "ecekit-surveys.sqlite3", context_root: str = "/system",
               cors_origins: tuple[str, ...] = (), survey_parsing: str = "strict", tls_cert: str | None = None,
               tls_key: str | None = None, tls_client_ca: str | None = None) -> None:
    """``ecekit serve``: build, bind and serve until SIGINT/SIGTERM, then close the survey store.

    Signals are caught first: a signal at any moment of start-up stops it cleanly. ``gate()`` builds
    the admin API's gate (a UsageError from it is exit 2); ``say`` gets the start lines once the
    server accepts connections."""
    import gc
    import logging

    with StopSignals() as stop:
        access = gate()
        logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        app = build_app(scenario_file=scenario_file, faults=faults, admin=admin, admin_access=access,
                        surveys_db=surveys_db, context_root=context_root, cors_origins=cors_origins,
                        survey_parsing=survey_parsing)
        sock, server_config = prepared(app, host, port, log_level=log_level, tls_cert=tls_cert, tls_key=tls_key,
                                       tls_client_ca=tls_client_ca)
        gc.freeze()  # what is loaded now lives as long as the server: the collector skips it on every pass
        lines = ready_lines(app, host, sock.getsockname()[1], faults, access, https=bool(tls_cert),
                            cors_origins=cors_origins, surveys_db=surveys_db, survey_parsing=survey_parsing)
        try:
            serve(server_config, sock, stop, lambda: say(lines))
        finally:
            sock.close()
            app.store.close()
