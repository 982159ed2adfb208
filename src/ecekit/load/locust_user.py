"""The locust side of a load run: a FastHttpUser that is one open-model stream of page views.

Imports locust (and so gevent's monkey-patching): only a locustfile, or a process started for
``ecekit load``, may import this module. Never import it from pytest or from the CLI's own process.

A locust User is a closed loop (send, wait for the answer, send again): a stalled server slows it
down and hides its own stall. Here one User is instead a *stream* of page views: it walks the Poisson
arrival times of its share of the offered rate with max_in_flight worker greenlets, and starts each
page view at its time whether or not earlier ones have finished (``ecekit.load.scheduler`` decides
when, and counts what was late, unsent or unfinished; this module wires it to gevent greenlets and
FastHttpUser). Every latency is measured from the page view's scheduled time (the first call) or the
end of the previous call (later calls) to the last byte, so time spent waiting for a free worker, for
a connection or for a stalled server all count; one still in flight when the drain ends has its wait
so far recorded as a failure. Locust's own statistics and web UI show the same corrected latencies:
each request event is fired here, with that latency, failed when ecekit's checks say so.
"""

from __future__ import annotations

import contextlib
import functools
import socket
from time import perf_counter
from typing import Any

import gevent
from gevent import ssl as gevent_ssl
from gevent.lock import Semaphore
from geventhttpclient.url import URL
from locust import FastHttpUser, constant, task
from locust.contrib.fasthttp import FAILURE_EXCEPTIONS
from locust.exception import CatchResponseError, StopUser

from ecekit import inflate, operations, transport
from ecekit.client import USER_AGENT, TransportError
from ecekit.errors import ToolkitError
from ecekit.inflate import ACCEPT_ENCODING, BadEncoding, TooLarge
from ecekit.load import runstate
from ecekit.load.checking import Verdict
from ecekit.load.scheduler import Job, Scheduler
from ecekit.load.settings import WARM_UP_S
from ecekit.load.visitor import PageView, page_view, poll, poll_times
from ecekit.load.waking import Waker
from ecekit.load.wire import PreparedGets

_TIMEOUTS = (gevent.Timeout, socket.timeout, TimeoutError)
_READ = 64 * 1024  # body bytes asked of the socket at a time (the cap is checked between reads)


class _Deadline(Exception):
    """The whole answer (head and body) took longer than the profile's timeout."""


def _ssl_context(target: Any, *_: Any, **__: Any) -> Any:
    """geventhttpclient calls the factory with ``cafile=`` its own default bundle: ignored, the
    target's trust settings decide."""
    return transport.ssl_context(target, create=gevent_ssl.create_default_context)


class _Greenlets:
    """The scheduler's runtime in a locust process: gevent greenlets on ``perf_counter``'s clock,
    woken on time by the stream's Waker."""

    def __init__(self, waker: Waker) -> None:
        self.wait_until = waker.wait_until

    clock = staticmethod(perf_counter)
    spawn = staticmethod(gevent.spawn)

    @staticmethod
    def lock() -> Semaphore:
        return Semaphore(1)

    @staticmethod
    def settle() -> None:
        gevent.sleep(0)

    @staticmethod
    def join(workers: list[gevent.Greenlet], timeout: float | None) -> None:
        gevent.joinall(workers, timeout=timeout)

    @staticmethod
    def kill(workers: list[gevent.Greenlet]) -> None:
        gevent.killall(workers, block=True, timeout=2)


class PageViews(FastHttpUser):
    """One stream of page-view arrivals at rate/streams (see the module docstring)."""

    wait_time = constant(0)

    def __init__(self, environment: Any) -> None:
        self.state = runstate.get(environment)
        s = self.state.settings
        # Instance values override FastHttpUser's class settings before its session is built.
        self.concurrency = s.profile.max_in_flight
        self.network_timeout = s.profile.timeout
        self.connection_timeout = s.profile.timeout
        self.default_headers = {"User-Agent": USER_AGENT, **s.target.headers}
        if s.target.origin:  # as the site's pages send it; the answers' CORS headers are then judged
            self.default_headers["Origin"] = s.target.origin
        # FastHttpUser verifies no certificate unless told: here it verifies by default, with the
        # target's CA bundle and client certificate (gevent's SSLContext, so handshakes yield)
        self.insecure = s.target.insecure
        self.ssl_context_factory = functools.partial(_ssl_context, s.target)
        if s.target.base_url:  # --host with the credentials of ECEKIT_CREDENTIALS (see load.settings)
            self.host = s.target.base_url
        super().__init__(environment)
        self.templates = {op.name: s.target.path_for(op) for op in operations.OPERATIONS}
        self.prepared: dict[tuple[str, str | None], tuple[str, str]] = {}  # (op, entry point) -> path, URI
        agent = self.client.client  # FastHttpSession's user agent: its default headers, pool, TLS settings
        self.http = agent.clientpool.get_client(URL(self.client._build_url("/")))
        # only the codings ecekit inflates within the body cap (see ecekit.inflate)
        self.get_headers = {**agent.default_headers, "Accept-Encoding": ACCEPT_ENCODING}
        if self.client.auth_header:
            self.get_headers["Authorization"] = self.client.auth_header
        self.post_headers = {**self.get_headers, "Content-Type": "text/xml;charset=utf-8"}
        self.gets = PreparedGets.of(self.http, self.get_headers)  # status GETs, built once (see load.wire)
        self.origin = s.target.origin
        assert self.state.checker is not None  # made at test_start in every process that runs users
        self.checker = self.state.checker
        self.recorder = self.state.recorder
        self.outcomes = self.state.outcomes
        self.timeout = s.profile.timeout  # the whole answer's deadline; network_timeout is per read
        self.max_body = s.target.max_body_bytes

    @task
    def arrive(self) -> None:
        self.run_schedule()
        if self.state.stream_done is not None:  # a worker: its master ends the run once every worker's is in
            self.state.stream_done()
        raise StopUser()

    def run_schedule(self) -> None:
        """This stream's page views at their times (see ecekit.load.scheduler), on max_in_flight
        greenlets; a check of the user's own that raises stops it (RunState.fail)."""
        s = self.state.settings
        rng = self.state.rng()
        arr = s.arrivals
        eps = list(s.target.entry_points) or ["1"]
        until = arr.duration if arr.bounded else None
        self._warm_up(eps[0])
        arrivals = arr.arrival_times(rng, 1.0 / self.state.streams())

        def visit(job: Job) -> None:
            try:
                if job.is_poll:
                    poll(job.page, s.poll_operation, job.due, self._call, perf_counter,  # type: ignore[arg-type]
                         s.widget, self.outcomes)
                else:
                    page_view(job.page, s.profile, job.due, self._call, perf_counter, rng, s.survey_sid,
                              s.widget, self.outcomes)
            except ToolkitError as exc:  # the user's mistake (a check that raised), not the server's
                scheduler.stop()
                self.state.fail(exc)

        waker = Waker()  # wakes the leader on time without spinning (see ecekit.load.waking)
        scheduler = Scheduler(arrivals, new_page=lambda: PageView(rng.choice(eps)),
                              polls_of=lambda t: poll_times(s.profile, t, rng, until, s.poll_interval),
                              visit=visit, workers=s.profile.max_in_flight, until=until, drain=s.profile.timeout,
                              runtime=_Greenlets(waker), recorder=self.recorder,
                              ready=self.gets.ready if self.gets is not None else lambda: None,
                              on_start=self._clock_started)
        try:
            scheduler.run()
        finally:
            waker.close()

    def _clock_started(self, t0: float) -> None:
        """The stream's clock origin: the first stream of this process sets the measured window."""
        s = self.state.settings
        rec = self.recorder
        rec.start_clock(t0)
        if rec.origin == t0:
            until = s.arrivals.duration if s.arrivals.bounded else None
            rec.measure_between(t0 + s.warmup, t0 + until if until else float("inf"))
        if self.outcomes.origin is None:
            self.outcomes.origin = t0

    def _warm_up(self, entry_point: str) -> None:
        """One unrecorded call before the clock starts: the first request of a process pays for a
        connection and first-use code paths (~100 ms here), a cost of the generator, not the server.
        Bounded like every request (the body cap), and by WARM_UP_S rather than the profile's timeout:
        a server that never ends its answer delays the schedule's start by at most that (a slower
        first answer only leaves the first page view to open its own connection)."""
        op = self.state.settings.profile.calls[0].operation
        with contextlib.suppress(Exception):
            self._send(op.method, self._prepare(op, entry_point)[1], None, min(self.timeout, WARM_UP_S))

    # -- one request ---------------------------------------------------------------------------
    def _prepare(self, op: operations.Operation, entry_point: str | None) -> tuple[str, str]:
        """(path, request URI) of an operation at an entry point, computed once per pair."""
        key = (op.name, entry_point)
        prepared = self.prepared.get(key)
        if prepared is None:
            template = self.templates[op.name]
            path = op.url_path(entry_point, template) if entry_point is not None else template
            url = URL(self.client._build_url(path))
            prepared = self.prepared[key] = (path, getattr(url, "quoted_uri", url.request_uri))
            if op.method == "GET" and self.gets is not None:
                self.gets.prepare(prepared[1])
        return prepared

    def _send(self, method: str, uri: str, body: bytes | None,
              timeout: float | None = None) -> tuple[int, str, bytes, float, str | None]:
        """One request on the session's keep-alive pool: (status, content type, body, when its last
        byte was read, Access-Control-Allow-Origin); raises what FastHttpSession counts as a failure
        (FAILURE_EXCEPTIONS), _Deadline past the profile's timeout for the whole answer, TooLarge for
        a body over the cap (received or inflated), BadEncoding for one its coding cannot decode.

        Straight to geventhttpclient's HTTPClient (the one FastHttpSession's user agent holds, with
        its TLS settings and pool), not through FastHttpSession.request and UserAgent.urlopen: those
        layers rebuild the URL, headers and request objects on every call, and that time is in every
        latency (measured, scheduled time to first byte: 0.10-0.16 ms through them, 0.06 ms without,
        3 µs for a prepared GET; last byte to the stamp: 0.045-0.055 ms through them, 0.015-0.02 ms
        without). The wire is the same (headers, keep-alive, no redirects or retries: FastHttpUser's
        max_retries is 0), and the end is stamped at the last byte, before decoding.

        network_timeout bounds each socket read only: a server that drips a byte at a time, or sends
        a body that never ends, would hold the greenlet (and its memory) for ever. The whole answer
        runs under one gevent timer, the body is read in pieces and refused once more than the cap
        was received, and a compressed body is inflated by ecekit.inflate, within the same cap.
        """
        cap = self.max_body
        timeout = self.timeout if timeout is None else timeout
        timer = gevent.Timeout(timeout, _Deadline(f"answer not complete within {timeout:g}s"))
        timer.start()
        try:
            if method == "GET" and body is None and self.gets is not None:
                response = self.gets.get(uri)
            else:
                response = self.http.request(method, uri, body=body,
                                             headers=self.post_headers if body is not None else self.get_headers)
            try:
                parts: list[bytes] = []
                received = 0
                while chunk := response.read(_READ):
                    received += len(chunk)
                    if received > cap:
                        raise TooLarge(cap, inflated=False)
                    parts.append(chunk)
            except BaseException:
                response.release()  # closes the socket: the rest of this answer is never read
                raise
            end = perf_counter()
        finally:
            timer.close()
        encoding = response.get("content-encoding")
        if encoding is None:
            data = bytes(parts[0]) if len(parts) == 1 else b"".join(parts)
        else:  # decoded within the cap after the last byte's stamp (a bomb costs the cap, not its size)
            data = inflate.inflate(parts, encoding if isinstance(encoding, str) else ",".join(encoding), cap)
        ctype = response.get("content-type") or ""
        cors = response.get("access-control-allow-origin") if self.origin else None
        return (response.status_code, ctype if isinstance(ctype, str) else ctype[0], data, end,
                cors if cors is None or isinstance(cors, str) else cors[0])

    def _call(self, op: operations.Operation, entry_point: str | None, due: float,
              body: bytes | None) -> Verdict:
        path, uri = self._prepare(op, entry_point)
        if body is not None:
            self.recorder.schedule["surveys"] += 1
        try:
            status, ctype, data, end, cors = self._send(op.method, uri, body)
        except gevent.GreenletExit:
            # killed at the end of the drain: the visitor is still waiting; record the wait so far
            self.recorder.record(op.name, perf_counter() - due, "unfinished", due=due)
            raise
        except (*FAILURE_EXCEPTIONS, _Deadline, TooLarge, BadEncoding) as error:
            latency = perf_counter() - due
            # a wrapped error (geventhttpclient's RetriesExceeded(original=...)) is judged by its cause:
            # a visitor whose widget timed out and one whose connection was reset are told apart
            cause = getattr(error, "original", None) or error
            kind = (TransportError.TOO_LARGE if isinstance(cause, TooLarge) else TransportError.TIMEOUT
                    if isinstance(cause, (_Deadline, *_TIMEOUTS)) else TransportError.CONNECTION)
            ours = isinstance(error, (_Deadline, TooLarge, BadEncoding))  # their text says it all
            verdict = self.checker.judge(op, path, entry_point, status=None, content_type="", body=b"",
                                         elapsed=latency, error=kind,
                                         error_detail=(str(error) if ours else repr(error))[:200])
            data = b""
        else:
            latency = end - due
            verdict = self.checker.judge(op, path, entry_point, status=status, content_type=ctype, body=data,
                                         elapsed=latency, cors=cors)
        # locust's own statistics and web UI: the same corrected latency, failed when ecekit says so
        failed = verdict.failure or verdict.checks
        self.environment.events.request.fire(
            request_type=op.method, name=op.name, response_time=latency * 1000, response_length=len(data),
            exception=CatchResponseError(verdict.message or verdict.failure) if failed else None,
            context={}, response=None, url=path)
        self.recorder.record(op.name, latency, verdict.failure, verdict.checks, due=due)
        return verdict

