"""A load run as a library call: :func:`run_load`, which ``ecekit load`` and ``ecekit capacity`` call.

locust (``loadtests/locustfile.py``) runs in child processes, one or a master and ``workers`` N,
against the target or, without a base URL, the reference server started in a process of its own (the
generator must not share an interpreter with the server it measures). Everything a user can get
wrong (a remote host, no entry point, a bad SLO or profile, an XSD directory) is a ToolkitError
before anything starts; every path given is resolved against the directory ecekit runs from, since
locust runs inside the output directory.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ecekit.checks.user import load_for
from ecekit.errors import ConfigError, UsageError
from ecekit.load import launch, profile, slo
from ecekit.load.schedule import Arrivals, with_overrides
from ecekit.loopback import is_loopback_url
from ecekit.run_summaries import Latencies, LoadSummary, ProgressCounts, SloCheck
from ecekit.target import Target
from ecekit.writable import writable_dir, writable_file

HARD_CAP_MARGIN_S = 60.0
"""Seconds past its planned length (arrivals, the profile's timeout, 15 s per worker) after which a run
is stopped however it stands: every run ends by itself."""

Progress = Callable[[ProgressCounts], None]


@dataclass(frozen=True)
class LoadPlan:
    """What every locust process of a run (or of each capacity step) is told, and how long it may last."""

    base_url: str
    options: dict[str, str]
    env: dict[str, str]
    workers: int
    hard_cap_s: float

    def launch(self, out: Path, on_progress: Progress | None = None, **overrides: str) -> LoadSummary:
        """Run locust once into ``out`` with these options (``overrides``: ``ece_rate`` …); its summary."""
        options = {**self.options, "ece_out": str(out.resolve()), **overrides}
        return launch.run(launch.Launch(host=self.base_url, options=options, out=out, workers=self.workers,
                                        hard_cap_s=self.hard_cap_s, env=self.env), on_progress=on_progress)


@dataclass(frozen=True)
class LoadResult:
    """One load run: summary.json as written (``to_dict()``), its verdict and its main numbers."""

    summary: LoadSummary
    out: Path
    junit_xml: Path | None = None

    @property
    def passed(self) -> bool:
        """Every SLO held."""
        return bool(self.summary["slo"]["passed"])

    @property
    def exit_code(self) -> int:
        """What ``ecekit load`` exits with: 0 every SLO held, 1 one was breached."""
        return 0 if self.passed else 1

    @property
    def page_views(self) -> int:
        return int(self.summary.get("schedule", {}).get("page_views", 0))

    @property
    def requests(self) -> int:
        return int(self.summary["total"]["requests"])

    @property
    def failures(self) -> int:
        return int(self.summary["total"]["failures"])

    def latency_ms(self, operation: str | None = None) -> Latencies:
        """Percentiles (``p50`` … ``p999``, ``max``) of one operation (by its name in operations.py), or of
        all requests."""
        stats = self.summary["operations"][operation] if operation else self.summary["total"]
        return stats["latency_ms"].copy()

    @property
    def slos(self) -> list[SloCheck]:
        """Each SLO's verdict: name, limit, actual, passed (and why, when not measured)."""
        return list(self.summary["slo"]["checks"])

    def to_dict(self) -> LoadSummary:
        return self.summary.copy()


def checked_target(target: Target, allow_remote: bool) -> Target:
    """The target to load: never a remote host unless allowed, always with entry points."""
    if target.base_url and not allow_remote and not is_loopback_url(target.base_url):
        raise UsageError(f"refusing to load {target.shown_base_url}: it is not on this machine",
                         remedy="load tests hit real servers hard; pass --allow-remote if this one is yours "
                                "and you mean it, or use 127.0.0.1")
    if target.base_url and not target.entry_points:
        raise UsageError("no entry point to load", remedy="pass --entry-point ID (repeatable)")
    if target.xsd_dir:  # locust runs inside the output directory: every path the user gave is absolute
        from ecekit.xmlsafe import schemas

        target = target.replace(xsd_dir=str(Path(target.xsd_dir).resolve()))
        schemas(target.xsd_dir)  # a directory that cannot be loaded: exit 2 now, not in locust's log
    return target


@dataclass
class LoadSetup:
    """A run's settings, checked: built by :meth:`checked` before any process starts."""

    target: Target
    profile: profile.Profile
    arrivals: Arrivals
    slos: tuple[str, ...] = ()
    workers: int = 1
    allow_writes: bool = False
    sid: str | None = None
    seed: int | None = None
    junit_xml: Path | None = None
    rate: float | None = None  # the overrides of the profile's arrivals, as given
    duration: float | None = None

    @classmethod
    def checked(cls, target: Target | None, *, profile_name: str | None, rate: float | None,
                duration: float | None, slos: Sequence[str] = (), workers: int = 1,
                allow_writes: bool = False, allow_remote: bool = False, sid: str | None = None,
                seed: int | None = None, junit_xml: str | Path | None = None,
                bounded: bool = True) -> LoadSetup:
        target = checked_target(target or Target(), allow_remote)
        prof = profile.load(profile_name or "default")
        arrivals = with_overrides(prof.arrivals, rate, duration)
        if bounded and not arrivals.bounded:
            raise ConfigError("--duration must be positive for `ecekit load`",
                              remedy="e.g. --duration 60 (run until stopped only with locust's web UI)")
        if not 1 <= workers <= 64:
            raise UsageError(f"workers={workers}: a run has 1 to 64 worker processes")
        slo.parse_all(prof.slos, slos)  # a bad SLO is a usage error before anything starts
        load_for(target)  # a user check that cannot be imported: exit 2 here, not in every locust process
        return cls(target, prof, arrivals, tuple(slos), workers, allow_writes, sid, seed,
                   Path(junit_xml).resolve() if junit_xml else None, rate, duration)

    def notices(self) -> list[str]:
        """Said once the server is reached: the TLS warning, surveys left out."""
        from ecekit import transport

        warning = transport.warning(self.target) if self.target.base_url else None
        lines = [warning] if warning else []
        if self.skips_surveys:
            lines.append("note: surveys are skipped (pass --allow-writes to send them)")
        return lines

    @property
    def skips_surveys(self) -> bool:
        """A given server gets no surveys unless allowed (the embedded one always may take them)."""
        return bool(self.target.base_url and not self.allow_writes and self.profile.survey_share)

    @contextlib.contextmanager
    def started(self, out: Path, length_s: float | None = None) -> Iterator[LoadPlan]:
        """The live server (started when embedded, probed when given) and the plan every launch uses.

        ``length_s``: the seconds of arrivals each launch plans for (default: the run's duration); the
        hard cap on each launch follows from it."""
        from ecekit.live import live_target

        with live_target(self.target, subprocess=True) as live:
            options = self.locust_options(live, out)
            length = self.arrivals.duration if length_s is None else length_s
            cap = length + self.profile.timeout + HARD_CAP_MARGIN_S + 15 * self.workers
            yield LoadPlan(live.base_url or "", options, {**headers_env(live), **checks_env(live)}, self.workers,
                           cap)

    def run(self, out: str | Path | None = None, on_progress: Progress | None = None,
            on_start: Callable[[LoadPlan], None] | None = None) -> LoadResult:
        """Start the server (or probe it), run locust once, and read what it wrote."""
        from ecekit.report.publish import default_out

        folder = (Path(out) if out else default_out("load")).resolve()
        writable_dir(folder, "--out")  # a report that cannot be written: exit 2 now, not after the run
        writable_file(self.junit_xml, "--junit-xml")
        with self.started(folder) as plan:
            if on_start is not None:
                on_start(plan)
            summary = plan.launch(folder, on_progress)
        return LoadResult(summary, folder, self.junit_xml)

    def locust_options(self, target: Target, out: Path) -> dict[str, str]:
        """The ``ece_*`` options of the locust processes; writes the target file they read to ``out``."""
        from ecekit.load.settings import target_json

        out.mkdir(parents=True, exist_ok=True)
        (out / "target.json").write_text(json.dumps(target_json(target), indent=2), encoding="utf-8")
        embedded = self.target.is_embedded
        # a profile file by its absolute path: locust runs in the output directory
        prof = str(Path(self.profile.source).resolve()) if self.profile.source else self.profile.name
        options = {
            "ece_profile": prof, "ece_rate": self.rate, "ece_duration": self.duration,
            "ece_entry_points": ",".join(target.entry_points), "ece_slo": ",".join(self.slos),
            "ece_out": str(out.resolve()), "ece_target": str((out / "target.json").resolve()),
            "ece_junit_xml": str(self.junit_xml) if self.junit_xml else None,
            "ece_allow_writes": "true" if (self.allow_writes or embedded) else None,
            "ece_sid": self.sid, "ece_seed": self.seed,
            "ece_embedded": "true" if embedded else None,
            "ece_widget": target.widget, "ece_origin": target.origin,
        }
        return {k: str(v) for k, v in options.items() if v is not None}


def headers_env(target: Target) -> dict[str, str]:
    """Request headers travel to the locust processes in the environment, never on a command line."""
    from ecekit.load.settings import HEADERS_ENV

    return {HEADERS_ENV: json.dumps(dict(target.headers))} if target.headers else {}


def checks_env(target: Target) -> dict[str, str]:
    """The user's check modules are imported by name in the locust processes, which run in the output
    directory: they find them where ecekit would, from here and beside the target file."""
    if not target.checks:
        return {}
    where = [str(Path.cwd())]
    if target.source:
        where.append(str(Path(target.source).resolve().parent))
    if os.environ.get("PYTHONPATH"):
        where.append(os.environ["PYTHONPATH"])
    return {"PYTHONPATH": os.pathsep.join(where)}


def run_load(target: Target | None = None, *, rate: float | None = None, duration: float | None = None,
             profile: str | None = None, slos: Sequence[str] = (), workers: int = 1,
             out: str | Path | None = None, allow_writes: bool = False, allow_remote: bool = False,
             sid: str | None = None, seed: int | None = None, junit_xml: str | Path | None = None,
             on_progress: Progress | None = None) -> LoadResult:
    """Replay page-load traffic at ``rate`` page views/s for ``duration`` s and judge it against ``slos``.

    ``target=None`` is the embedded reference server. ``profile``: a bundled profile's name or a .toml
    path (default ``default``); ``rate`` and ``duration`` override its arrivals; ``slos`` (``"p95=50ms"``,
    ``"errors=1%"``) add to its SLOs. Writes summary.json (and ``junit_xml``) to ``out`` (default
    ``reports/load-<timestamp>/``). ``on_progress`` sees the live counts about once a second.
    """
    setup = LoadSetup.checked(target, profile_name=profile, rate=rate, duration=duration, slos=slos,
                              workers=workers, allow_writes=allow_writes, allow_remote=allow_remote, sid=sid,
                              seed=seed, junit_xml=junit_xml)
    return setup.run(out, on_progress=on_progress)
