"""Service level objectives: ``NAME=VALUE`` limits that decide a load run's exit code.

NAME is a latency (p50 p90 p95 p99 p999 max, VALUE a duration such as ``50ms``, ``1.5s`` or ``800us``)
or a rate (errors, violations, VALUE a percentage such as ``1%``), optionally prefixed by an operation
(``chatAllowed.p95=30ms``); without a prefix it applies to all requests together. ``errors`` is the
share of requests the visitor got no usable answer to (transport failure or an HTTP error status);
``violations`` the share that broke the contract in any other way. Limits are inclusive: an actual
value equal to the limit holds. An SLO on something that was never measured (an operation the profile
does not call) fails: nothing proves it held.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, cast

from ecekit import operations
from ecekit.errors import ConfigError, did_you_mean
from ecekit.run_summaries import Measured, OpStats, SloCheck, SloSection, WidgetOutcomes

LATENCIES: dict[str, float] = {"p50": 50.0, "p90": 90.0, "p95": 95.0, "p99": 99.0, "p999": 99.9,
                               "max": 100.0}
RATES: dict[str, Literal["failures", "contract_violations"]] = {"errors": "failures",
                                                                "violations": "contract_violations"}
# What the visitors saw (the ``outcomes`` of the page's widget): the share of page views that ever
# showed an error, and the time until the widget showed its first state.
OUTCOME_RATES = ("error_views",)
OUTCOME_LATENCIES = tuple(f"first_state.{p}" for p in ("p50", "p95", "p99"))
METRICS = (*LATENCIES, *RATES, *OUTCOME_RATES, *OUTCOME_LATENCIES)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*(us|µs|ms|s)\s*$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d*)?|\.\d+)\s*%\s*$")
_TO_MS = {"us": 0.001, "µs": 0.001, "ms": 1.0, "s": 1000.0}
EXAMPLE = "e.g. p95=50ms, chatAllowed.p99=1.5s, errors=1%"


@dataclass(frozen=True)
class Slo:
    """One limit. ``limit`` is in milliseconds for a latency, in percent for a rate."""

    operation: str | None
    metric: str
    limit: float
    text: str

    @property
    def name(self) -> str:
        return f"{self.operation}.{self.metric}" if self.operation else self.metric

    @property
    def unit(self) -> str:
        return "%" if self.metric in RATES or self.metric in OUTCOME_RATES else "ms"


def parse(text: str) -> Slo:
    """Parse ``[operation.]NAME=VALUE``; a ConfigError says what is wrong and shows the syntax."""
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name or not value.strip():
        raise ConfigError(f"SLO {text!r} is not NAME=VALUE", remedy=EXAMPLE)
    op_name, dot, metric = name.rpartition(".")
    if name in OUTCOME_LATENCIES or name in OUTCOME_RATES:
        op_name, dot, metric = "", "", name
    if dot:
        try:
            op_name = operations.get(op_name).name
        except KeyError as exc:
            raise ConfigError(f"SLO {text!r}: {exc.args[0]}", remedy=EXAMPLE) from None
    if metric not in METRICS:
        hint = did_you_mean(metric, METRICS)
        raise ConfigError(f"SLO {text!r}: unknown measure {metric!r}",
                          remedy=f"{hint}one of {', '.join(METRICS)} ({EXAMPLE})")
    if metric in LATENCIES or metric in OUTCOME_LATENCIES:
        match = _DURATION.match(value)
        if not match:
            raise ConfigError(f"SLO {text!r}: {metric} takes a duration with a unit",
                              remedy="write it like 50ms, 1.5s or 800us")
        limit = float(match.group(1)) * _TO_MS[match.group(2)]
    else:
        match = _PERCENT.match(value)
        if not match:
            raise ConfigError(f"SLO {text!r}: {metric} takes a percentage", remedy="write it like 1% or 0.5%")
        limit = float(match.group(1))
        if limit > 100:
            raise ConfigError(f"SLO {text!r}: a share cannot exceed 100%", remedy="write it like 1%")
    if not math.isfinite(limit):
        raise ConfigError(f"SLO {text!r}: the limit is not a number", remedy=EXAMPLE)
    return Slo(op_name if dot else None, metric, limit, text.strip())


def parse_all(*groups: Iterable[str]) -> list[Slo]:
    """Parse every SLO, in order; a later one with the same name replaces an earlier (flags win)."""
    by_name: dict[str, Slo] = {}
    for group in groups:
        for text in group:
            for part in _split(text):
                slo = parse(part)
                by_name.pop(slo.name, None)
                by_name[slo.name] = slo
    return list(by_name.values())


def _split(text: str) -> list[str]:
    """One flag or env value may hold several SLOs separated by commas or spaces."""
    return [p for p in re.split(r"[,\s]+", text.strip()) if p]


def actual(slo: Slo, stats: OpStats | None) -> float | None:
    """The measured value an SLO compares with its limit, from one ``operations``/``total`` entry."""
    if not stats or not stats.get("requests"):
        return None
    if slo.metric in LATENCIES:  # one of Latencies' keys, named by the SLO
        return float(cast(Mapping[str, float], stats["latency_ms"])[slo.metric])
    return round(100.0 * stats[RATES[slo.metric]] / stats["requests"], 4)


def outcome_actual(slo: Slo, outcomes: Mapping[str, WidgetOutcomes]) -> float | None:
    """The worst value over the run's widgets (one, unless a distributed run mixed profiles)."""
    values = []
    for data in outcomes.values():
        if not data.get("page_views"):
            continue
        if slo.metric in OUTCOME_RATES:
            values.append(round(100.0 * data["ever_error"], 4))
        else:
            shown = cast(Mapping[str, float | None], data.get("first_state_ms") or {})
            v = shown.get(slo.metric.split(".")[1])
            if v is not None:
                values.append(float(v))
    return max(values) if values else None


def evaluate(slos: Iterable[Slo], summary: Measured) -> SloSection:
    """The ``slo`` section of summary.json: every check with its limit and actual value."""
    checks: list[SloCheck] = []
    for slo in slos:
        if slo.metric in OUTCOME_RATES or slo.metric in OUTCOME_LATENCIES:
            value = outcome_actual(slo, summary.get("outcomes") or {})
        else:
            stats = summary["operations"].get(slo.operation) if slo.operation else summary["total"]
            value = actual(slo, stats)
        checks.append({"name": slo.name, "limit": slo.limit, "actual": value, "unit": slo.unit,
                       "passed": value is not None and value <= slo.limit})
    return {"passed": all(c["passed"] for c in checks), "checks": checks}


def describe(check: SloCheck) -> str:
    """One line for a person: ``chatAllowed.p95: 12.345 ms <= 30 ms  ok``."""
    unit = check.get("unit", "ms")
    if check["actual"] is None:
        return f"{check['name']}: not measured (no requests), limit {check['limit']:g} {unit}  BREACHED"
    verdict = "ok" if check["passed"] else "BREACHED"
    sign = "<=" if check["passed"] else ">"
    return f"{check['name']}: {check['actual']:g} {unit} {sign} {check['limit']:g} {unit}  {verdict}"
