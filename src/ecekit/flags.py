"""The target options, declared once, and their values -> a Target.

:data:`~ecekit.target_options.TARGET_OPTIONS` is the one list of the options every command shares:
the CLI's click options (``cli/options.py``) and the pytest plugin's ``--ece-…`` options are generated
from it, and :func:`target_from` turns their values into a Target through :func:`ecekit.target.resolve`, where the
target file's keys (``key``) are validated. It lives below the front doors so the contract suite
(``suite/session.py``) and the load processes build their target without importing the CLI. Values
are keyed by the option's ``dest``; a missing or empty one does not override the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ecekit import target as target_mod
from ecekit.errors import ConfigError
from ecekit.target_options import TARGET_OPTION_NAMES, TARGET_OPTIONS, TargetOption

__all__ = ["TARGET_OPTIONS", "TARGET_OPTION_NAMES", "TargetOption", "header", "headers", "pop_target_options",
           "target_from"]


def header(value: str) -> tuple[str, str]:
    """``'Name: value'`` -> (name, value); ConfigError with the expected form otherwise."""
    name, sep, val = value.partition(":")
    if not sep or not name.strip():
        raise ConfigError("a --header is not 'Name: value' (it is not shown here: header values are secret)",
                          remedy="write it as --header 'Authorization: Basic …'")
    return name.strip(), val.strip()


def headers(values: Iterable[str] | None) -> dict[str, str]:
    return dict(header(h) for h in values or ())


# How an option's value becomes its target field's, where it is not the value itself.
_CONVERT: dict[str, Callable[[Any], Any]] = {
    "headers": headers,
    "insecure": lambda value: value or None,  # a flag not given does not turn the file's off
}


def target_from(options: Mapping[str, Any], **extra: Any) -> target_mod.Target:
    """The Target of a run from option values (and extra flag values, e.g. limits): the target file
    (``target_file``, or ./ecekit.toml) overridden by every value given."""
    flags: dict[str, Any] = {}
    for option in TARGET_OPTIONS:
        if option.key is None:
            continue
        value = options.get(option.dest)
        if option.multiple and option.dest not in _CONVERT:
            value = list(value or ())
        flags[option.key] = _CONVERT.get(option.dest, lambda v: v)(value)
    return target_mod.resolve(options.get("target_file"), **{**flags, **extra})


def pop_target_options(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Remove the shared target options from a command's kwargs and return them."""
    return {name: kwargs.pop(name, None) for name in TARGET_OPTION_NAMES}
