"""Hypothesis throws arbitrary bytes and JSON at every admin route (walked from ``admin.ROUTES``, not
a hand list): never a 5xx, never a hang, always a JSON answer, and whatever is refused leaves the
whole state (scenario, version, faults, surveys) exactly as it was.

In-process (no socket), gated as if on 0.0.0.0, so a few hundred examples per route take seconds.
"""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecekit.server import access, admin, faults, scenario
from ecekit.server.app import ADMIN_PREFIX, EceApp
from tests.server.asgi import JSON, bearer, call, dump, make_app, reset

TOKEN = "fuzz-token-0123456789abcdef"
SETTINGS = settings(max_examples=60, deadline=timedelta(seconds=2), derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

_DEFAULT = scenario.to_mapping(scenario.load())
# The items of the default scenario by admin kind, and names that exist nowhere or are not ids, so
# the fuzz reaches the deep checks (cross references, a change refused half-way) as well as the edges.
ITEMS = {kind: sorted(_DEFAULT[kind]) for kind in scenario.SPECS}
KNOWN_NAMES = sorted({name for names in ITEMS.values() for name in names}
                     | {"nope", "999999", "-1", "9223372036854775808", *faults.catalogue()})
SPEC_KEYS = sorted({key for spec in scenario.SPECS.values() for key in spec} | {"fault"})

SCALARS = (st.none() | st.booleans() | st.integers() | st.integers(-2, 20)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
           | st.sampled_from(KNOWN_NAMES))
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(SPEC_KEYS) | st.text(max_size=8), inner, max_size=4),
    max_leaves=12)
NAMES = st.sampled_from(KNOWN_NAMES)
# Values one step from valid: a count off by sign or size, a delay of infinity or 1e300, a list of
# names one of which is undefined.
NEAR_VALID = st.one_of(
    st.booleans(), st.integers(-2, 12), st.integers(), st.text(max_size=10), NAMES,
    st.lists(st.floats(0, 1e12) | st.just(float("inf")) | st.integers(0, 10**30) | st.just(1e300),
             max_size=3),
    st.lists(NAMES, min_size=1, max_size=3), st.none())
COUNTS = st.integers(-2, 12) | st.integers()
# Each key's own type, drawn to the edges of it, so the checks past the type (ranges, references) run.
TYPED: dict[str, st.SearchStrategy[Any]] = {
    "running": st.booleans(), "available": st.booleans(), "active": st.booleans(),
    "agents_required": st.booleans(), "max_depth": COUNTS, "waiting": COUNTS, "in_progress": COUNTS,
    "ctl": COUNTS, "max_load": COUNTS, "current_load": COUNTS, "service": NAMES, "queue": NAMES,
    "queues": st.lists(NAMES, min_size=1, max_size=3), "description": st.text(max_size=20),
    "delays": st.lists(st.sampled_from([float("inf"), 1e300, 10**30, -0.0, 2, 1e9, 1e9 + 1])
                       | st.floats(0, 1e12), min_size=1, max_size=3),
}


def patches(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    """A change to one item of ``kind`` (as spelt in a path) with its own keys, mostly well typed."""
    spec = sorted(scenario.SPECS[admin.KINDS[kind]]) if kind in admin.KINDS else ["x"]
    return st.lists(st.sampled_from(spec), min_size=1, max_size=3, unique=True).flatmap(
        lambda keys: st.fixed_dictionaries(
            {key: st.integers(0, 4).flatmap(lambda i, k=key: NEAR_VALID if i == 4 else TYPED.get(k, NEAR_VALID))
             for key in keys}))


@st.composite
def state_mutations(draw: st.DrawFn) -> Any:
    """The real state with one value replaced, one key dropped or one key added: deep in the
    validation, where a half-applied change would show."""
    data = copy.deepcopy(_DEFAULT)
    node: Any = data
    keys = draw(st.lists(st.integers(0, 50), min_size=1, max_size=4))
    for pick in keys[:-1]:
        if isinstance(node, dict) and node:
            child = sorted(node)[pick % len(node)]
            if isinstance(node[child], dict):
                node = node[child]
    if isinstance(node, dict) and node:
        key = sorted(node)[keys[-1] % len(node)]
        action = draw(st.sampled_from(["replace", "drop", "add"]))
        if action == "replace":
            node[key] = draw(JSON_VALUES)
        elif action == "drop":
            del node[key]
        else:
            node[draw(st.sampled_from(SPEC_KEYS) | st.text(max_size=8))] = draw(JSON_VALUES)
    return data


def _not_json(name: str) -> Any:
    raise AssertionError(f"the admin API answered {name}, which is not JSON")


def _encode(value: Any) -> bytes:
    return json.dumps(value).encode()  # NaN and Infinity come out as JSON does not allow


BODIES = st.one_of(
    st.binary(max_size=2000),
    JSON_VALUES.map(_encode),
    st.dictionaries(st.sampled_from(SPEC_KEYS), JSON_VALUES, max_size=5).map(_encode),
    state_mutations().map(_encode),
    st.builds(lambda n, opener: opener * n, st.integers(1, 200_000), st.sampled_from([b"[", b'{"a":'])),
    st.just(b""),
)
CONTENT_TYPES = st.sampled_from([b"application/json", b"application/json; charset=utf-8",
                                 b"APPLICATION/JSON", b"text/plain", b"", b"application/xml"])
METHODS = st.sampled_from(["GET", "PUT", "POST", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"])
AUTH = st.sampled_from(["right"] * 4 + ["missing", "wrong"])  # mostly past the gate, into the routes


@st.composite
def paths(draw: st.DrawFn, route: admin.Route, real_kinds: bool = False) -> tuple[str, str | None]:
    """A path for ``route`` (its placeholders filled, mostly with real names) and the kind in it."""
    parts: list[str] = []
    kind = None
    kinds = st.sampled_from(sorted(admin.KINDS))
    for segment in route.segments:
        if segment == "{kind}":
            kind = draw(kinds if real_kinds else st.one_of(kinds, kinds, st.text(min_size=1, max_size=8)))
            parts.append(kind)
        elif segment.startswith("{"):
            real = st.sampled_from(ITEMS.get(admin.KINDS.get(kind or "", ""), KNOWN_NAMES))
            parts.append(draw(st.one_of(real, real, real, st.sampled_from(KNOWN_NAMES),
                                        st.text(min_size=1, max_size=30))))
        else:
            parts.append(segment)
    return f"{ADMIN_PREFIX}/{'/'.join(parts)}", kind


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> EceApp:
    tmp: Path = tmp_path_factory.mktemp("admin-fuzz")
    return make_app(tmp, access.admin_access("0.0.0.0", TOKEN))


@pytest.mark.parametrize("route", admin.ROUTES, ids=[f"{r.method} {r.path}" for r in admin.ROUTES])
@SETTINGS
@given(data=st.data(), content_type=CONTENT_TYPES, auth=AUTH,
       chunks=st.lists(st.integers(1, 4096), max_size=4),
       same_method=st.integers(0, 4).map(bool))  # 4 in 5: the route's own method
def test_every_admin_route_survives_arbitrary_input(app: EceApp, route: admin.Route, data: st.DataObject,
                                                    content_type: bytes, auth: str, chunks: list[int],
                                                    same_method: bool) -> None:
    reset(app)
    if data.draw(st.booleans()):
        app.set_faults([faults.parse("capacity-500"), faults.parse("latency=5ms")])
    method = route.method if same_method else data.draw(METHODS)
    path, kind = data.draw(paths(route))
    body = data.draw(BODIES if kind is None else st.one_of(patches(kind).map(_encode), BODIES))
    headers = [(b"content-type", content_type)]
    if auth != "missing":
        headers.append(bearer(TOKEN if auth == "right" else TOKEN[:-1] + "X"))
    before = dump(app)

    answer = call(app, method, path, body=body, headers=headers, chunks=chunks)

    assert answer.status < 500, answer.body[:500]
    assert (answer.status == 401) == (auth != "right")
    assert answer.headers[b"content-type"] == b"application/json"
    # Strict JSON both ways: what the admin API says must parse anywhere, so no NaN or Infinity.
    payload = (json.loads(answer.body, parse_constant=_not_json) if method != "HEAD"
               else {"error": "(HEAD: no body)"})
    if answer.status >= 400:
        assert isinstance(payload["error"], str) and payload["error"]
        assert dump(app) == before, f"refused with {answer.status} yet changed: {payload}"
    elif method == "GET":
        assert dump(app) == before


FAULT_PARAMS = st.one_of(st.none(), st.text(max_size=12), st.sampled_from(
    ["50ms", "0", "-1", "nan", "inf", "1e309", "0.5", "2", "2@1", "1e400@1", "uniform:10ms-200ms",
     "uniform:200ms-10ms", "exp:50ms", "mix:2ms@90,10ms@8", "mix:2ms@0", "mix:", "1e308s"]))
FAULT_BODIES = st.builds(lambda name, param: {"fault": name if param is None else f"{name}={param}"},
                         st.sampled_from(sorted(faults.catalogue())) | st.text(max_size=8), FAULT_PARAMS)
CHANGE_ROUTES = [r for r in admin.ROUTES if r.method in admin.BODY_METHODS]


@pytest.mark.parametrize("route", CHANGE_ROUTES, ids=[f"{r.method} {r.path}" for r in CHANGE_ROUTES])
@SETTINGS
@given(data=st.data())
def test_a_refused_change_leaves_the_state_exactly_as_it_was(app: EceApp, route: admin.Route,
                                                             data: st.DataObject) -> None:
    """Well-formed, authorised JSON one step from valid, at each route that changes something: the
    deep checks (cross references, fault parameters) run, and a refusal must not leave half a change."""
    reset(app)
    path, kind = data.draw(paths(route, real_kinds=True))
    body = data.draw(patches(kind) if kind else st.one_of(state_mutations(), FAULT_BODIES))
    before = dump(app)

    answer = call(app, route.method, path, body=_encode(body), headers=[JSON, bearer(TOKEN)])

    assert answer.status < 500, answer.body[:500]
    json.loads(answer.body, parse_constant=_not_json)
    if answer.status >= 400:
        assert dump(app) == before, f"refused with {answer.status} yet changed: {answer.body[:300]!r}"


def test_the_typed_values_cover_every_scenario_key() -> None:
    """A key added to the scenario format gets its own edge values here, not only generic ones."""
    assert set(TYPED) == {key for spec in scenario.SPECS.values() for key in spec}
