"""Load profiles: which calls a page view makes, how often, and the run's arrivals and SLOs.

A profile is a TOML file; the bundled ones live in ``loadtests/profiles/`` and are named by their stem
(``--profile one-call``), any other by its path. The default mirrors what real chat widgets do on a
page (ECE_NOTES, "How real pages call these endpoints"): chatAllowed on every page, liveSessionStatus
when chat is allowed, some agentAvailability / capacity / checkEligibility, checkEligibility polled every
15 s while the page stays open, and a 5 s client timeout, beyond which the visitor sees an error::

    description = "..."
    timeout = 5.0                  # s: a widget gives up and shows an error state
    max_in_flight = 2000           # page views in progress at once, per worker process
    slo = ["p99=5s", "errors=1%"]  # defaults; --slo adds or replaces by name
    [arrivals]                     # see ecekit.load.schedule.Arrivals
    shape = "steady"
    rate = 20
    duration = 30
    [[call]]                       # in page-load order
    operation = "chatAllowed"
    [[call]]
    operation = "liveSessionStatus"
    when = "allowed"               # only when chatAllowed answered allowed="true"
    [[call]]
    operation = "capacity"
    share = 0.2                    # a fifth of page views make this call
    widget = "chat-allowed"        # what the page's widget shows (ecekit.widgets); --widget overrides
    [poll]                         # optional: the widget re-asks while the page stays open
    interval = 15                  # s between polls (default: the widget's)
    dwell = 30                     # s a page stays open: the mean (exponential), the value (fixed) or
    dwell_distribution = "exponential"   # the median (lognormal, with dwell_spread = sigma of its log)
    [survey]                       # only when writes are allowed
    share = 0.01
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecekit import operations, resources
from ecekit.errors import ConfigError, did_you_mean
from ecekit.load.schedule import Arrivals
from ecekit.load.schedule import from_mapping as arrivals_from

DEFAULT_PROFILE = "default"
WHEN = ("always", "allowed")


@dataclass(frozen=True)
class Call:
    """One call of a page load: made by ``share`` of page views, or only when chat is allowed."""

    operation: operations.Operation
    share: float = 1.0
    when: str = "always"


DWELL_DISTRIBUTIONS = ("exponential", "fixed", "lognormal")


@dataclass(frozen=True)
class Poll:
    """A widget that re-asks every ``interval`` s while the page stays open for a dwell time drawn from
    ``distribution``: exponential (mean ``dwell``), fixed, or lognormal (median ``dwell``, sigma of the
    log ``spread``; real dwell times are heavy-tailed). ``operation``/``interval`` None: the widget's."""

    operation: operations.Operation | None
    interval: float | None
    dwell: float
    distribution: str = "exponential"
    spread: float = 1.0

    def mean_dwell(self) -> float:
        import math

        if self.distribution == "lognormal":
            return self.dwell * math.exp(self.spread ** 2 / 2)
        return self.dwell


@dataclass(frozen=True)
class Profile:
    name: str
    calls: tuple[Call, ...]
    arrivals: Arrivals = field(default_factory=Arrivals)
    description: str = ""
    poll: Poll | None = None
    survey_share: float = 0.0
    timeout: float = 5.0
    max_in_flight: int = 2000
    slos: tuple[str, ...] = ()
    source: str = ""
    widget: str | None = None  # a widget's name; None: the default (ecekit.widgets.DEFAULT_WIDGET)
    custom_widget: Any = None  # a widgets.Widget defined in the profile's [widget] table

    @property
    def operations(self) -> tuple[str, ...]:
        names = [c.operation.name for c in self.calls]
        if self.poll and self.poll.operation is not None:
            names.append(self.poll.operation.name)
        return tuple(dict.fromkeys(names))


def _check_keys(data: Mapping[str, Any], valid: tuple[str, ...], where: str) -> None:
    for key in data:
        if key not in valid:
            hint = did_you_mean(key, valid)
            raise ConfigError(f"{where}: unknown key {key!r}", remedy=f"{hint}valid keys: {', '.join(valid)}")


def _number(value: Any, where: str, low: float = 0.0, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < low or (
            high is not None and value > high):
        bound = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise ConfigError(f"{where} = {value!r} is not valid", remedy=f"expected a number {bound}")
    return float(value)


def _status_operation(name: Any, where: str) -> operations.Operation:
    try:
        op = operations.get(str(name))
    except KeyError as exc:
        raise ConfigError(f"{where}: {exc.args[0]}", remedy="use an operation name from the guide") from None
    if not op.is_status:
        raise ConfigError(f"{where}: {op.name} is not a page-load call",
                          remedy="surveys go in the [survey] table, and only run with writes allowed")
    return op


def from_mapping(data: Mapping[str, Any], name: str, source: str) -> Profile:
    """Build and validate a Profile; every error names the file and the key."""
    _check_keys(data, ("description", "timeout", "max_in_flight", "slo", "arrivals", "call", "poll",
                       "survey", "widget"), source)
    calls = []
    for i, raw in enumerate(data.get("call", [])):
        where = f"{source}: call[{i}]"
        _check_keys(raw, ("operation", "share", "when"), where)
        when = raw.get("when", "always")
        if when not in WHEN:
            raise ConfigError(f"{where}.when = {when!r} is not valid", remedy=f"one of {', '.join(WHEN)}")
        calls.append(Call(_status_operation(raw.get("operation"), where),
                          _number(raw.get("share", 1.0), f"{where}.share", 0, 1), when))
    if not calls:
        raise ConfigError(f"{source}: no [[call]] tables", remedy='add one, e.g. [[call]] operation = "chatAllowed"')
    poll = None
    if "poll" in data:
        raw = data["poll"]
        _check_keys(raw, ("operation", "interval", "dwell", "dwell_distribution", "dwell_spread"),
                    f"{source}: [poll]")
        distribution = raw.get("dwell_distribution", "exponential")
        if distribution not in DWELL_DISTRIBUTIONS:
            raise ConfigError(f"{source}: poll.dwell_distribution = {distribution!r} is not valid",
                              remedy=f"{did_you_mean(str(distribution), DWELL_DISTRIBUTIONS)}one of "
                              f"{', '.join(DWELL_DISTRIBUTIONS)}")
        poll = Poll(_status_operation(raw["operation"], f"{source}: [poll]") if "operation" in raw else None,
                    _number(raw["interval"], f"{source}: poll.interval", 0.1) if "interval" in raw else None,
                    _number(raw.get("dwell", 30), f"{source}: poll.dwell", 0), distribution,
                    _number(raw.get("dwell_spread", 1.0), f"{source}: poll.dwell_spread", 0.01, 5))
    survey = data.get("survey", {})
    _check_keys(survey, ("share",), f"{source}: [survey]")
    slos = data.get("slo", [])
    if not isinstance(slos, list) or not all(isinstance(s, str) for s in slos):
        raise ConfigError(f"{source}: slo must be a list of strings", remedy='e.g. slo = ["p99=500ms", "errors=1%"]')
    max_in_flight = data.get("max_in_flight", 2000)
    if isinstance(max_in_flight, bool) or not isinstance(max_in_flight, int) or max_in_flight < 1:
        raise ConfigError(f"{source}: max_in_flight = {max_in_flight!r} is not valid",
                          remedy="expected a positive integer")
    widget_name, custom = None, None
    if "widget" in data:
        from ecekit import widgets

        raw_widget = data["widget"]
        if isinstance(raw_widget, dict):
            custom = widgets.from_mapping(raw_widget, f"{source}: [widget]")
            widget_name = custom.name
        else:
            widget_name = str(raw_widget)
            widgets.get(widget_name)  # ConfigError with a close match
    return Profile(
        widget=widget_name, custom_widget=custom,
        name=name, calls=tuple(calls), arrivals=arrivals_from(data.get("arrivals", {}), source),
        description=str(data.get("description", "")), poll=poll,
        survey_share=_number(survey.get("share", 0.0), f"{source}: survey.share", 0, 1),
        timeout=_number(data.get("timeout", 5.0), f"{source}: timeout", 0.001),
        max_in_flight=max_in_flight, slos=tuple(slos), source=source)


def bundled_names() -> list[str]:
    return sorted(p.stem for p in (resources.loadtests_dir() / "profiles").glob("*.toml"))


def load(name_or_path: str | None) -> Profile:
    """A bundled profile by name (``one-call``) or any profile file by path."""
    name_or_path = name_or_path or DEFAULT_PROFILE
    path = Path(name_or_path)
    if not (path.suffix == ".toml" or path.is_file()):
        path = resources.loadtests_dir() / "profiles" / f"{name_or_path}.toml"
    if not path.is_file():
        names = bundled_names()
        hint = did_you_mean(name_or_path, names)
        raise ConfigError(f"no load profile {name_or_path!r}",
                          remedy=f"{hint}bundled profiles: {', '.join(names)}; or give a path to a .toml file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}", remedy="see docs/load.md for the format") from None
    return from_mapping(data, path.stem, str(path))
