"""Every command printed in README.md and docs/*.md runs as printed, against the reference server.

The fenced shell blocks are read, continuation lines joined, and each ``ecekit``, ``pytest contracts``
and ``locust`` command is one test, run in the directory of its fenced block (a block's commands run in
order, on one pytest-xdist worker: one xdist_group per block; blocks spread over the workers), with
these rewrites (general, so a command added to the docs later is covered without touching this file):

* every URL given to ``--base-url``, ``--ece-base-url`` or ``--host`` becomes the local reference
  server started for this test (loopback only: a command still naming another host is an error here,
  except the Origin header values of ``--origin``/``--cors-origin``, which are no destination);
* latency SLOs (``p95=200ms``) get a limit of LATENCY_LIMIT: a shared CI machine running several
  commands at once is not the quiet one they are meant for (``errors``/``violations`` SLOs are kept);
* durations, rates, worker counts and fuzz budgets are capped (``--duration``/``--ece-duration`` at
  DURATION s, ``--rate``/``--ece-rate`` at RATE page views/s, ``--workers`` at 2, ``--repeat`` at REPEAT
  runs with no ``--pause``, ``--max-examples``
  at FUZZ_EXAMPLES, except a fuzz run showing a --fault found, and ``check --allow-writes``'s
  ``--fuzz-examples`` too; a capacity search's ``--step-duration`` at STEP_DURATION s, its ``--start``
  set to CAPACITY_START and ``--max`` capped at CAPACITY_MAX page views/s, with a ``--warmup`` of 1 s as
  the suite's other capacity runs have), and added where the command relies on a longer default;
* servers and the locust web UI (commands that run until stopped, ``… &`` included) are started on a
  free port of 127.0.0.1, must come up, and are stopped with SIGTERM; ``ecekit serve`` must then exit
  0; the commands after them use the local reference server (every http(s) URL becomes it);
* a distributed locust master (``--master``, or ``ecekit capacity --distributed``) is run with
  ``--expect-workers 1`` on a free port of 127.0.0.1 together with the worker command printed after
  it (``--master-host MASTER_HOST``); its
  block, and any with a multi-process load run, joins the ``timing`` group (tests/conftest.py), as a
  worker that misses heartbeats for 3 s is dropped;
* files a command names (``ecekit.toml``, ``my.toml``) are written from the docs' own TOML examples,
  with the local URL for ``base_url``.

Commands that are not ecekit's to run here are listed in SKIPPED with the reason; a fenced command that
is neither run nor listed fails the test, so nothing is skipped silently.
"""

from __future__ import annotations

import os
import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from ecekit.processes import terminate
from ecekit.server.embedded import ServerHandle, running_server
from tests.starved import compare_refused_a_starved_run, machine_short_of_cpu

REPO = Path(__file__).resolve().parents[1]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
DURATION, DISTRIBUTED_DURATION, RATE, WORKERS, FUZZ_EXAMPLES, REPEAT = 2, 5, 10, 2, 30, 1
# A capacity search: steps of 1 s from 80 to at most 160 page views/s: enough answers in one step for a p95
# verdict (72, docs/capacity.md), so a rate is settled without repeats.
STEP_DURATION, CAPACITY_START, CAPACITY_MAX = 1, 80, 160
# Latency SLOs hold on a quiet machine, not on two shared cores running the rest of the suite beside:
# their limits become LATENCY_LIMIT (the syntax is still parsed, errors and violations SLOs keep theirs).
LATENCY_LIMIT = "5s"
_LATENCY_SLO = re.compile(r"(^|,)((?:\w+\.)?(?:p\d+|max))=[^,]+")
TIMEOUT = 150  # seconds for one command
SHELL_LANGS = ("", "sh", "bash", "shell", "console")
CI_CONFIG_LANGS = ("yaml", "yml", "groovy")  # CI job definitions: their ecekit commands run too
# Flags whose URL is an Origin header value (a web page's address), never a place traffic goes to
ORIGIN_FLAGS = ("--origin", "--cors-origin")

SKIPPED = {
    "python3 -m pip install .": "installs ecekit itself; the test environment already has it (editable), "
                                "and .ci/run proves the install from a clean checkout",
    "python3 -m pip install -e '.[test]'": "the same install with the test extras (.ci/run runs it)",
    "python3 -m pytest": "runs ecekit's own test suite, which contains this test",
}

# A file a command names -> (the doc that shows it, a line of the TOML block that holds it)
FIXTURES = {
    "ecekit.toml": ("README.md", "base_url = "),
    "my.toml": ("docs/reference-server.md", "[queues."),
}

ECEKIT = [sys.executable, "-m", "ecekit"]


@dataclass
class DocCommand:
    where: str  # file:line
    text: str  # as printed (continuations joined, prompt and comment removed)
    argv: list[str]
    block: str = ""  # file:line of its fenced block; a block's commands run in order, in one directory
    comment: str = ""  # the comment printed after it ("# fails: …", "# … exit 1")

    @property
    def documented_exit(self) -> int | None:
        """The exit code its comment promises: ``exit N``, or ``fails`` for 1."""
        m = re.search(r"\bexit (?:code )?(\d+)\b", self.comment)
        if m:
            return int(m.group(1))
        return 1 if re.search(r"\bfails\b", self.comment) else None

    @property
    def program(self) -> str:
        return self.argv[0]

    @property
    def runs_here(self) -> bool:
        return self.program in ("ecekit", "locust") or self.argv[:2] == ["pytest", "contracts"]


def _blocks(text: str) -> Iterator[tuple[str, int, list[str]]]:
    """(language, first line number, lines) of each fenced block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = re.match(r"^\s*```(\w*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        lang, start, body = m.group(1), i + 2, []
        i += 1
        while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
            body.append(lines[i])
            i += 1
        i += 1
        yield lang, start, body


def _ci_config_commands(body: list[str]) -> Iterator[tuple[int, str]]:
    """``ecekit`` commands inside CI job definitions (YAML ``run: >-`` and ``- >-`` folded scalars,
    Jenkins ``sh '''…'''``): the line that starts one, joined with the ``--flag`` lines after it."""
    j = 0
    while j < len(body):
        text = re.sub(r"^(?:-\s+|run:\s+|sh\s+''')", "", body[j].strip())
        start = j
        j += 1
        if not text.startswith("ecekit "):
            continue
        while j < len(body) and body[j].strip().startswith("--"):
            text = text.rstrip().removesuffix("\\").rstrip() + " " + body[j].strip()
            j += 1
        yield start, text.rstrip().removesuffix("'''").rstrip()


def _comment_of(line: str) -> str:
    """A shell line's trailing comment: from a ``#`` that starts a word outside quotes."""
    quote = ""
    for i, c in enumerate(line):
        if quote:
            quote = "" if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or line[i - 1].isspace()):
            return line[i + 1:].strip()
    return ""


def doc_commands() -> list[DocCommand]:
    out = []
    for path in DOCS:
        name = path.relative_to(REPO).as_posix()
        for lang, start, body in _blocks(path.read_text(encoding="utf-8")):
            block = f"{name}:{start - 1}"
            if lang in CI_CONFIG_LANGS:
                for j, text in _ci_config_commands(body):
                    argv = shlex.split(text)
                    out.append(DocCommand(f"{name}:{start + j}", shlex.join(argv), argv, block))
                continue
            if lang not in SHELL_LANGS:
                continue
            j = 0
            while j < len(body):
                lineno, line = start + j, body[j]
                while line.rstrip().endswith("\\") and j + 1 < len(body):
                    j += 1
                    line = line.rstrip()[:-1] + " " + body[j].strip()
                j += 1
                stripped = line.strip()
                if lang == "console":
                    if not stripped.startswith("$ "):
                        continue  # output
                    stripped = stripped[2:]
                if not re.match(r"^(ecekit|pytest|locust|python3?|pip)\s", stripped + " "):
                    continue  # output or prose inside a block
                words = shlex.split(stripped, comments=True)
                comment = _comment_of(stripped)
                segments: list[list[str]] = [[]]
                for word in words:
                    if word == "&&":
                        segments.append([])
                    else:
                        segments[-1].append(word)
                for seg in segments:
                    out.append(DocCommand(f"{name}:{lineno}", shlex.join(seg), seg, block, comment))
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _set(argv: list[str], flag: str, value: str) -> None:
    """Set ``flag``'s value (every occurrence), or append it."""
    if flag in argv:
        for i, word in enumerate(argv):
            if word == flag:
                argv[i + 1] = value
    else:
        argv += [flag, value]


def _cap(argv: list[str], flag: str, cap: float, add: bool) -> None:
    for i, word in enumerate(argv[:-1]):
        if word == flag:
            argv[i + 1] = f"{min(float(argv[i + 1]), cap):g}"
            return
    if add:
        argv += [flag, f"{cap:g}"]


@dataclass
class Plan:
    """How one printed command is run here."""

    command: DocCommand
    argv: list[str]
    mode: str = "run"  # run | serve (until stopped) | webui | master
    expect: int = 0
    files: list[str] = field(default_factory=list)
    worker: list[str] | None = None  # master: the paired worker command

    @property
    def heavy(self) -> bool:
        """A locust run (or several)."""
        return self.command.program == "locust" or self.argv[1:2] in (["load"], ["capacity"])

    @property
    def exclusive(self) -> bool:
        """A locust master with workers (a worker that misses heartbeats for 3 s is dropped)."""
        return self.mode == "master" or ("--workers" in self.argv and self.heavy)


def plan(cmd: DocCommand, local: str, worker: DocCommand | None) -> Plan:
    argv = list(cmd.argv)
    background = argv[-1:] == ["&"]  # `ecekit serve … &`: started, seen listening, stopped
    if background:
        argv.pop()
    for flag in ("--base-url", "--ece-base-url") + (("--host",) if cmd.program == "locust" else ()):
        if flag in argv:
            _set(argv, flag, local)
    for i, word in enumerate(argv):  # a server named by position (`ecekit diff A URL`)
        if re.match(r"^https?://", word) and argv[i - 1] not in ORIGIN_FLAGS:
            argv[i] = local
    p = Plan(cmd, argv, files=[f for f in FIXTURES if f in argv])
    documented = cmd.documented_exit
    sub = argv[1] if len(argv) > 1 else ""
    if cmd.program == "ecekit":
        if sub == "load":
            _cap(argv, "--duration", DURATION, add=True)
            _cap(argv, "--rate", RATE, add=False)
            _cap(argv, "--workers", WORKERS, add=False)
            _cap(argv, "--repeat", REPEAT, add=False)  # one run a side shows the files and compare
            if "--repeat" in argv:
                _cap(argv, "--pause", 0, add=True)
        elif sub == "fuzz":
            if "--fault" not in argv:  # showing a fault found takes the default budget (found by ~75)
                _cap(argv, "--max-examples", FUZZ_EXAMPLES, add=True)
            p.expect = 1 if "--fault" in argv else 0  # the docs show the fuzzer finding the fault
        elif sub == "check":
            p.expect = 1 if "--fault" in argv else 0
            _cap(argv, "--fuzz-examples", FUZZ_EXAMPLES, add="--allow-writes" in argv)
        elif sub == "capacity":
            _cap(argv, "--step-duration", STEP_DURATION, add=True)
            _set(argv, "--start", f"{CAPACITY_START:g}")
            _cap(argv, "--max", CAPACITY_MAX, add=True)
            if "--warmup" not in argv:  # a step's first second is the load processes' own start-up
                argv += ["--warmup", "1"]
            _cap(argv, "--workers", WORKERS, add=False)
            if "--distributed" in argv:  # one master for the search, with the worker printed after it
                port = _pair(p, argv, worker, cmd.where)
                _set(argv, "--master-bind-host", "127.0.0.1")
                _set(argv, "--master-bind-port", port)
        elif sub == "serve" and not {"--list-faults", "--list-entry-points"} & set(argv):
            _set(argv, "--port", "0")
            if "--host" in argv:  # all interfaces in the docs; loopback here
                _set(argv, "--host", "127.0.0.1")
            p.mode = "serve"
    elif cmd.program == "locust":
        # a worker reports its users every 3 s: a distributed run gets a few seconds more, or on a busy
        # machine the master could stop before it hears of any user
        _cap(argv, "--ece-duration", DISTRIBUTED_DURATION if "--master" in argv else DURATION,
             add="--headless" in argv)
        _cap(argv, "--ece-rate", RATE, add=False)
        if "--master" in argv:
            port = _pair(p, argv, worker, cmd.where)
            argv += ["--master-bind-host", "127.0.0.1", "--master-bind-port", port]
        elif "--headless" not in argv:
            argv += ["--web-host", "127.0.0.1", "--web-port", str(_free_port())]
            p.mode = "webui"
    for flag in ("--slo", "--ece-slo"):
        for i, word in enumerate(argv[:-1]):
            if word == flag:
                argv[i + 1] = _LATENCY_SLO.sub(rf"\1\2={LATENCY_LIMIT}", argv[i + 1])
    if documented is not None:
        p.expect = documented
    for i, word in enumerate(argv):
        if "://" in word and argv[i - 1] not in ORIGIN_FLAGS:
            host = urlsplit(word).hostname or ""
            assert host in ("127.0.0.1", "::1", "localhost"), f"{cmd.where}: {word} is not loopback"
    return p


def _pair(p: Plan, argv: list[str], worker: DocCommand | None, where: str) -> str:
    """A locust master (or a distributed capacity search) with one worker, the worker command printed
    after it, on a free port of 127.0.0.1: the port."""
    port = str(_free_port())
    _set(argv, "--expect-workers", "1")
    p.mode = "master"
    assert worker is not None, f"{where}: a master with no worker command after it"
    w = list(worker.argv)
    _set(w, "--master-host", "127.0.0.1")
    _set(w, "--master-port", port)
    p.worker = w
    return port


def _is_master(c: DocCommand) -> bool:
    return "--master" in c.argv or (c.program == "ecekit" and "--distributed" in c.argv)


def _executable(argv: list[str]) -> list[str]:
    if argv[0] == "ecekit":
        return [*ECEKIT, *argv[1:]]
    if argv[0] == "locust":
        return [sys.executable, "-m", "locust", *argv[1:]]
    if argv[0] == "pytest":
        return [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *argv[1:]]
    raise AssertionError(argv)


@dataclass
class Outcome:
    code: int | None
    output: str
    seconds: float
    ok: bool
    why: str = ""


def _wait_until(predicate: object, proc: subprocess.Popen[str], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


TLS_FLAGS = ("--ca-bundle", "--client-cert", "--client-key", "--tls-cert", "--tls-key", "--tls-client-ca")
_TLS_KEYS = re.compile(r'^(?:ca_bundle|client_cert|client_key)\s*=\s*"([^"]+)"', re.M)


def _pem_files(work: Path, argv: list[str], texts: list[str]) -> None:
    """The certificate files a command names (``--ca-bundle company-ca.pem``, ``ca_bundle = …`` in its
    target file): one self-signed pair made here, its certificate under every .pem/.crt name and its key
    under every .key name, so a CA bundle trusts a served certificate as in the docs."""
    names = [argv[i + 1] for i, word in enumerate(argv[:-1]) if word in TLS_FLAGS]
    names += [m for text in texts for m in _TLS_KEYS.findall(text)]
    if not names:
        return
    from tests.tls.pki import _self_signed

    (work / ".pki").mkdir(exist_ok=True)
    cert, key = _self_signed("ece-docs", work / ".pki", server=True)
    for name in names:
        target = work / name
        if not target.exists():
            target.write_bytes((key if name.endswith(".key") else cert).read_bytes())


def execute(p: Plan, work: Path, fixtures: dict[str, str], n: int = 0) -> Outcome:
    """Run one command in ``work`` (shared by the commands of one block, run in order)."""
    work.mkdir(parents=True, exist_ok=True)
    for name in ("contracts", "loadtests", "xsd"):
        if not (work / name).exists():
            (work / name).symlink_to(REPO / name)
    for name in p.files:
        (work / name).write_text(fixtures[name], encoding="utf-8")
    _pem_files(work, p.argv, [fixtures[name] for name in p.files])
    env = {**os.environ, "NO_COLOR": "1", "TMPDIR": str(work.parent / (work.name + "-tmp")),
           "PYTHONUNBUFFERED": "1"}
    Path(env["TMPDIR"]).mkdir(exist_ok=True)
    log = work.parent / f"{work.name}-{n}.log"
    start = time.monotonic()
    with log.open("w+") as out:
        proc = subprocess.Popen(_executable(p.argv), cwd=work, env=env, stdout=out,
                                stderr=subprocess.STDOUT, text=True)
        worker = None
        try:
            if p.mode == "run" or p.mode == "master":
                if p.worker is not None:
                    worker = subprocess.Popen(_executable(p.worker), cwd=work, env=env, stdout=out,
                                              stderr=subprocess.STDOUT, text=True)
                try:
                    code = proc.wait(TIMEOUT)
                except subprocess.TimeoutExpired:
                    terminate(proc, 20)
                    return Outcome(None, log.read_text(), time.monotonic() - start, False, "timed out")
                ok, why = code == p.expect, f"exit {code}, expected {p.expect}"
                if not ok and (_starved_capacity(p, code, log.read_text())
                               or (p.argv[1:2] == ["compare"] and p.expect == 0
                                   and compare_refused_a_starved_run(code, log.read_text()))):
                    ok, why = True, "exit 2: the machine was short of CPU for the generator, and it said so"
            elif p.mode == "serve":
                up = _wait_until(lambda: "listening on" in log.read_text(), proc, 30)
                code = terminate(proc, 20)
                ok, why = up and code == 0, f"listening: {up}, exit after SIGTERM {code}"
            else:  # webui
                port = int(p.argv[p.argv.index("--web-port") + 1])

                def serving() -> bool:
                    try:
                        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                            return bool(r.status == 200)
                    except OSError:
                        return False

                up = _wait_until(serving, proc, 30)
                code = terminate(proc, 20)
                ok, why = up, f"web UI answered: {up} (exit after SIGTERM {code})"
        finally:
            for child in (proc, worker):
                if child is not None:
                    terminate(child, 20)
    leftovers = sorted(x.name for x in Path(env["TMPDIR"]).iterdir())
    if leftovers:
        ok, why = False, f"{why}; left in the temporary directory: {leftovers}"
    return Outcome(code, log.read_text(), time.monotonic() - start, ok, why)


def _starved_capacity(p: Plan, code: int, output: str) -> bool:
    """A capacity search that stopped because the generator could not keep its schedule on a machine
    short of CPU (the rest of the suite, or the hogs of a stress run, beside it) has answered correctly:
    the step says nothing of the server, and exit 2 with that reason is the documented outcome."""
    return p.argv[1:2] == ["capacity"] and p.expect == 0 and machine_short_of_cpu(code, output)


def _fixtures(local: str) -> dict[str, str]:
    found = {}
    for name, (doc, marker) in FIXTURES.items():
        for lang, _, body in _blocks((REPO / doc).read_text(encoding="utf-8")):
            if lang == "toml" and any(line.startswith(marker) for line in body):
                text = "\n".join(body) + "\n"
                found[name] = re.sub(r'^base_url = ".*"$', f'base_url = "{local}"', text, flags=re.M)
    assert set(found) == set(FIXTURES), f"no TOML block for {set(FIXTURES) - set(found)}"
    return found


COMMANDS = doc_commands()
RUN = [c for c in COMMANDS if c.runs_here and "--worker" not in c.argv]
FIRST = {c.text: c for c in reversed(RUN)}  # a command printed twice runs once (its first time)
BLOCKS: dict[str, list[DocCommand]] = {}  # a fenced block: its commands to run, in order, in one directory
for _c in RUN:
    if FIRST[_c.text] is _c:
        BLOCKS.setdefault(_c.block, []).append(_c)


def _group(cmd: DocCommand) -> str:
    """The xdist group of the test of ``cmd``: its block's (the block of its first printing), or
    ``timing`` for a block with a multi-process locust run, which must not share the machine."""
    block = FIRST[cmd.text].block
    if any(plan(c, "http://127.0.0.1:1/system", _worker_of(c)).exclusive for c in BLOCKS[block]):
        return "timing"
    return f"docs-{block}"


def _worker_of(c: DocCommand) -> DocCommand | None:
    if not _is_master(c):
        return None
    return next((w for w in COMMANDS[COMMANDS.index(c) + 1:] if "--worker" in w.argv), None)


@pytest.fixture(scope="session")  # session: other tests run between this worker's blocks
def local_server() -> Iterator[ServerHandle]:
    with running_server(subprocess=True) as srv:
        yield srv


class Runs:
    """This worker's runs of the docs' commands: each block in a directory of its own, its commands in
    order (a command asked for out of order runs those before it in its block first)."""

    def __init__(self, root: Path, local: str) -> None:
        self.root, self.local = root, local
        self.fixtures = _fixtures(local)
        self.outcomes: dict[str, Outcome] = {}

    def outcome(self, cmd: DocCommand) -> Outcome:
        first = FIRST[cmd.text]
        block = BLOCKS[first.block]
        for n, c in enumerate(block[:block.index(first) + 1]):
            if c.text not in self.outcomes:
                p = plan(c, self.local, _worker_of(c))
                self.outcomes[c.text] = execute(p, self.root / f"b{list(BLOCKS).index(c.block)}", self.fixtures, n)
        return self.outcomes[cmd.text]


@pytest.fixture(scope="session")
def doc_runs(local_server: ServerHandle, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    return Runs(tmp_path_factory.mktemp("docs"), local_server.base_url)


def test_every_fenced_command_is_run_or_skipped_with_a_reason() -> None:
    assert len(RUN) >= 20
    not_run = {c.text for c in COMMANDS if not c.runs_here}
    assert not_run <= set(SKIPPED), f"fenced commands neither run nor in SKIPPED: {not_run - set(SKIPPED)}"
    assert set(SKIPPED) <= not_run, f"SKIPPED lists commands no doc prints: {set(SKIPPED) - not_run}"
    workers = [c for c in COMMANDS if "--worker" in c.argv]
    for w in workers:  # each runs with the master printed before it
        assert any(_is_master(c) and COMMANDS.index(c) < COMMANDS.index(w) for c in RUN), w.where


def test_rewrites_keep_to_loopback_and_small_numbers() -> None:
    cmd = DocCommand("x", "", shlex.split("ecekit load --base-url https://ece.example.com/system --rate 400 "
                                          "--duration 300 --workers 8 --slo p95=1ms,chatAllowed.max=2ms,"
                                          "errors=1%"))
    p = plan(cmd, "http://127.0.0.1:1/system", None)
    assert p.argv == shlex.split("ecekit load --base-url http://127.0.0.1:1/system --rate 10 --duration 2 "
                                 "--workers 2 --slo p95=5s,chatAllowed.max=5s,errors=1%")
    other = plan(DocCommand("x", "", ["ecekit", "diff", "a.json", "https://ece.example.com/system",
                                      "--origin", "https://www.example.com"]), "http://127.0.0.1:1/system", None)
    assert other.argv == ["ecekit", "diff", "a.json", "http://127.0.0.1:1/system",
                          "--origin", "https://www.example.com"]  # an Origin header is no destination
    serve = plan(DocCommand("x", "", ["ecekit", "serve", "--host", "0.0.0.0", "--port", "8080", "&"]), "", None)
    assert serve.argv == ["ecekit", "serve", "--host", "127.0.0.1", "--port", "0"] and serve.mode == "serve"


@pytest.mark.parametrize("cmd", [pytest.param(c, id=c.where, marks=pytest.mark.xdist_group(_group(c))) for c in RUN])
def test_doc_command_runs_as_printed(cmd: DocCommand, doc_runs: Runs) -> None:
    outcome = doc_runs.outcome(cmd)
    assert outcome.ok, f"{cmd.where}: `{cmd.text}`: {outcome.why}\n{outcome.output[-4000:]}"


def test_a_capacity_search_a_starved_machine_stopped_is_no_failure_of_the_docs() -> None:
    cmd = DocCommand("x", "", ["ecekit", "capacity", "--slo", "p95=20ms"])
    p = plan(cmd, "http://127.0.0.1:1/system", None)
    starved = "limited by: generator: … while its busiest process used only 10% of a core: the machine is short of CPU"
    assert _starved_capacity(p, 2, starved)
    assert not _starved_capacity(p, 2, "limited by: generator: a load process used 97% of a CPU core")
    assert not _starved_capacity(p, 1, "limited by: server")
    other = plan(DocCommand("x", "", ["ecekit", "load", "--slo", "p95=20ms"]), "http://127.0.0.1:1/system", None)
    assert not _starved_capacity(other, 2, starved)


def test_a_comparison_a_starved_machine_refused_is_no_failure_of_the_docs() -> None:
    refused = ("Error: cannot compare: the load generator faltered in reports/before/run-01: 22% of page views "
               "started more than 10 ms late (…), while its busiest process used only 6% of a core: the machine "
               "is short of CPU")
    assert compare_refused_a_starved_run(2, refused)
    assert not compare_refused_a_starved_run(2, "Error: cannot compare runs of different loads: profile 'a' …")
    assert not compare_refused_a_starved_run(2, refused.replace("the machine is short of CPU", "97% of a core"))
    assert not compare_refused_a_starved_run(1, refused)
