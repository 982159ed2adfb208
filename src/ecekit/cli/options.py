"""The target options every sub-command shares, and how they become a Target.

Flags override the target file (``--target``, or ``./ecekit.toml`` when present).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ecekit import target as target_mod
from ecekit.errors import ConfigError

F = Callable[..., Any]


def _header(value: str) -> tuple[str, str]:
    name, sep, val = value.partition(":")
    if not sep or not name.strip():
        raise ConfigError(f"--header {value!r} is not 'Name: value'",
                          remedy="write it as --header 'Authorization: Basic …'")
    return name.strip(), val.strip()


def target_options(func: F) -> F:
    """Add --target, --base-url, entry-point roles, timeouts, headers and --xsd-dir to a command."""
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
    ]
    for option in reversed(options):
        func = option(func)
    return func


TARGET_OPTION_NAMES = ("target_file", "base_url", "entry_points", "inactive_entry_points",
                       "invalid_entry_points", "read_timeout", "connect_timeout", "headers", "xsd_dir",
                       "widget", "origin")


def target_from(options: dict[str, Any], **extra: Any) -> target_mod.Target:
    """Build the Target from a command's keyword arguments (and extra flag values, e.g. limits)."""
    headers = dict(_header(h) for h in options.get("headers") or ())
    flags = {
        "base_url": options.get("base_url"),
        "entry_points": list(options.get("entry_points") or ()),
        "inactive_entry_points": list(options.get("inactive_entry_points") or ()),
        "invalid_entry_points": list(options.get("invalid_entry_points") or ()),
        "read_timeout": options.get("read_timeout"),
        "connect_timeout": options.get("connect_timeout"),
        "headers": headers,
        "xsd_dir": options.get("xsd_dir"),
        "widget": options.get("widget"),
        "origin": options.get("origin"),
        **extra,
    }
    return target_mod.resolve(options.get("target_file"), **flags)


def pop_target_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Remove the shared target options from a command's kwargs and return them."""
    return {name: kwargs.pop(name, None) for name in TARGET_OPTION_NAMES}
