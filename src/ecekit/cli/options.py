"""The target options every sub-command shares, as click decorators.

Flags override the target file (``--target``, or ``./ecekit.toml`` when present). How their values
become a Target lives below the CLI, in :mod:`ecekit.flags`, which the pytest plugin reads too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

F = Callable[..., Any]


def target_options(func: F) -> F:
    """Add --target, --base-url, entry-point roles, timeouts, headers, --xsd-dir and TLS to a command."""
    options = [
        click.option("--target", "target_file", type=click.Path(dir_okay=False),
                     help="TOML target file (default: ./ecekit.toml if present). Flags override it."),
        click.option("--base-url", help="Server URL including its context root, e.g. "
                     "https://ece.example.com/system. Default: the embedded reference server."),
        click.option("--entry-point", "entry_points", multiple=True, metavar="ID",
                     help="An entry point in an unknown state (repeatable)."),
        click.option("--inactive-entry-point", "inactive_entry_points", multiple=True, metavar="ID",
                     help="An entry point known to be inactive (repeatable)."),
        click.option("--invalid-entry-point", "invalid_entry_points", multiple=True, metavar="ID",
                     help="An id that is no entry point (repeatable)."),
        click.option("--timeout", "read_timeout", type=float, metavar="SECONDS",
                     help="Read timeout, also the cap on one whole response (default 10)."),
        click.option("--connect-timeout", type=float, metavar="SECONDS", help="Default 3."),
        click.option("--header", "headers", multiple=True, metavar="'NAME: VALUE'",
                     help="Extra header on every request (repeatable); redacted in reports."),
        click.option("--xsd-dir", type=click.Path(file_okay=False),
                     help="Directory with the vendor's eGainBosh.xsd and eGainSurvey.xsd."),
        click.option("--widget", metavar="NAME",
                     help="A chat widget (eligibility, chat-allowed, or one defined in the target file): "
                     "judge the state it would show."),
        click.option("--origin", metavar="URL",
                     help="The origin of the site's pages, e.g. https://www.example.com: every status call "
                     "sends it, and each answer must let such a page read it (CORS)."),
        click.option("--ca-bundle", type=click.Path(dir_okay=False), metavar="FILE",
                     help="PEM file of the CA(s) to trust for an https:// --base-url (e.g. your company "
                     "CA), instead of the system's."),
        click.option("--insecure", is_flag=True, default=None,
                     help="Do not verify the server's TLS certificate (loudly flagged in every report)."),
        click.option("--client-cert", type=click.Path(dir_okay=False), metavar="FILE",
                     help="PEM client certificate for a load balancer that asks for one."),
        click.option("--client-key", type=click.Path(dir_okay=False), metavar="FILE",
                     help="PEM private key of --client-cert (if not in the same file)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def canary_option(func: F) -> F:
    """``--canary-url``, for the commands that send surveys (check, fuzz)."""
    return click.option(
        "--canary-url", metavar="URL",
        help="http://HOST:PORT of this machine as the server under test reaches it: ecekit listens there "
        "and records every fetch of the external DTDs and entities its surveys name (survey_xxe). Default: "
        "a loopback port for a server on this machine; none (fetches not observed) for a remote one. "
        "Target key canary_url.")(func)
