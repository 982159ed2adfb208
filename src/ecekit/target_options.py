"""The target options every command shares, declared once, as data (standard library only: the pytest
plugin reads it in every pytest run of the environment). ``cli/options.py`` makes click options of it,
``pytest_plugin.py`` makes ``--ece-…`` options of it, and :func:`ecekit.flags.target_from` turns their
values into a Target, whose file keys (``key``) :mod:`ecekit.target` validates.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TargetOption:
    """One target option: its CLI flag (pytest's is ``--ece-`` + the same name), where its value goes."""

    flag: str  # e.g. "--base-url"
    dest: str  # the key of its value in a command's options
    help: str
    key: str | None = None  # the target-file key it overrides (None: not a target field)
    metavar: str | None = None
    multiple: bool = False
    is_flag: bool = False
    number: bool = False  # a float
    path: str | None = None  # "file" or "dir": a path the CLI checks the kind of

    @property
    def pytest_flag(self) -> str:
        return "--ece-" + self.flag.removeprefix("--")


TARGET_OPTIONS: tuple[TargetOption, ...] = (
    TargetOption("--target", "target_file", "TOML target file (default: ./ecekit.toml if present). Flags "
                 "override it.", path="file"),
    TargetOption("--base-url", "base_url", "Server URL including its context root, e.g. "
                 "https://ece.example.com/system. Default: the embedded reference server.", key="base_url"),
    TargetOption("--entry-point", "entry_points", "An entry point in an unknown state (repeatable).",
                 key="entry_points", metavar="ID", multiple=True),
    TargetOption("--inactive-entry-point", "inactive_entry_points", "An entry point known to be inactive "
                 "(repeatable).", key="inactive_entry_points", metavar="ID", multiple=True),
    TargetOption("--invalid-entry-point", "invalid_entry_points", "An id that is no entry point (repeatable).",
                 key="invalid_entry_points", metavar="ID", multiple=True),
    TargetOption("--timeout", "read_timeout", "Read timeout, also the cap on one whole response (default 10).",
                 key="read_timeout", metavar="SECONDS", number=True),
    TargetOption("--connect-timeout", "connect_timeout", "Connect timeout (default 3).", key="connect_timeout",
                 metavar="SECONDS", number=True),
    TargetOption("--header", "headers", "Extra header on every request (repeatable); redacted in reports.",
                 key="headers", metavar="'NAME: VALUE'", multiple=True),
    TargetOption("--xsd-dir", "xsd_dir", "Directory with the vendor's eGainBosh.xsd and eGainSurvey.xsd.",
                 key="xsd_dir", path="dir"),
    TargetOption("--widget", "widget", "A chat widget (eligibility, chat-allowed, or one defined in the "
                 "target file): judge the state it would show.", key="widget", metavar="NAME"),
    TargetOption("--origin", "origin", "The origin of the site's pages, e.g. https://www.example.com: every "
                 "status call sends it, and each answer must let such a page read it (CORS).", key="origin",
                 metavar="URL"),
    TargetOption("--ca-bundle", "ca_bundle", "PEM file of the CA(s) to trust for an https:// --base-url "
                 "(e.g. your company CA), instead of the system's.", key="ca_bundle", metavar="FILE",
                 path="file"),
    TargetOption("--insecure", "insecure", "Do not verify the server's TLS certificate (loudly flagged in "
                 "every report).", key="insecure", is_flag=True),
    TargetOption("--client-cert", "client_cert", "PEM client certificate for a load balancer that asks for "
                 "one.", key="client_cert", metavar="FILE", path="file"),
    TargetOption("--client-key", "client_key", "PEM private key of --client-cert (if not in the same file).",
                 key="client_key", metavar="FILE", path="file"),
    TargetOption("--checks", "checks", "A module of checks of your own: a dotted name or a .py path "
                 "(repeatable; target key checks; see docs/api.md).", key="checks", metavar="MODULE",
                 multiple=True),
)
TARGET_OPTION_NAMES = tuple(o.dest for o in TARGET_OPTIONS)
