"""Locust event hooks: ecekit's options, merging HDR histograms across workers, the arrival shape,
the live progress file and, at the end, summary.json, JUnit and the exit code.

Imports locust: only the locustfile imports this module (it registers listeners on import).

Distributed runs: each worker ships the histograms it recorded since its last report inside locust's
own ``report_to_master`` payload (every 3 s), and once more as an ``ecekit_delta`` message when its
stream has drained (and again, whatever is left, when it stops); the master adds them (hdrhistogram
``decode_and_add``) and ends the shape once every worker's last delta is in
(``RunState.shape_over``). The master writes the summary when the test stops and again when it
quits, so a report that arrives in between is not lost.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import sys
import time
from pathlib import Path
from time import perf_counter
from typing import Any, cast

import gevent
from locust import events
from locust.runners import MasterRunner, WorkerRunner
from locust.shape import LoadTestShape

from ecekit import redaction, transport
from ecekit.errors import ToolkitError
from ecekit.load import driver, generator, outcomes, provenance, runstate, stopped, summary
from ecekit.load.settings import OPTIONS, WARM_UP_S, Settings, resolve
from ecekit.run_summaries import GeneratorProcess, LoadSummary, RunContext, TlsProperties

log = logging.getLogger("ecekit.load")
DELTA_MESSAGE = "ecekit_delta"
ERROR_MESSAGE = "ecekit_error"
DRAIN_MARGIN_S = 3.0
ORIGIN_WAIT_S = 60.0  # the stream's clock starts within this of test_start, or never
IN_WEB_UI = ("ece_profile", "ece_rate", "ece_duration", "ece_entry_points", "ece_slo", "ece_out")


@events.init_command_line_parser.add_listener
def _add_arguments(parser: Any) -> None:
    for name, (env, help_text) in OPTIONS.items():
        parser.add_argument("--" + name.replace("_", "-"), dest=name, env_var=env, default="",
                           help=help_text, include_in_web_ui=name in IN_WEB_UI)


def _is_worker(environment: Any) -> bool:
    return isinstance(environment.runner, WorkerRunner)


@events.init.add_listener
def _on_init(environment: Any, runner: Any = None, **_: Any) -> None:
    if isinstance(runner, WorkerRunner):
        events.report_to_master.add_listener(_report_to_master)
        events.test_stop.add_listener(_send_final_delta)
        return
    try:  # fail fast, with exit code 2, on a bad profile, SLO or target
        resolve(runstate.options_of(environment), environment.host)
    except ToolkitError as exc:
        sys.stderr.write(f"ecekit: error: {redaction.text(str(exc))}\n")
        raise SystemExit(2) from None
    if isinstance(runner, MasterRunner):
        runner.register_message(DELTA_MESSAGE, _on_delta)
        runner.register_message(ERROR_MESSAGE, _on_error_message)
        events.worker_report.add_listener(_worker_report)
    if isinstance(runner, MasterRunner) and _control(environment) is not None:
        gevent.spawn(_publish_workers, _driver(environment))
    if runner is not None:
        gevent.spawn(_progress_loop, environment)
        gevent.signal_handler(signal.SIGTERM, _on_sigterm, environment)


def _control(environment: Any) -> Path | None:
    control = runstate.options_of(environment).get("ece_control")
    return Path(control) if control else None


_DRIVERS: dict[int, driver.Driver] = {}


def _driver(environment: Any) -> driver.Driver:
    """The stepped master's driver (one per process: ``ecekit capacity --distributed``)."""
    found = _DRIVERS.get(id(environment))
    if found is None:
        control = _control(environment)
        assert control is not None
        expect = int(getattr(environment.parsed_options, "expect_workers", 1) or 1)
        found = _DRIVERS[id(environment)] = driver.Driver(environment.runner, control, expect, gevent.sleep)
    return found


def _publish_workers(steps: driver.Driver) -> None:
    """workers.json every half second, from before the workers connect: what ``ecekit capacity`` waits on."""
    while True:
        with contextlib.suppress(OSError):
            steps.publish_workers()
        gevent.sleep(0.5)


def _on_sigterm(environment: Any) -> None:
    """Stop the run and write its summary (through test_stop, then quitting).

    Locust installs its own SIGTERM handler only once a headless shape run has finished, so until then
    SIGTERM (the launcher's hard cap, a CI runner's timeout) would kill the process with nothing
    written. Stopping the runner ends the shape; locust then shuts down as after a normal run.
    """
    log.warning("ecekit: SIGTERM: stopping the run and writing its summary")
    runner = environment.runner
    if runner is not None:
        gevent.spawn(runner.quit)


@events.test_start.add_listener
def _on_test_start(environment: Any, **_: Any) -> None:
    runner = environment.runner
    if not isinstance(runner, WorkerRunner):  # a worker gets its master's seed with the spawn message
        runstate.fix_seed(environment)
    state = runstate.start(environment, with_checker=not isinstance(runner, MasterRunner))
    if isinstance(runner, WorkerRunner):
        state.stream_done = lambda: _send_final_delta(environment)
    state.on_error = lambda error: _stop_for(environment, error)
    if isinstance(runner, MasterRunner) and environment.parsed_options is not None:
        # forwarded to the workers with this spawn message: the rate is split over every user
        environment.parsed_options.ece_streams = max(1, runner.target_user_count)
        state.workers = max(1, runner.worker_count)
    log.info("ecekit: profile %s, %s arrivals at %g page views/s for %g s", state.settings.profile.name,
             state.settings.arrivals.shape, state.settings.arrivals.rate, state.settings.arrivals.duration)
    gevent.spawn(_measured_window, state)


def _stop_for(environment: Any, error: ToolkitError) -> None:
    """Stop the whole run for the user's mistake, once, and leave it for ``launch.run`` (see
    ecekit.load.stopped): a worker tells its master, which does the rest."""
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        runner.send_message(ERROR_MESSAGE, stopped.as_data(error))
        return
    log.error("ecekit: error: %s", redaction.text(str(error)))
    state = runstate.current()
    if state is not None and state.settings.out:
        stopped.write(state.settings.out, error)
    if runner is not None:
        gevent.spawn(runner.quit)


def _on_error_message(environment: Any, msg: Any, **_: Any) -> None:
    state = runstate.current()
    error = stopped.from_data(msg.data)
    if state is not None and error is not None:
        state.fail(error)


def _measured_window(state: runstate.RunState) -> None:
    """Open the measured window after the warm-up (forget what was recorded so far) and close the CPU
    meter when the arrivals end, so the drain's idle time does not dilute how busy the generator was.

    Both marks are on the arrival clock (the recorder's origin, set when this process's stream starts
    its schedule), not on test_start: the stream starts a few hundred milliseconds after test_start
    (spawning, a warm-up call), and a window timed from test_start would reset too early and close
    before the last arrivals. The answers counted as throughput are decided by their own receive time
    (``Recorder.measure_between``); these marks only bound the CPU meter and the warm-up reset. A
    master runs no stream: its marks stay on its own clock, before its workers' (their streams start
    after the spawn), so a worker sends nothing it recorded until its own mark (``measuring``): a
    report sent between the two marks used to add up to the whole warm-up to the run's figures
    (measured: 386 page views merged where the workers' own windows held 292).
    """
    s = state.settings
    rec = state.recorder
    if not isinstance(state.environment.runner, MasterRunner):
        deadline = time.monotonic() + ORIGIN_WAIT_S
        while rec.origin is None and time.monotonic() < deadline:
            gevent.sleep(0.01)
    origin = rec.origin if rec.origin is not None else perf_counter()
    gevent.sleep(max(0.0, origin + s.warmup - perf_counter()))
    if s.warmup > 0:
        rec.reset()
        state.outcomes.reset()
        state.forget_own()
    state.measuring = True
    state.meter.start(rec.answered)
    if s.arrivals.bounded:
        gevent.sleep(max(0.0, origin + s.arrivals.duration - perf_counter()))
        state.meter.stop(rec.answered)


def _figures(state: runstate.RunState, role: str) -> GeneratorProcess:
    """This process's CPU over the window, and its answers received inside the window on the arrival
    clock (the recorder's count, exact to the answer; the meter's marks are only as punctual as a busy
    event loop lets a sleeping greenlet be). A worker adds who it is and how its own schedule went:
    the master's merged figures would hide one worker that fell behind among several that did not."""
    figures: GeneratorProcess = {**state.meter.figures(role, state.recorder.answered),
                                 "answered_in_window": state.recorder.answered_in_window}
    runner = state.environment.runner
    if isinstance(runner, WorkerRunner):
        figures["id"], figures["host"], figures["pid"] = str(runner.client_id), socket.gethostname(), os.getpid()
        figures["schedule"] = state.own_figures(int(runner.target_user_count or 0))  # its streams, running or done
    return figures


def _report_to_master(client_id: str, data: dict[str, Any], **_: Any) -> None:
    state = runstate.current()
    if state is not None:
        # nothing of the warm-up: the master's own mark comes before this worker's (its stream starts
        # after the spawn), so a report sent between the two would add warm-up page views to the run
        if state.measuring and not state.recorder.empty():
            data["ecekit"] = state.tally(state.recorder.take_wire())
        data["ecekit_meter"] = _figures(state, "worker")
        data["ecekit_step"] = state.step
        if state.measuring and not state.outcomes.empty():
            data["ecekit_outcomes"] = state.outcomes.to_wire()
            state.outcomes.reset()


def _send_final_delta(environment: Any, **_: Any) -> None:
    state = runstate.current()
    if state is not None:
        wire = state.tally(state.recorder.take_wire())
        wire["outcomes"] = state.outcomes.to_wire()
        state.outcomes.reset()
        wire["meter"] = _figures(state, "worker")
        wire["step"] = state.step
        environment.runner.send_message(DELTA_MESSAGE, wire)


def _worker_report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    state = runstate.current()
    if state is None or data.get("ecekit_step", state.step) != state.step:
        return  # nothing of ecekit's, or a stepped run's report of the step before, arrived late
    if "ecekit" in data:
        state.recorder.add_wire(data["ecekit"])
        if "meter" in data["ecekit"]:
            state.worker_meters[client_id] = data["ecekit"]["meter"]
    if "ecekit_meter" in data:
        state.worker_meters[client_id] = data["ecekit_meter"]
    if "ecekit_outcomes" in data:
        state.outcomes.add_wire(data["ecekit_outcomes"])


def _on_delta(environment: Any, msg: Any, **_: Any) -> None:
    data = dict(msg.data)
    state = runstate.current()
    step = data.pop("step", None)
    if state is None or step != state.step:
        return
    _worker_report(msg.node_id, {"ecekit": data, "ecekit_outcomes": data.pop("outcomes", {}), "ecekit_step": step})
    state.final_reports.add(msg.node_id)


def build_summary(environment: Any) -> LoadSummary | None:
    state = runstate.current()
    if state is None or _is_worker(environment):
        return None
    s = state.settings
    elapsed = time.time() - state.started
    runner = environment.runner
    master = isinstance(runner, MasterRunner)
    processes = [_figures(state, "master" if master else "local"),
                 *state.worker_meters.values()]
    duration = s.arrivals.duration - s.warmup if s.arrivals.bounded else round(elapsed, 3)
    shown_url = redaction.optional_url(s.target.base_url or environment.host)  # its password hidden
    extra: RunContext = {"profile": s.profile.name, "shape": s.arrivals.shape, "base_url": shown_url,
                         "entry_points": list(s.target.entry_points), "elapsed_s": round(elapsed, 3),
                         "workers": max(state.workers, runner.worker_count) if master else 1,
                         "workers_reported": len(state.final_reports) if master else 1,
                         "writes": s.survey_sid is not None, "warmup_s": s.warmup,
                         "generator": generator.section(processes, duration)}
    if state.lost_workers:
        extra["lost_workers"] = list(state.lost_workers)
    extra["widget"] = s.widget.name
    if s.seed is not None:  # always, unless the locustfile was run under run_single_user
        extra["seed"] = s.seed
    extra["machine"] = provenance.machine()
    extra["started_at"] = provenance.utc_iso(state.started)
    extra["outcomes"] = outcomes.summary(state.outcomes)
    extra["request_rate"] = {"implied": round(s.implied_request_rate(), 3),
                             "achieved": round(state.recorder.requests / duration, 3) if duration else 0.0}
    tls = transport.properties(s.target.replace(base_url=environment.host or s.target.base_url))
    if tls:  # a JUnit property bag elsewhere; here its keys are TlsProperties'
        extra["tls"] = cast(TlsProperties, tls)
    return summary.build(state.recorder, offered_rate=s.arrivals.mean_rate(), duration_s=duration,
                         slos=s.slos, extra=extra)


@events.test_stop.add_listener
def _on_test_stop(environment: Any, **_: Any) -> None:
    _finish(environment, final=False)


@events.quitting.add_listener
def _on_quitting(environment: Any, **_: Any) -> None:
    _finish(environment, final=True)


def _finish(environment: Any, *, final: bool) -> None:
    state = runstate.current()
    result = build_summary(environment)
    if result is None or state is None:
        return
    s: Settings = state.settings
    if s.out:
        summary.write(result, s.out)
        try:  # the page is for people; a failure to draw it must not lose the run's verdict
            from ecekit.report import publish

            publish.write_reports("load", result, s.out, step_summary=final)
        except Exception as exc:  # pragma: no cover - reported, never fatal
            log.warning("ecekit: report.html not written: %s", exc)
    if s.junit_xml:
        summary.write_junit(result, s.junit_xml)
    environment.process_exit_code = 2 if state.error is not None else 0 if result["slo"]["passed"] else 1
    if final:
        sys.stderr.write("\n" + summary.render(result) + "\n")


def _progress_loop(environment: Any) -> None:
    """Write progress.json every second for `ecekit load`'s live line (only with --ece-out)."""
    while True:
        gevent.sleep(1.0)
        state = runstate.current()
        if state is None or state.settings.out is None:
            continue
        rec = state.recorder
        # counts only: a percentile walks the histogram in Python (~10 ms), which would stall the
        # event loop once a second and show up in the very latencies being measured
        data = {"elapsed_s": round(time.time() - state.started, 1), "duration_s": state.settings.arrivals.duration,
                "page_views": rec.schedule["page_views"],
                "requests": sum(r.requests for r in rec.ops.values()),
                "failures": sum(r.failures for r in rec.ops.values()),
                "violations": sum(r.contract_violations for r in rec.ops.values()),
                "late": rec.schedule["late"]}
        try:
            state.settings.out.mkdir(parents=True, exist_ok=True)
            tmp = state.settings.out / "progress.json.tmp"
            tmp.write_text(json.dumps(data), encoding="utf-8")
            tmp.replace(state.settings.out / "progress.json")
        except OSError:
            pass


class PageViewShape(LoadTestShape):
    """One arrival stream per worker (one in a single process); stops when the schedule is done.

    The offered rate is set by --ece-rate and the profile, not by a user count: the web UI shows the
    ecekit fields instead of "number of users".
    """

    def __init__(self) -> None:
        super().__init__()
        self._settings: Settings | None = None

    def reset_time(self) -> None:
        super().reset_time()
        self._settings = None

    def tick(self) -> tuple[int, float] | None:
        runner = self.runner
        assert runner is not None
        env = runner.environment
        if isinstance(runner, MasterRunner) and _control(env) is not None:
            _driver(env).run()  # every step of a capacity search, then the end: locust quits
            return None
        if self._settings is None:
            self._settings = resolve(runstate.options_of(env), env.host)
        s = self._settings
        t = self.get_run_time()
        master = isinstance(runner, MasterRunner)
        if s.arrivals.bounded:
            end = s.arrivals.duration
            # the schedule starts after each stream's warm-up call (at most WARM_UP_S) and drains for
            # one timeout after its last arrival
            drain_end = end + WARM_UP_S + s.profile.timeout + DRAIN_MARGIN_S
            state = runstate.current()
            if (t > drain_end if state is None else
                    state.shape_over(master=master, t=t, end=end, drain_end=drain_end, users=runner.user_count)):
                return None
        n = max(1, runner.worker_count) if isinstance(runner, MasterRunner) else 1
        return n, float(n)
