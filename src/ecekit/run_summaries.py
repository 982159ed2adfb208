"""The JSON a load run and a capacity search write, as TypedDicts: summary.json (with progress.json),
a capacity step's row and capacity.json, with the provenance header every run's JSON starts with.

These shapes are a contract with CI scripts (keys may be added, never renamed) and flow from ``load``
through ``capacity`` to ``report``; they live in the foundation so that all three read one
description. TypedDicts, not dataclasses: the JSON on disk is the dicts themselves, and a report
re-rendered from an older run's file gets the same dicts back, so a type costs nothing at run time.
``NotRequired`` marks a key that is sometimes absent (a section only some runs have, or only some
writers add); ``tests/load/test_summary_types.py`` holds real runs' JSON against these declarations.
Check, fuzz and diff JSON are not described here.

The annotations are evaluated (no ``from __future__ import annotations``): Python 3.11 tells a
``NotRequired`` key from a required one only in an evaluated annotation, and ``__required_keys__``
is what the test holds the files against.
"""

from typing import NotRequired, TypedDict

# ------------------------------------------------------------------------- summary.json of a load run


class Latencies(TypedDict):
    """Percentiles and max in milliseconds (microsecond precision); also the schedule's lag."""

    p50: float
    p90: float
    p95: float
    p99: float
    p999: float
    max: float


class OpStats(TypedDict):
    """One operation's requests over the measured window (``operations`` entries and ``total``)."""

    requests: int
    failures: int
    contract_violations: int
    rps: float
    latency_ms: Latencies
    mean_latency_ms: float
    failures_by_kind: dict[str, int]
    violations_by_check: dict[str, int]


class Schedule(TypedDict):
    """What the arrival schedule asked for and how punctually the generator kept it."""

    page_views: int
    polls: int
    surveys: int
    sent_late: int
    late_after_ms: float
    unsent: int
    unfinished: int
    no_free_worker: int
    lag_ms: Latencies


class WindowOpStats(TypedDict):
    """One operation in one window (coarser histograms: 1 %)."""

    requests: int
    failures: int
    violations: int
    p50: float
    p95: float
    p99: float
    max: float


class WindowStats(TypedDict):
    """One window of the run, by scheduled send time, for the report's charts."""

    t: float
    width_s: float
    ops: dict[str, WindowOpStats]
    failures_by_kind: dict[str, int]
    violations_by_check: dict[str, int]
    started: int
    sent_late: int
    unsent: int
    unfinished: int


class WorkerSchedule(TypedDict):
    """One worker's own schedule over the measured window: what it was asked to send and what it did."""

    streams: int  # its arrival streams, of ``total_streams`` in the run
    total_streams: int
    share: float  # its share of the offered rate
    offered_rps: float
    page_views: int  # started in the window
    sent_late: int
    unsent: int
    no_free_worker: int  # late because every one of its max_in_flight page-view workers was busy
    lag_ms: Latencies


class GeneratorProcess(TypedDict):
    """One load process's CPU over the measured window and the answers it received inside it; a
    distributed run's worker also says who it is (locust's client id, its host and pid) and how its
    own schedule went, so a step can name the worker that faltered."""

    role: str
    cpu_s: float
    wall_s: float
    busy: float
    answered_in_window: int
    id: NotRequired[str]
    host: NotRequired[str]
    pid: NotRequired[int]
    schedule: NotRequired[WorkerSchedule]


class GeneratorSection(TypedDict):
    """How hard the load generator worked: what tells a saturated generator from a slow server."""

    processes: list[GeneratorProcess]
    busy_max: float
    answered_in_window: int
    answered_rps: float
    measured: str


class FirstStateMs(TypedDict):
    """Time until the widget showed its first state; None where no page view showed one."""

    p50: float | None
    p95: float | None
    p99: float | None


class VisitorShares(TypedDict):
    """What the visitors of one widget (or one of its entry points) saw, as shares of page views.
    ``first_state`` is keyed by the widget states of ``ecekit.widgets.STATES``; ``state_changes`` by
    ``"old>new"``."""

    page_views: int
    first_state: dict[str, float]
    ever_error: float
    first_state_ms: FirstStateMs
    state_changes: dict[str, int]


class VisitorWindow(TypedDict):
    t: int
    page_views: int
    first_state: dict[str, float]
    ever_error: float


class WidgetOutcomes(VisitorShares):
    """One widget's ``outcomes`` entry: the whole run, by entry point, over time; and the first-state
    times' HDR histogram (hdrhistogram's compressed base64 encoding), for ``ecekit compare``."""

    by_entry_point: dict[str, VisitorShares]
    windows: list[VisitorWindow]
    window_s: int
    first_state_histogram: NotRequired[str]


class RequestRate(TypedDict):
    implied: float
    achieved: float


class TlsProperties(TypedDict):
    """How an https target's certificate was trusted (absent for plain http)."""

    tls_verification: str
    tls_client_cert: NotRequired[str]
    warning: NotRequired[str]


class CheckEvidence(TypedDict):
    """How much one SLO verdict rests on; a percentile's also carries its interval and the fewest
    answers that can show it held."""

    samples: int
    exceeding: int
    allowed_share: float
    ci95_ms: NotRequired[list[float | None]]
    minimum_samples: NotRequired[int]


class SloCheck(TypedDict):
    """One SLO's verdict; ``evidence`` only where it is a count against a limit (not max, not what
    visitors saw, not an operation never measured)."""

    name: str
    limit: float
    actual: float | None
    unit: str
    passed: bool
    evidence: NotRequired[CheckEvidence]


class SloSection(TypedDict):
    passed: bool
    checks: list[SloCheck]


class Machine(TypedDict):
    """What a run was measured on (``load.provenance.machine``): nothing secret, no host name."""

    cpus: int | None
    python: str
    ecekit: str
    platform: str


class RunContext(TypedDict, total=False):
    """What the locust run adds about itself (``load.summary.build``'s ``extra``); a summary built
    without a run around it (a unit test, a replay of a Recorder) has none of it."""

    profile: str
    shape: str
    base_url: str | None
    entry_points: list[str]
    elapsed_s: float
    workers: int
    workers_reported: int
    lost_workers: list[str]  # a stepped run: workers that went away during the step (who, as shown)
    writes: bool
    warmup_s: float
    generator: GeneratorSection
    widget: str
    outcomes: dict[str, WidgetOutcomes]
    request_rate: RequestRate
    tls: TlsProperties
    seed: int
    machine: Machine
    started_at: str


class Measured(RunContext):
    """summary.json before its SLOs are judged: what the SLOs are judged on."""

    offered_rate: float
    duration_s: float
    operations: dict[str, OpStats]
    total: OpStats
    schedule: Schedule
    latency_measured_from: str
    windows: list[WindowStats]
    histograms: NotRequired[dict[str, str]]


class LoadSummary(Measured):
    """summary.json of a load run (and of each capacity step). ``exit_code`` is added by the launcher
    to the summary it returns, never written to the file."""

    slo: SloSection
    exit_code: NotRequired[int]


class ProgressCounts(TypedDict):
    """progress.json, rewritten every second during a run: counts only, for the live line."""

    elapsed_s: float
    duration_s: float
    page_views: int
    requests: int
    failures: int
    violations: int
    late: int


# ------------------------------------------------------------------- runs.json of a repeated load run


class RepeatedRun(TypedDict):
    """One run of ``ecekit load --repeat``/``--ab``: its directory (relative to runs.json's), its side
    (``"a"``/``"b"``, None without --ab), its place in the order the runs were made."""

    dir: str
    side: str | None
    order: int
    started_at: str
    exit_code: int
    seed: int | None


class RepeatSettings(TypedDict):
    """What every run of a repeated load shared; ``seed`` the one given (run i used seed + i - 1),
    ``base_url`` the server (None with --ab: ``ab`` names both), its password hidden."""

    profile: str
    rate: float
    duration: float
    seed: int | None
    workers: int
    base_url: str | None
    repeat: int
    pause_s: float
    ab: NotRequired[dict[str, str]]


class RunsJson(TypedDict):
    """runs.json: the runs made so far (``interrupted`` when Ctrl-C cut them short)."""

    kind: str
    runs: list[RepeatedRun]
    settings: RepeatSettings
    interrupted: NotRequired[bool]


# ----------------------------------------------------------------------------- the run's provenance


class TargetInfo(TypedDict):
    """The target as reports show it: header values and credentials hidden."""

    base_url: str | None
    embedded: bool
    entry_points: list[str]
    inactive_entry_points: list[str]
    invalid_entry_points: list[str]
    headers: dict[str, str]
    paths: dict[str, str]
    max_response_time: float
    read_timeout: float
    faults: NotRequired[list[str]]
    insecure: NotRequired[bool]


class XsdHashes(TypedDict):
    dir: str
    hashes: dict[str, str]


class RunHeader(TypedDict):
    """The provenance block at the top of check.json, fuzz.json and capacity.json."""

    ecekit_version: str
    target: TargetInfo
    xsd: XsdHashes
    started: str
    seed: NotRequired[int]


# ---------------------------------------------------------------------------- capacity.json


class PooledCheck(TypedDict):
    """One SLO check's evidence pooled over the tries of a rate."""

    name: str
    samples: int
    exceeding: int
    allowed_share: float
    verdict: str


class StepEvidence(TypedDict, total=False):
    """The verdict of a step's rate and why (``capacity.evidence.Judgement``). Every step of a search
    carries all three keys; a Step made by hand, with no summary judged, carries none."""

    verdict: str
    reasons: list[str]
    checks: list[PooledCheck]


class StepRow(TypedDict):
    """A step's row of capacity.json (``capacity.step.Step.to_json``)."""

    rate: float
    achieved_rps: float
    p50: float
    p95: float
    p99: float
    error_rate: float
    passed: bool
    generator_ok: bool
    phase: str
    mean_ms: float
    requests: int
    page_views: int
    sent_late: int
    unsent: int
    generator_busy: float
    breached: list[str]
    generator_problems: list[str]
    summary: str
    duration_s: float
    verdict: str
    evidence: StepEvidence
    completed: int
    failures_by_kind: dict[str, int]
    load_processes: int
    concurrency: float
    scheduled_rps: float | None


class SloLimit(TypedDict):
    name: str
    limit: float
    unit: str


class SloLimits(TypedDict):
    checks: list[SloLimit]


class Knee(TypedDict):
    """Where latency turns up against the SLO; ``rate`` None with the ``reason`` it was not seen."""

    rate: float | None
    rule: str
    description: str
    reason: NotRequired[str]
    threshold_ms: NotRequired[float]
    between: NotRequired[list[float]]


# "lambda" is a keyword: the functional form is the only way to declare these keys.
ModelScore = TypedDict("ModelScore", {
    "parameters": int,
    "aicc": float | None,
    "rss": NotRequired[float],
    "lambda": NotRequired[float],
    "sigma": NotRequired[float],
    "kappa": NotRequired[float],
    "why_not_scored": NotRequired[str],
})
"""One model's entry in the fit's ``comparison``: its score, or why it has none."""

UslFit = TypedDict("UslFit", {
    "fitted": bool,
    "points": int,
    "reason": NotRequired[str],
    "model": NotRequired[str],
    "lambda": NotRequired[float],
    "sigma": NotRequired[float],
    "kappa": NotRequired[float],
    "lambda_ci": NotRequired[list[float]],
    "sigma_ci": NotRequired[list[float]],
    "kappa_ci": NotRequired[list[float]],
    "r2": NotRequired[float],
    "measured_concurrency": NotRequired[list[float]],
    "measured_throughput_rps": NotRequired[float],
    "comparison": NotRequired[dict[str, ModelScore]],
    "selection": NotRequired[str],
    "extrapolation": NotRequired[bool],
    "note": NotRequired[str],
    "usl_rejected": NotRequired[str],
    "peak_supported": NotRequired[bool],
    "peak_concurrency": NotRequired[float | None],
    "peak_throughput_rps": NotRequired[float | None],
    "peak_beyond_measured": NotRequired[bool],
    "ceiling_rps": NotRequired[float | None],
    "reason_no_peak": NotRequired[str],
    "data": NotRequired[str],
})
"""The scalability fit: ``fitted`` False with a ``reason`` when there are too few points, otherwise
the chosen model, its coefficients with 95 % intervals, and a peak only where the data support one."""


class CapacitySettings(TypedDict):
    """The search's settings, as capacity.json repeats them; ``interrupted`` on a search cut short."""

    profile: str
    workers: int
    step_duration_s: float
    warmup_s: float
    ladder: list[float]
    refine: int
    repeat: int
    interrupted: NotRequired[bool]
    distributed: NotRequired[bool]  # on locust's workers started by the user (--distributed)
    target_rate: NotRequired[float]  # the rate the user means to reach (--target-rate): workers it needs


class GeneratorCeiling(TypedDict):
    """How many page views/s one load worker sustains here, and how many workers a rate needs
    (``capacity.workers``)."""

    per_worker_rps: float
    from_step: int  # the step (from 1) it is measured on
    measured: str
    target_rate: float
    workers_needed: int


class CapacityReport(CapacitySettings):
    """What a capacity search found (``capacity.report.build``)."""

    max_sustainable_rate: float | None
    rate_unit: str
    limited_by: str
    verdict: str
    first_breach: float | None
    slo: SloLimits
    unsettled_at: float | None
    evidence_rule: str
    knee: Knee
    steps: list[StepRow]
    usl: UslFit
    generator_remedy: NotRequired[str]
    remedy: NotRequired[str]
    lost_workers: NotRequired[list[str]]  # a distributed search: workers that went away (it then ended)
    generator_ceiling: NotRequired[GeneratorCeiling]


class CapacityJson(RunHeader, CapacityReport):
    """capacity.json: the provenance header, then the search's report."""
