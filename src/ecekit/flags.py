"""Option values -> a Target: the one road from the CLI's flags, the pytest plugin's ``--ece-…``
options and the load processes' settings to :func:`ecekit.target.resolve`.

It lives below the front doors so the contract suite (``suite/session.py``) can build its target
without importing the CLI; ``cli/options.py`` keeps only the click decorators. Values are keyed by the
option's destination name (``TARGET_OPTION_NAMES``); a missing or empty one does not override the file.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ecekit import target as target_mod
from ecekit.errors import ConfigError

TARGET_OPTION_NAMES = ("target_file", "base_url", "entry_points", "inactive_entry_points",
                       "invalid_entry_points", "read_timeout", "connect_timeout", "headers", "xsd_dir",
                       "widget", "origin", "ca_bundle", "insecure", "client_cert", "client_key")


def header(value: str) -> tuple[str, str]:
    """``'Name: value'`` -> (name, value); ConfigError with the expected form otherwise."""
    name, sep, val = value.partition(":")
    if not sep or not name.strip():
        raise ConfigError("a --header is not 'Name: value' (it is not shown here: header values are secret)",
                          remedy="write it as --header 'Authorization: Basic …'")
    return name.strip(), val.strip()


def headers(values: Iterable[str] | None) -> dict[str, str]:
    return dict(header(h) for h in values or ())


def target_from(options: Mapping[str, Any], **extra: Any) -> target_mod.Target:
    """The Target of a run from option values (and extra flag values, e.g. limits): the target file
    (``target_file``, or ./ecekit.toml) overridden by every value given."""
    flags = {
        "base_url": options.get("base_url"),
        "entry_points": list(options.get("entry_points") or ()),
        "inactive_entry_points": list(options.get("inactive_entry_points") or ()),
        "invalid_entry_points": list(options.get("invalid_entry_points") or ()),
        "read_timeout": options.get("read_timeout"),
        "connect_timeout": options.get("connect_timeout"),
        "headers": headers(options.get("headers")),
        "xsd_dir": options.get("xsd_dir"),
        "widget": options.get("widget"),
        "origin": options.get("origin"),
        "ca_bundle": options.get("ca_bundle"),
        "insecure": options.get("insecure") or None,  # a flag not given does not turn the file's off
        "client_cert": options.get("client_cert"),
        "client_key": options.get("client_key"),
        **extra,
    }
    return target_mod.resolve(options.get("target_file"), **flags)


def pop_target_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Remove the shared target options from a command's kwargs and return them."""
    return {name: kwargs.pop(name, None) for name in TARGET_OPTION_NAMES}
