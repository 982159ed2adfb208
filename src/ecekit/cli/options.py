"""The target options every sub-command shares, as click decorators.

Flags override the target file (``--target``, or ``./ecekit.toml`` when present). They are declared once,
as data, in :mod:`ecekit.flags` (which the pytest plugin reads too), with how their values become a
Target.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ecekit.target_options import TARGET_OPTIONS, TargetOption

F = Callable[..., Any]


def _click_option(option: TargetOption) -> Callable[[F], F]:
    kwargs: dict[str, Any] = {"help": option.help}
    if option.metavar:
        kwargs["metavar"] = option.metavar
    if option.multiple:
        kwargs["multiple"] = True
    if option.is_flag:
        kwargs.update(is_flag=True, default=None)
    if option.number:
        kwargs["type"] = float
    if option.path:
        kwargs["type"] = click.Path(dir_okay=option.path == "dir", file_okay=option.path == "file")
    return click.option(option.flag, option.dest, **kwargs)


def target_options(func: F) -> F:
    """Add the target options (``ecekit.flags.TARGET_OPTIONS``: --target, --base-url, entry points by
    role, timeouts, headers, --xsd-dir, TLS, --checks) to a command."""
    for option in reversed(TARGET_OPTIONS):
        func = _click_option(option)(func)
    return func


def canary_option(func: F) -> F:
    """``--canary-url``, for the commands that send surveys (check, fuzz)."""
    return click.option(
        "--canary-url", metavar="URL",
        help="http://HOST:PORT of this machine as the server under test reaches it: ecekit listens there "
        "and records every fetch of the external DTDs and entities its surveys name (survey_xxe). Default: "
        "a loopback port for a server on this machine; none (fetches not observed) for a remote one. "
        "Target key canary_url.")(func)


def fault_option(func: F) -> F:
    """``--fault`` (hidden: a testing aid): start the embedded server with this fault mode."""
    return click.option("--fault", "faults", multiple=True, hidden=True, metavar="NAME",
                        help="(testing) start the embedded server with this fault mode; repeatable.")(func)
