"""`ecekit serve`: run the reference ECE server (docs/reference-server.md).

Its first line is ``ecekit serve: listening on http://HOST:PORT/CONTEXT-ROOT`` (tests and benchmarks
read it; ``--port 0`` picks a free port). It serves until SIGINT/SIGTERM, then stops with every
acknowledged survey on disk and exits 0 (:mod:`ecekit.server.stopping`); beyond loopback the admin API
needs a token (:mod:`ecekit.server.access`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click
from click.core import ParameterSource

from ecekit.cli.errors import reports_errors

if TYPE_CHECKING:
    pass

DEFAULT_SURVEYS = "ecekit-surveys.sqlite3"


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
    from ecekit.server import runtime
    from ecekit.server.access import gate

    runtime.check_tls_flags(tls_cert, tls_key, tls_client_ca)
    given = click.get_current_context().get_parameter_source("admin_token") is ParameterSource.COMMANDLINE

    def say(lines: list[str]) -> None:
        """Said once the server accepts connections (tests and benchmarks wait for the first line)."""
        for line in lines:
            click.echo(line, err=line.startswith("ecekit serve: WARNING"))
        sys.stdout.flush()

    runtime.run_server(host, port, gate=lambda: gate(host, admin, admin_token, token_on_command_line=given),
                       say=say, log_level=log_level, scenario_file=scenario_file, faults=faults, admin=admin,
                       surveys_db=surveys_db, context_root=context_root, cors_origins=cors_origins,
                       survey_parsing=survey_parsing, tls_cert=tls_cert, tls_key=tls_key, tls_client_ca=tls_client_ca)
