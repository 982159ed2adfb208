"""Taking a snapshot: every status operation for every configured entry point, normalised and judged.

A snapshot is a small JSON document a user can commit beside a pipeline (format in docs/diff.md). It
is written with sorted keys and fixed separators, and holds nothing that changes between two takes of
the same server but ``taken_at`` and the ``latency_ms`` records: no port of the embedded server, no
elapsed times in violation messages. ``reads`` back-to-back rounds over every (operation, entry point)
give the latency percentiles (per answer, and per operation over all its entry points: the larger
sample a diff judges by) and the consistency verdicts (a rule fails only when contradicted on
every round, as in the contract suites); the first round's answers are the ones recorded. Each XML
read is followed at once by the same request with ``Accept: application/json``: its answer is recorded
beside the XML one (:mod:`ecekit.diff.json_answer`), and a JSON field disagrees with the XML only when
it does on every round. The JSON reads are left out of the latency records, which stay the XML's.

The survey is not snapshotted: it writes to the server.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ecekit import operations
from ecekit.__about__ import __version__
from ecekit.checks import REGISTRY, Context, Observation, Role, consistency
from ecekit.checks.base import entry_points_by_role
from ecekit.checks.json_parity import ACCEPT_JSON
from ecekit.checks.user import load_for
from ecekit.client import Client, Exchange, Rationed
from ecekit.diff import json_answer
from ecekit.diff.normalise import normalise
from ecekit.errors import ConfigError, UsageError
from ecekit.live import live_target, with_roles
from ecekit.report.run_info import xsd_hashes
from ecekit.target import Target
from ecekit.xmlsafe import schemas

SCHEMA_VERSION = 1
DEFAULT_READS = 10
PERCENTILES = (50, 90)
# Checks whose messages hold a measurement: their verdict is recorded, their messages are not.
VOLATILE_MESSAGES = frozenset({"response_time"})
SUFFIX_HINT = "a file written by `ecekit snapshot --out FILE`"


def take(target: Target, *, reads: int = DEFAULT_READS, faults: tuple[str, ...] = (),
         progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Snapshot ``target`` (the embedded reference server, with ``faults``, when it has no base URL)."""
    if reads < 1:
        raise UsageError("--reads must be 1 or more")
    target = with_roles(target, faults, doing="snapshot")
    bundle = schemas(target.xsd_dir)  # SchemaError now, before any request
    load_for(target)  # the user's checks are judged beside the built-in ones
    with live_target(target, faults=faults) as live:
        rounds, json_rounds = _read(live, reads, progress)
    contexts = {role: Context(live, role=role, _schemas=bundle) for role in Role}
    answers: dict[str, dict[str, Any]] = {}
    for op in operations.STATUS_OPERATIONS:
        for role, ep in entry_points_by_role(target):
            series = [r[ep][op.name] for r in rounds]
            first = series[0]
            answers.setdefault(op.name, {})[ep] = {
                "role": role.value,
                "response": normalise(first, op, max_bytes=target.max_body_bytes),
                "json": _json_record(op, series, [r[ep][op.name] for r in json_rounds], target.max_body_bytes),
                "checks": verdicts(first, op, contexts[role]),
                "latency_ms": latency(series),
            }
    return {
        "schema_version": SCHEMA_VERSION,
        "ecekit_version": __version__,
        "taken_at": datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "target": describe_target(target, faults),
        "xsd": xsd_hashes(target.xsd_dir),
        "reads": reads,
        "answers": answers,
        "latency_ms": {op.name: latency([r[ep][op.name] for r in rounds for _, ep in entry_points_by_role(target)])
                       for op in operations.STATUS_OPERATIONS},
        "consistency": _consistency(target, rounds),
    }


def dumps(snapshot: dict[str, Any]) -> str:
    """The one way a snapshot is written: sorted keys, two-space indent, a final newline."""
    return json.dumps(snapshot, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def write(snapshot: dict[str, Any], path: str | Path) -> None:
    out = Path(path)
    if out.parent and not out.parent.exists():
        out.parent.mkdir(parents=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(dumps(snapshot), encoding="utf-8")
    tmp.replace(out)


def load(path: str | Path) -> dict[str, Any]:
    """A snapshot file, checked for the fields a diff needs; ConfigError saying what is wrong."""
    file = Path(path)
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"snapshot file {file} not found",
                          remedy=f"give {SUFFIX_HINT}, or a base URL (http://…)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file} is not a snapshot (not JSON: {exc})",
                          remedy=f"give {SUFFIX_HINT}") from None
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise ConfigError(f"{file} is not a snapshot (no 'answers')", remedy=f"give {SUFFIX_HINT}")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ConfigError(f"{file} has schema_version {version!r}; this ecekit reads {SCHEMA_VERSION}",
                          remedy="take the snapshot again with this version of ecekit")
    problem = _damage(data)
    if problem:
        raise ConfigError(f"{file} is a damaged snapshot: {problem}",
                          remedy="take the snapshot again; do not edit the file by hand")
    return data


_RESPONSE_KEYS = ("transport", "status", "content_type", "charset", "xml", "root", "attributes", "elements",
                  "prefixes")


def _damage(data: dict[str, Any]) -> str:
    """What a diff would trip over in a snapshot, or "" when it has every part it needs."""
    for op, eps in data["answers"].items():
        if not isinstance(eps, dict):
            return f"answers.{op} is not an object"
        for ep, answer in eps.items():
            where = f"answers.{op}.{ep}"
            if not isinstance(answer, dict):
                return f"{where} is not an object"
            response, checks = answer.get("response"), answer.get("checks")
            if not isinstance(response, dict) or any(k not in response for k in _RESPONSE_KEYS):
                return f"{where}.response lacks one of {', '.join(_RESPONSE_KEYS)}"
            if not all(isinstance(response[k], dict) for k in ("attributes", "elements", "prefixes")):
                return f"{where}.response: attributes, elements and prefixes must be objects"
            if not isinstance(checks, dict) or not isinstance(checks.get("fail"), dict) or not all(
                    isinstance(checks.get(k), list) for k in ("pass", "skip")):
                return f"{where}.checks must hold pass and skip lists and a fail object"
            for kind in ("attributes", "elements"):
                if not all(isinstance(v, dict) and "type" in v for v in response[kind].values()):
                    return f"{where}.response.{kind}: every value needs a type"
            problem = _json_damage(answer["json"]) if "json" in answer else ""  # older snapshots hold none
            if problem:
                return f"{where}.json{problem}"
    for key in ("latency_ms", "consistency", "xsd"):
        if not isinstance(data.get(key, {}), dict):
            return f"{key} is not an object"
    return ""


def _json_damage(record: Any) -> str:
    """What is wrong with an answer's ``json`` record, or "" when a diff can read it."""
    if not isinstance(record, dict) or any(k not in record for k in json_answer.KEYS):
        return f" lacks one of {', '.join(json_answer.KEYS)}"
    if not isinstance(record["fields"], dict) or not isinstance(record["disagrees"], list):
        return ": fields must be an object and disagrees a list"
    if not all(isinstance(v, dict) and "type" in v for v in record["fields"].values()):
        return ".fields: every value needs a type"
    return ""


# ---------------------------------------------------------------------------------------- parts
def verdicts(exchange: Exchange, op: operations.Operation, context: Context) -> dict[str, Any]:
    """Every registered per-response check, run directly on the exchange: the names of those that
    passed, of those skipped (a precondition does not hold, e.g. no XSD verdict for a body that is not
    XML), and the violations of those that failed."""
    obs = Observation(exchange, op, context)
    out: dict[str, Any] = {"pass": [], "skip": [], "fail": {}}
    for name, spec in sorted(REGISTRY.items()):
        if not spec.wanted_for(context.target, op):
            continue  # an opt-in check the target did not ask for (--widget, --origin)
        if not spec.applies(obs):
            out["skip"].append(name)
            continue
        found = spec.func(obs)
        if not found:
            out["pass"].append(name)
            continue
        shown = [] if name in VOLATILE_MESSAGES else found
        out["fail"][name] = sorted(({"message": v.message, "xpath": v.xpath} for v in shown),
                                   key=lambda v: (v["xpath"] or "", v["message"]))
    return out


def verdict(checks: dict[str, Any], name: str) -> str:
    """``pass``, ``fail`` or ``skip`` for one check of a recorded answer (``skip`` when absent)."""
    if name in checks["fail"]:
        return "fail"
    return "pass" if name in checks["pass"] else "skip"


def latency(series: list[Exchange]) -> dict[str, Any]:
    """Nearest-rank percentiles of the reads' elapsed times, in milliseconds, and how many reads."""
    times = sorted(ex.elapsed * 1000 for ex in series)
    out: dict[str, Any] = {f"p{p}": round(times[max(0, math.ceil(p / 100 * len(times)) - 1)], 3)
                           for p in PERCENTILES}
    out["max"] = round(times[-1], 3)
    out["reads"] = len(times)
    return out


def describe_target(target: Target, faults: tuple[str, ...] = ()) -> dict[str, Any]:
    """The target as every report records it (header values redacted, no credentials), plus what a
    snapshot's verdicts also depend on."""
    from ecekit.report.run_info import target_info

    return {**target_info(target, faults=faults), "agents_required": target.agents_required,
            "xsd_dir": target.xsd_dir, "widget": target.widget, "origin": target.origin}


def _json_record(op: operations.Operation, xml_series: list[Exchange], json_series: list[Exchange],
                 max_bytes: int) -> dict[str, Any]:
    """The first round's JSON answer, with the fields that disagreed with the XML on every round."""
    record = json_answer.normalise_json(json_series[0], op)
    record["disagrees"] = json_answer.disagreeing(
        (normalise(x, op, max_bytes=max_bytes), json_answer.normalise_json(j, op))
        for x, j in zip(xml_series, json_series, strict=True))
    return record


# ---------------------------------------------------------------------------------------- reading
Round = dict[str, dict[str, Exchange]]  # entry point -> operation -> exchange


def _read(target: Target, reads: int, progress: Callable[[str], None] | None) -> tuple[list[Round], list[Round]]:
    """``reads`` rounds, each a back-to-back read of every status operation per entry point, each XML
    read followed at once by the JSON one: the XML rounds and the JSON rounds.

    A hung server costs a few timeouts, not one per read (:class:`ecekit.client.Rationed`)."""
    rounds: list[Round] = []
    json_rounds: list[Round] = []
    with Client(target) as client:
        rationed = Rationed(client)
        for n in range(reads):
            if progress is not None:
                progress(f"read {n + 1} of {reads}")
            current: Round = {}
            as_json: Round = {}
            for _, ep in entry_points_by_role(target):
                for op in operations.STATUS_OPERATIONS:
                    current.setdefault(ep, {})[op.name] = rationed.call(op, ep)
                    as_json.setdefault(ep, {})[op.name] = rationed.call(op, ep, headers=ACCEPT_JSON)
            rounds.append(current)
            json_rounds.append(as_json)
    return rounds, json_rounds


def _consistency(target: Target, rounds: list[Round]) -> dict[str, dict[str, str]]:
    """Per entry point and rule: fail when contradicted on every round, unknown when a value was
    missing from every round, else pass. Rules the target's settings exclude are left out."""
    out: dict[str, dict[str, str]] = {}
    for _, ep in entry_points_by_role(target):
        snaps = [consistency.snapshot_from(ep, r[ep], target) for r in rounds]
        verdict: dict[str, str] = {}
        for rule in consistency.rules_for(target):
            seen = [rule.contradicted(s) for s in snaps]
            if all(s is True for s in seen):
                verdict[rule.name] = "fail"
            elif all(s is None for s in seen):
                verdict[rule.name] = "unknown"
            else:
                verdict[rule.name] = "pass"
        out[ep] = verdict
    return out


# ---------------------------------------------------------------------------------------- library
@dataclass(frozen=True)
class Snapshot:
    """A snapshot as the library returns it: the JSON document (``to_dict()``) and what it holds."""

    data: dict[str, Any]

    @property
    def answers(self) -> dict[str, dict[str, Any]]:
        """operation -> entry point -> the normalised answer and its checks' verdicts."""
        return dict(self.data["answers"])

    @property
    def failing(self) -> list[tuple[str, str]]:
        """(operation, entry point) of every answer with a failing check."""
        return [(op, ep) for op, eps in self.data["answers"].items() for ep, a in eps.items()
                if a["checks"]["fail"]]

    def describe(self) -> str:
        """``N answers (F with failing checks; no complete answer: timeout 3)``: answers that never came
        whole are named, since a snapshot of them is thin."""
        answers = [a for eps in self.data["answers"].values() for a in eps.values()]
        missing = Counter(a["response"]["transport"] for a in answers if a["response"].get("transport"))
        lost = "; no complete answer: " + ", ".join(f"{k} {n}" for k, n in missing.most_common()) if missing else ""
        return f"{len(answers)} answers ({len(self.failing)} with failing checks{lost})"

    def write(self, path: str | Path) -> None:
        write(self.data, path)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.data)


def take_snapshot(target: Target | None = None, *, reads: int = DEFAULT_READS, faults: tuple[str, ...] = (),
                  progress: Callable[[str], None] | None = None) -> Snapshot:
    """Record every status answer of ``target`` (None: the embedded reference server, with ``faults``)
    over ``reads`` back-to-back reads, for :func:`ecekit.diff_snapshots` now or later."""
    return Snapshot(take(target or Target(), reads=reads, faults=faults, progress=progress))


EMBEDDED = "embedded"


def side(where: str, options: dict[str, Any], reads: int = DEFAULT_READS,
         say: Callable[[str], None] | None = None) -> tuple[dict[str, Any], str]:
    """One side of a diff and its label: the snapshot file ``where``, or a snapshot taken now of the URL
    ``where`` or of the word ``embedded`` (the reference server), with the target ``options``."""
    from ecekit import redaction
    from ecekit.flags import target_from

    if where == EMBEDDED or where.startswith(("http://", "https://")):
        target = target_from({**options, "base_url": None if where == EMBEDDED else where})
        shown = redaction.url(where)  # a password in the URL is shown nowhere
        if say is not None:
            say(shown)
        return take(target, reads=reads), f"{shown} (snapshotted now)"
    data = load(where)
    return data, f"{where} (taken {data.get('taken_at', '?')})"
