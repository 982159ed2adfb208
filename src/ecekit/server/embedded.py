"""The embedded reference server: started in a thread or a child process, on 127.0.0.1 and a free port.

::

    with running_server(faults=["capacity-negative"], admin=True) as srv:
        requests.get(srv.base_url + "/egain/chat/endpoint/capacity/1001")

In-thread (default) runs uvicorn on its own event loop in a daemon thread: fast to start, and
``handle.app`` exposes the live state. ``admin_token="…"`` makes the admin API require that bearer
token (``handle.admin_headers`` carries it); ``as_if_host="0.0.0.0"`` gates the admin API as a server
exposed there would be (a generated token in ``handle.admin_token``) while still listening on
127.0.0.1 only. ``subprocess=True`` runs ``ecekit serve --port 0`` and reads
the port it reports: what the SIGKILL durability test and the benchmark need. ``tls_cert`` (and
``tls_key``) serve HTTPS, for the tests of ``--ca-bundle`` and ``--insecure``. Either way
:meth:`ServerHandle.stop` shuts down cleanly with every acknowledged survey on disk.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess as sp
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn

from ecekit.errors import TargetError
from ecekit.loopback import is_loopback
from ecekit.processes import terminate
from ecekit.server import access, model, runtime, scenario
from ecekit.server import faults as faults_mod
from ecekit.server.app import ADMIN_PREFIX, EceApp, normalise_root

INVALID_ENTRY_POINT = "999999"
LISTENING = re.compile(r"listening on (https?://[^\s/]+:(\d+))")
_START_TIMEOUT = 20.0


@dataclass(frozen=True)
class Roles:
    """Entry points of a scenario by the role a contract checker gives them (Target field names)."""

    entry_points: tuple[str, ...]
    inactive_entry_points: tuple[str, ...]
    invalid_entry_points: tuple[str, ...]
    agents_not_required: tuple[str, ...] = ()

    def target_kwargs(self) -> dict[str, tuple[str, ...]]:
        """The keyword arguments of :class:`ecekit.target.Target` these roles fill in."""
        return {"entry_points": self.entry_points, "inactive_entry_points": self.inactive_entry_points,
                "invalid_entry_points": self.invalid_entry_points}


def roles(state: model.State) -> Roles:
    eps = sorted(state.entry_points.values(), key=lambda e: e.id)
    invalid = INVALID_ENTRY_POINT
    while int(invalid) in state.entry_points:
        invalid += "9"
    return Roles(
        entry_points=tuple(str(e.id) for e in eps if e.active),
        inactive_entry_points=tuple(str(e.id) for e in eps if not e.active),
        invalid_entry_points=(invalid,),
        agents_not_required=tuple(str(e.id) for e in eps if not e.agents_required),
    )


def default_roles() -> Roles:
    """Roles of the bundled default scenario: active ones plain, 1005 inactive, 999999 invalid."""
    return roles(scenario.load())


@dataclass
class ServerHandle:
    """A running reference server. ``base_url`` includes the context root."""

    base_url: str
    port: int
    admin_url: str | None
    surveys_db: Path
    admin_token: str | None = None  # what the admin API requires (None: open)
    app: EceApp | None = None  # in-thread only: the live app (state, faults, store)
    process: sp.Popen[str] | None = None  # subprocess only
    _stop: Any = None
    _cleanup: list[Any] = field(default_factory=list)
    stopped: bool = False

    @property
    def url(self) -> str:
        """The base URL, context root included: what a Target's ``base_url`` takes."""
        return self.base_url

    @property
    def admin_headers(self) -> dict[str, str]:
        """The Authorization header the admin API wants ({} when it is open)."""
        return {"Authorization": f"Bearer {self.admin_token}"} if self.admin_token else {}

    def stop(self) -> None:
        """Shut down cleanly (idempotent); acknowledged surveys are on disk when it returns."""
        if self.stopped:
            return
        self.stopped = True
        try:
            self._stop()
        finally:
            for step in reversed(self._cleanup):
                step()

    def kill(self) -> None:
        """SIGKILL the subprocess server: no shutdown at all (durability tests)."""
        if self.process is None:
            raise TypeError("kill() needs a subprocess server: running_server(subprocess=True)")
        self.process.kill()
        self.process.wait(10)
        self.stopped = True
        for step in reversed(self._cleanup):
            step()

    def reset(self) -> None:
        """Back to the starting scenario, no faults (in-thread, or through the admin API)."""
        if self.app is not None and self.app.initial is not None:
            self.app.replace_state(self.app.initial())
            self.app.set_faults(())
            return
        if self.admin_url is None:
            raise TypeError("reset() of a subprocess server needs admin=True")
        import requests

        requests.post(self.admin_url + "/reset", headers=self.admin_headers, timeout=10).raise_for_status()

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def start_server(
    scenario: str | Path | None = None,
    faults: Iterable[str | faults_mod.Fault] = (),
    admin: bool = False,
    surveys_db: str | Path | None = None,
    context_root: str = "/system",
    subprocess: bool = False,
    cors_origins: tuple[str, ...] = (),
    admin_token: str | None = None,
    as_if_host: str = "127.0.0.1",
    survey_parsing: str = "strict",
    tls_cert: str | Path | None = None,
    tls_key: str | Path | None = None,
    tls_client_ca: str | Path | None = None,
    port: int = 0,
) -> ServerHandle:
    """Start a server and return its handle: call ``stop()``, or use it in a ``with`` block."""
    cleanup: list[Any] = []
    if surveys_db is None:
        tmp = tempfile.mkdtemp(prefix="ecekit-surveys-")
        cleanup.append(lambda: shutil.rmtree(tmp, ignore_errors=True))
        surveys_db = Path(tmp) / "surveys.sqlite3"
    db = Path(surveys_db)
    root = normalise_root(context_root)
    if subprocess and not is_loopback(as_if_host):
        raise TypeError("as_if_host needs an in-thread server (subprocess=False)")
    gate = access.admin_access(as_if_host, admin_token) if admin else None
    tls = ((str(tls_cert), str(tls_key) if tls_key else None, str(tls_client_ca) if tls_client_ca else None)
           if tls_cert else None)
    try:
        if subprocess:
            handle = _start_subprocess(scenario, [str(f.spec if isinstance(f, faults_mod.Fault) else f)
                                                  for f in faults], gate, db, root, cors_origins,
                                        survey_parsing=survey_parsing, tls=tls, port=port)
        else:
            handle = _start_thread(scenario, faults, gate, db, root, cors_origins,
                                   survey_parsing=survey_parsing, tls=tls, port=port)
    except BaseException:
        for step in reversed(cleanup):
            step()
        raise
    handle._cleanup.extend(cleanup)
    return handle


running_server = start_server
"""The same call for a ``with`` block: the handle is a context manager, and leaving the block stops the
server (see the module docstring)."""


def _urls(port: int, root: str, admin: bool, tls: bool = False) -> tuple[str, str | None]:
    host = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
    return host + root, (host + ADMIN_PREFIX if admin else None)


Tls = tuple[str, str | None, str | None] | None  # (certificate, key, client CA) files to serve HTTPS


def _start_thread(scenario_file: str | Path | None, faults: Iterable[str | faults_mod.Fault],
                  gate: access.AdminAccess | None, db: Path, root: str,
                  cors_origins: tuple[str, ...] = (), survey_parsing: str = "strict",
                  tls: Tls = None, port: int = 0) -> ServerHandle:
    app = runtime.build_app(scenario_file=scenario_file, faults=faults, admin=gate is not None,
                            admin_access=gate, surveys_db=db, context_root=root, cors_origins=cors_origins,
                            survey_parsing=survey_parsing)
    sock = runtime.bind("127.0.0.1", port)
    config = runtime.config(app, tls_cert=tls[0] if tls else None, tls_key=tls[1] if tls else None,
                            tls_client_ca=tls[2] if tls else None)
    config.log_config = None  # leave the host process's logging alone
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True,
                              name="ecekit-serve")
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            app.store.close()
            raise TargetError("the in-thread reference server did not start",
                              remedy="run `ecekit serve --log-level debug` to see why")
        time.sleep(0.005)
    port = sock.getsockname()[1]

    def stop() -> None:
        server.should_exit = True
        thread.join(15)
        sock.close()
        app.store.close()

    base, admin_url = _urls(port, root, gate is not None, tls is not None)
    return ServerHandle(base, port, admin_url, db, gate.token if gate else None, app=app, _stop=stop)


def serve_command(*args: str) -> list[str]:
    """The argv that runs ``ecekit serve`` with this interpreter (no console script needed)."""
    return [sys.executable, "-m", "ecekit",
            "serve", *args]


def _start_subprocess(scenario_file: str | Path | None, faults: list[str],
                      gate: access.AdminAccess | None, db: Path, root: str,
                      cors_origins: tuple[str, ...] = (), survey_parsing: str = "strict",
                      tls: Tls = None, port: int = 0) -> ServerHandle:
    args = ["--host", "127.0.0.1", "--port", str(port), "--surveys", str(db), "--context-root", root or "/",
            "--survey-parsing", survey_parsing]
    for origin in cors_origins:
        args += ["--cors-origin", origin]
    if scenario_file:
        args += ["--scenario", str(scenario_file)]
    for spec in faults:
        args += ["--fault", spec]
    if tls:
        args += ["--tls-cert", tls[0]] + (["--tls-key", tls[1]] if tls[1] else [])
        args += ["--tls-client-ca", tls[2]] if tls[2] else []
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "NO_COLOR": "1"}
    env.pop(access.TOKEN_ENV, None)
    if gate is not None:
        args.append("--admin")
        if gate.token:  # through the environment, not argv, which other users can read with ps
            env[access.TOKEN_ENV] = gate.token
    proc = sp.Popen(serve_command(*args), stdout=sp.PIPE, stderr=sp.PIPE, text=True, env=env)
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:  # keeps reading so the pipe never fills
        for line in proc.stdout or ():
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + _START_TIMEOUT
    port = 0
    while not port:
        try:
            line = lines.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            line = ""
        match = LISTENING.search(line)
        if match:
            port = int(match.group(2))
        elif proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            err = proc.stderr.read() if proc.stderr else ""
            raise TargetError(f"`ecekit serve` did not start: {err.strip()[-500:]}",
                              remedy="run the same command by hand to see the whole error")
    threading.Thread(target=lambda: proc.stderr and proc.stderr.read(), daemon=True).start()

    def stop() -> None:
        terminate(proc, 15)

    base, admin_url = _urls(port, root, gate is not None, tls is not None)
    return ServerHandle(base, port, admin_url, db, gate.token if gate else None, process=proc, _stop=stop)


def serve(faults: Iterable[str] = (), scenario: str | Path | None = None, port: int = 0,
          **options: Any) -> ServerHandle:
    """The reference server on 127.0.0.1 for a ``with`` block; ``.url`` is its base URL.

    ``faults``: fault modes by name (``ecekit serve --list-faults``), e.g. ``["capacity-500"]``;
    ``scenario``: a scenario file; ``port=0`` picks a free port. Other keywords are those of
    :func:`running_server` (``admin=True``, ``context_root=…``, ``subprocess=True``).
    """
    return start_server(scenario=scenario, faults=faults, port=port, **options)
