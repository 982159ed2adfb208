"""`ecekit serve`: run the reference ECE server (see docs/reference-server.md).

It prints ``ecekit serve: listening on http://HOST:PORT/CONTEXT-ROOT`` (https with
``--tls-cert``) once the server accepts connections and stops on a signal
(``--port 0`` picks a free port; tests and benchmarks read that line), serves until SIGINT/SIGTERM,
then shuts down gracefully and closes the survey database, every acknowledged survey on disk, and
exits 0. A signal at any moment of start-up stops it the same way (:mod:`ecekit.server.stopping`).

Beyond loopback (``--host 0.0.0.0``, a LAN address) it says so in one line (who can reach it, which
fault modes they get) and the admin API needs a bearer token (:mod:`ecekit.server.access`).
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from ecekit.cli.errors import reports_errors
from ecekit.errors import UsageError

if TYPE_CHECKING:
    from ecekit.server.access import AdminAccess

DEFAULT_SURVEYS = "ecekit-surveys.sqlite3"


def _admin_access(host: str, admin: bool, token: str | None) -> AdminAccess | None:
    """The admin API's gate, or None without --admin (a token given then is a mistake)."""
    from ecekit.server import access

    if not admin:
        source = click.get_current_context().get_parameter_source("admin_token")
        if token is not None and source is ParameterSource.COMMANDLINE:
            raise UsageError("--admin-token needs --admin", remedy="add --admin, or drop --admin-token")
        return None
    if token is None and os.environ.get(access.TOKEN_ENV) == "":
        # click reads an empty variable as unset, which would leave the API open without a word.
        raise UsageError(f"{access.TOKEN_ENV} is set but empty",
                         remedy=f"put a token in it (e.g. `export {access.TOKEN_ENV}=\"$(python3 -c "
                                "'import secrets; print(secrets.token_urlsafe(32))')\"`), or "
                                f"`unset {access.TOKEN_ENV}` to leave the loopback admin API open")
    return access.admin_access(host, token)


@click.command(name="serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on. Anything but loopback (0.0.0.0, ::, a LAN address) lets "
                   "other machines reach the server and its faults, and makes --admin need a token.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port; 0 picks a free one (printed on start).")
@click.option("--scenario", "scenario_file", type=click.Path(dir_okay=False),
              help="TOML scenario file (default: the bundled one, see --list-entry-points).")
@click.option("--fault", "faults", multiple=True, metavar="NAME[=PARAM]",
              help="Turn on a fault mode (repeatable); see --list-faults.")
@click.option("--admin", is_flag=True, help="Enable the admin API under /_ecekit.")
@click.option("--admin-token", metavar="TOKEN", envvar="ECEKIT_ADMIN_TOKEN", show_envvar=True,
              help="Bearer token the admin API requires (Authorization: Bearer TOKEN). Beyond "
                   "loopback one is generated and printed when not given; on loopback the API is "
                   "open unless a token is given.")
@click.option("--surveys", "surveys_db", default=DEFAULT_SURVEYS, show_default=True,
              type=click.Path(dir_okay=False), help="SQLite database that stores accepted surveys.")
@click.option("--context-root", default="/system", show_default=True,
              help="Path prefix of every ECE path, e.g. /system or /webchatprod ('/' for none).")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN",
              help="Let web pages on ORIGIN (scheme://host:port, or * for any) read the answers "
              "cross-origin (repeatable). The page /_widget/ shows them through a chat widget.")
@click.option("--survey-parsing", type=click.Choice(["strict", "lenient"]), default="strict",
              show_default=True,
              help="strict: XSD-valid bodies with an XML Content-Type only; lenient: like a hardened JAXB "
              "server without schema validation (any Content-Type, unknown/nested elements skipped, any "
              "order, the DOCTYPE's external DTD and parameter entities ignored, never loaded).")
@click.option("--tls-cert", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="Serve HTTPS with this PEM certificate (chain); e.g. to try --ca-bundle and --insecure.")
@click.option("--tls-key", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="The PEM private key of --tls-cert (if not in the same file).")
@click.option("--tls-client-ca", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
              help="With --tls-cert: demand a client certificate signed by this CA (to try --client-cert).")
@click.option("--list-entry-points", is_flag=True, help="Print the scenario's entry points and exit.")
@click.option("--list-faults", is_flag=True, help="Print the fault catalogue and exit.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]),
              help="debug logs one line per request (slower: the cached fast path is off).")
@reports_errors
def command(host: str, port: int, scenario_file: str | None, faults: tuple[str, ...], admin: bool,
            admin_token: str | None, surveys_db: str, context_root: str, cors_origins: tuple[str, ...],
            survey_parsing: str, tls_cert: str | None, tls_key: str | None,
            tls_client_ca: str | None, list_entry_points: bool, list_faults: bool, log_level: str) -> None:
    """Run the reference ECE server: the six operations of the guide, a state you control, faults
    you choose."""
    if list_entry_points or list_faults:
        from ecekit.server import faults as catalogue
        from ecekit.server import scenario

        for line in [*(scenario.listing(scenario_file) if list_entry_points else []),
                     *(catalogue.listing() if list_faults else [])]:
            click.echo(line)
        return
    if (tls_key or tls_client_ca) and not tls_cert:
        raise UsageError("--tls-key and --tls-client-ca need --tls-cert",
                         remedy="pass the server certificate too: --tls-cert FILE --tls-key FILE")
    from ecekit.server.stopping import StopSignals

    with StopSignals() as stop:  # first: a signal from here on is a clean stop (exit 0)
        access = _admin_access(host, admin, admin_token)
        logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        from ecekit.server import runtime
        from ecekit.server.app import ADMIN_PREFIX

        app = runtime.build_app(scenario_file=scenario_file, faults=faults, admin=admin, admin_access=access,
                                surveys_db=surveys_db, context_root=context_root, cors_origins=cors_origins,
                                survey_parsing=survey_parsing)
        sock, server_config = runtime.prepared(app, host, port, log_level=log_level, tls_cert=tls_cert,
                                               tls_key=tls_key, tls_client_ca=tls_client_ca)
        gc.freeze()  # what is loaded now lives as long as the server: the collector skips it on every pass
        bound = sock.getsockname()[1]
        shown_host = f"[{host}]" if ":" in host else host
        scheme = "https" if tls_cert else "http"

        def ready() -> None:
            """Said once the server accepts connections (tests and benchmarks wait for the first line)."""
            click.echo(f"ecekit serve: listening on {scheme}://{shown_host}:{bound}{app.context_root}")
            from ecekit.server.access import start_notices

            for line in start_notices(host, bound, faults, access, f"{scheme}://{shown_host}:{bound}{ADMIN_PREFIX}"):
                click.echo(line, err=line.startswith("ecekit serve: WARNING"))
            if cors_origins:
                click.echo(f"ecekit serve: cross-origin reads allowed from {', '.join(cors_origins)}; widget page "
                           f"{scheme}://{shown_host}:{bound}/_widget/?entry_points=1001,1002")
            click.echo(f"ecekit serve: surveys stored in {surveys_db}"
                       + (" (lenient parsing: as JAXB without schema validation)"
                          if survey_parsing == "lenient" else ""))
            sys.stdout.flush()

        try:
            runtime.serve(server_config, sock, stop, ready)
        finally:
            sock.close()
            app.store.close()
