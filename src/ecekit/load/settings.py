"""The settings of one load run, resolved the same way in every process of it.

Locust hands each process its options (``--ece-*`` arguments, their ``ECEKIT_*`` environment
variables, and on workers whatever the master forwards); :func:`resolve` turns them into a profile,
the arrivals after ``--rate``/``--duration``, the SLOs and the target. Request headers travel only in
the ``ECEKIT_HEADERS`` environment variable (JSON), and the base URL's ``user:password`` only in
``ECEKIT_CREDENTIALS`` (``--host`` and target.json carry the URL without them), so secrets never reach
the web UI, a command line, a locust log or a report. This module imports neither locust nor gevent.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecekit import redaction, widgets
from ecekit import target as target_mod
from ecekit.errors import ConfigError
from ecekit.load import slo as slo_mod
from ecekit.load.profile import Profile, load
from ecekit.load.schedule import Arrivals, with_overrides
from ecekit.operations import Operation
from ecekit.widgets import Widget

HEADERS_ENV = "ECEKIT_HEADERS"
CREDENTIALS_ENV = "ECEKIT_CREDENTIALS"  # the base URL's user:password, as written in it

# Every option the load path takes: name -> (env var, help). The locust hooks register them.
OPTIONS: dict[str, tuple[str, str]] = {
    "ece_profile": ("ECEKIT_PROFILE", "Load profile: a bundled name (default, one-call...) or a .toml path."),
    "ece_rate": ("ECEKIT_RATE", "Offered page views per second, all workers together (default: profile)."),
    "ece_duration": ("ECEKIT_DURATION", "Seconds of arrivals (default: profile; 0 = until stopped)."),
    "ece_entry_points": ("ECEKIT_ENTRY_POINTS", "Entry point ids, separated by commas or spaces, e.g. 1001,1002."),
    "ece_slo": ("ECEKIT_SLO", "SLOs, comma separated, e.g. p95=50ms,errors=1%."),
    "ece_out": ("ECEKIT_OUT", "Directory for summary.json (and progress.json)."),
    "ece_junit_xml": ("ECEKIT_JUNIT_XML", "Write one JUnit test case per SLO to this file."),
    "ece_target": ("ECEKIT_TARGET", "Target file (ecekit.toml, or the JSON `ecekit load` writes)."),
    "ece_allow_writes": ("ECEKIT_ALLOW_WRITES", "Let a share of visitors post surveys (true/false)."),
    "ece_sid": ("ECEKIT_SID", "A real chat session id for surveys (default: a made-up one)."),
    "ece_seed": ("ECEKIT_SEED", "Random seed for arrivals and mixes (each worker adds its index)."),
    "ece_embedded": ("ECEKIT_EMBEDDED", "The target is ecekit's reference server (strict survey oracle)."),
    "ece_widget": ("ECEKIT_WIDGET", "The page's chat widget (eligibility, chat-allowed...; default: profile's)."),
    "ece_origin": ("ECEKIT_ORIGIN", "The site's origin, sent on every call; answers must allow it (CORS)."),
    "ece_warmup": ("ECEKIT_WARMUP", "Seconds at the start of the arrivals that are sent but not recorded."),
    "ece_control": ("ECEKIT_CONTROL", "A master run step by step by `ecekit capacity --distributed`: its control "
                                      "directory (ecekit.load.driver)."),
    "ece_step": ("ECEKIT_STEP", "Set by a stepped master: the step a worker's reports belong to."),
}

WARM_UP_S = 2.0
"""The longest each stream's unrecorded warm-up call may take before its schedule starts (a server that
never ends an answer delays the start by this much at most); the run's shape allows for it."""
DEFAULT_SID = "1000_00000000-0000-4000-8000-00000000load"


@dataclass(frozen=True)
class Settings:
    profile: Profile
    arrivals: Arrivals
    slos: tuple[slo_mod.Slo, ...]
    target: target_mod.Target
    out: Path | None
    junit_xml: Path | None
    survey_sid: str | None  # None: writes not allowed
    seed: int | None
    embedded: bool
    widget: Widget = field(default_factory=lambda: widgets.get(widgets.DEFAULT_WIDGET))

    @property
    def poll_operation(self) -> Operation | None:
        """What the page re-asks while open: the profile's [poll] operation, or the widget's."""
        poll = self.profile.poll
        if poll is None or poll.dwell <= 0:
            return None
        return poll.operation or self.widget.operation

    @property
    def poll_interval(self) -> float | None:
        poll = self.profile.poll
        if poll is None or poll.dwell <= 0:
            return None
        return poll.interval or self.widget.poll_interval

    def implied_request_rate(self) -> float:
        """Requests/s the profile implies at steady state: page views x (calls on load + dwell / interval)."""
        on_load = sum(c.share for c in self.profile.calls)
        if self.widget.operation not in {c.operation for c in self.profile.calls}:
            on_load += 1
        poll = self.profile.poll
        interval = self.poll_interval
        polls = poll.mean_dwell() / interval if poll is not None and interval else 0.0
        return self.arrivals.mean_rate() * (on_load + polls)
    warmup: float = 0.0  # s of the arrivals sent but not recorded (ecekit capacity's per-step warm-up)


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


def _float(value: Any, name: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"--{name.replace('_', '-')} {value!r} is not a number", remedy="e.g. 20") from None


def _target(file: str | None, host: str | None, entry_points: list[str]) -> target_mod.Target:
    fields: dict[str, Any] = {}
    if file:
        if file.lstrip().startswith("{"):  # inline: a distributed search's workers have no file of the master's
            fields.update(target_mod.from_mapping(json.loads(file), "--ece-target"))
        elif file.endswith(".json"):
            data = json.loads(Path(file).read_text(encoding="utf-8"))
            fields.update(target_mod.from_mapping(data, file))
        else:
            fields.update(target_mod.load_file(file))
    headers = os.environ.get(HEADERS_ENV)
    if headers:
        fields["headers"] = target_mod.from_mapping({"headers": json.loads(headers)}, HEADERS_ENV)["headers"]
    flags = target_mod.from_mapping({k: v for k, v in {"base_url": host, "entry_points": entry_points}.items()
                                     if v})
    fields.update(flags)
    if fields.get("base_url"):
        fields["base_url"] = redaction.with_credentials(fields["base_url"], os.environ.get(CREDENTIALS_ENV))
    return target_mod.Target(**fields)


def resolve(options: Mapping[str, Any], host: str | None = None) -> Settings:
    """Settings from locust's parsed options (a mapping of ``ece_*`` names) and its ``--host``."""
    profile = load(options.get("ece_profile") or None)
    arrivals = with_overrides(profile.arrivals, _float(options.get("ece_rate"), "ece_rate"),
                              _float(options.get("ece_duration"), "ece_duration"))
    slo_text = options.get("ece_slo") or ""
    slos = tuple(slo_mod.parse_all(profile.slos, [slo_text] if isinstance(slo_text, str) else slo_text))
    eps = list(target_mod.split_entry_points(str(options.get("ece_entry_points") or "").strip() or []))
    target = _target(options.get("ece_target") or None, host, eps)
    writes = _flag(options.get("ece_allow_writes"))
    seed = options.get("ece_seed")
    out = options.get("ece_out")
    junit = options.get("ece_junit_xml")
    origin = options.get("ece_origin")
    if origin:
        target = target.replace(origin=target_mod.from_mapping({"origin": origin}, "--origin")["origin"])
    warmup = _float(options.get("ece_warmup"), "ece_warmup") or 0.0
    if warmup < 0 or (arrivals.bounded and warmup >= arrivals.duration):
        raise ConfigError(f"warm-up {warmup:g} s must be at least 0 and shorter than the {arrivals.duration:g} s "
                          "of arrivals", remedy="e.g. --ece-warmup 5 with --ece-duration 35")
    return Settings(profile=profile, arrivals=arrivals, slos=slos, target=target,
                    widget=_widget(options.get("ece_widget") or None, profile, target),
                    out=Path(out) if out else None, junit_xml=Path(junit) if junit else None,
                    survey_sid=(options.get("ece_sid") or target.sid or DEFAULT_SID) if writes else None,
                    seed=int(seed) if seed not in (None, "") else None,
                    embedded=_flag(options.get("ece_embedded")), warmup=warmup)


def _widget(name: str | None, profile: Profile, target: target_mod.Target) -> Widget:
    """--widget, else the profile's, else the target file's, else the default."""
    custom = {**dict(target.custom_widgets)}
    if profile.custom_widget is not None:
        custom[profile.custom_widget.name] = profile.custom_widget
    chosen = name or profile.widget or target.widget or widgets.DEFAULT_WIDGET
    return widgets.get(chosen, custom)


def target_json(target: target_mod.Target) -> dict[str, Any]:
    """A target as the JSON the locust processes read back (headers and the URL's credentials left out:
    see HEADERS_ENV and CREDENTIALS_ENV)."""
    data: dict[str, Any] = {
        "entry_points": list(target.entry_points), "connect_timeout": target.connect_timeout,
        "read_timeout": target.read_timeout, "max_response_time": target.max_response_time,
        "max_body_bytes": target.max_body_bytes, "agents_required": target.agents_required,
        "paths": dict(target.paths)}
    if target.base_url:
        data["base_url"] = redaction.split_credentials(target.base_url)[0]
    if target.xsd_dir:
        data["xsd_dir"] = target.xsd_dir
    if target.sid:
        data["sid"] = target.sid
    if target.origin:
        data["origin"] = target.origin
    if target.widget:
        custom = target.custom_widgets.get(target.widget)
        data["widget"] = widgets.to_mapping(custom) if custom is not None else target.widget
    for name in ("ca_bundle", "client_cert", "client_key"):  # absolute: the children run in --out
        if getattr(target, name):
            data[name] = str(Path(getattr(target, name)).resolve())
    if target.insecure:
        data["insecure"] = True
    if target.checks:  # a .py path absolute; a dotted name is found through PYTHONPATH (load.run)
        data["checks"] = [str(Path(c).resolve()) if c.endswith(".py") else c for c in target.checks]
    return data
