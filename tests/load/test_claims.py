"""What the load engine claims (docs/load.md), proven by short real runs: every answer contract-checked,
latency from the scheduled send, and the accounting of late, unsent and unfinished page views.

Each run is a real `ecekit load` (locust in child processes) for a few seconds on loopback, against
the stub server (tests/load/stubserver.py), whose log is the truth of the same run, or the reference
server with a fault. Runs that do not time anything run side by side to keep the whole file short.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from ecekit import operations as ops
from ecekit.load import launch
from tests.load.harness import percentile, profile_file, run_locust, server_log, stub_server

pytestmark = [pytest.mark.slow, pytest.mark.timing]

CA, CE, CAP = ops.CHAT_ALLOWED.name, ops.CHECK_ELIGIBILITY.name, ops.CAPACITY.name


def profile(tmp: Path, name: str, *, calls: tuple[str, ...] = (CA,), timeout: float = 5.0,
            max_in_flight: int = 500) -> Path:
    text = f"timeout = {timeout}\nmax_in_flight = {max_in_flight}\nslo = []\n"
    text += '[arrivals]\nshape = "steady"\nrate = 10\nduration = 1\n'
    text += "".join(f'[[call]]\noperation = "{op}"\n' for op in calls)
    return profile_file(tmp, name, text)


def poisson_close(observed: float, expected: float, sds: float = 4.0) -> bool:
    """Within `sds` standard deviations of a Poisson count (plus one, for tiny counts)."""
    return abs(observed - expected) <= sds * expected ** 0.5 + 1


# -- every answer is contract-checked ------------------------------------------------------------------

def test_violations_by_check_under_load_and_errors_apart(tmp_path: Path) -> None:
    """Against eligibility-out-of-range (and capacity-500), every checkEligibility answer is a violation
    by check (xsd, semantics), every capacity answer a failure (http_500) only, chatAllowed clean."""
    from ecekit.server.embedded import running_server

    prof = profile(tmp_path, "three", calls=(CA, CE, CAP))
    with running_server(faults=["eligibility-out-of-range", "capacity-500"], subprocess=True) as srv:
        s = run_locust(srv.base_url, profile=prof, rate=20, duration=2, out=tmp_path / "out", seed=1)
    ops_ = s["operations"]
    assert s["schedule"]["page_views"] > 10
    ce = ops_[CE]
    assert ce["requests"] == s["schedule"]["page_views"]
    assert ce["contract_violations"] == ce["requests"] and ce["failures"] == 0
    assert ce["violations_by_check"]["xsd"] == ce["violations_by_check"]["semantics"] == ce["requests"]
    cap = ops_[CAP]
    assert cap["failures_by_kind"] == {"http_500": cap["requests"]} and cap["contract_violations"] == 0
    assert ops_[CA]["failures"] == ops_[CA]["contract_violations"] == 0
    assert s["total"]["contract_violations"] == ce["requests"]


# -- latency from the scheduled send -------------------------------------------------------------------

STALL_AT, STALL_FOR, RATE = 1.5, 1.0, 100


def test_a_stall_is_in_the_percentiles_and_every_visitor_still_arrives(tmp_path: Path) -> None:
    """Open model: during a 1 s stall visitors keep arriving at the offered rate, and the reported p99
    is the stall's, as the server's own log of the same run says."""
    prof = profile(tmp_path, "open", max_in_flight=1000)
    with stub_server("--stall", f"{STALL_AT}:{STALL_FOR}") as (base_url, log, _):
        s = run_locust(base_url, profile=prof, rate=RATE, duration=4, out=tmp_path / "out", seed=2)
    rows = server_log(log)[1:]  # the first is the stream's unrecorded warm-up call
    waits = [r[1] for r in rows if r[1] is not None]
    during = sum(1 for r in rows if STALL_AT <= r[0] < STALL_AT + STALL_FOR)
    assert s["total"]["requests"] == len(rows) == len(waits)
    assert s["total"]["failures"] == s["total"]["contract_violations"] == 0  # a clean run: no violation
    assert poisson_close(during, RATE * STALL_FOR), during  # nobody waited for the stall to end
    truth = percentile(waits, 99) * 1000
    reported = s["total"]["latency_ms"]["p99"]
    assert truth > 0.8 * STALL_FOR * 1000
    # the server cannot see the generator's own start lag, which is in the visitor's wait: allow it
    lag = s["schedule"]["lag_ms"]["p99"]
    assert abs(reported - truth) <= 0.1 * truth + 30 + lag, (reported, truth, lag)


def test_latency_runs_from_the_scheduled_send_not_the_actual_one(tmp_path: Path) -> None:
    """Two workers and a stall: the page views that arrived meanwhile wait for a worker, start late,
    and that wait is in their latency (timing from the actual send would hide it: coordinated omission)."""
    prof = profile(tmp_path, "tiny-pool", max_in_flight=2)
    with stub_server("--stall", f"{STALL_AT}:{STALL_FOR}") as (base_url, log, _):
        s = run_locust(base_url, profile=prof, rate=RATE, duration=4, out=tmp_path / "out", seed=3)
    rows = server_log(log)[1:]
    reached = sum(1 for r in rows if STALL_AT <= r[0] < STALL_AT + STALL_FOR)
    assert reached <= 2  # only the two workers' requests reached the server during the stall
    schedule = s["schedule"]
    late_expected = RATE * STALL_FOR  # every arrival of the stall waited for a worker
    assert schedule["sent_late"] >= 0.6 * late_expected, schedule
    assert schedule["unsent"] == schedule["unfinished"] == 0
    assert s["total"]["requests"] == schedule["page_views"] == len(rows)
    lat = s["total"]["latency_ms"]
    # ~25 % of requests waited uniformly up to 1 s: p95 near 0.8 s, p99 near 0.96 s
    assert lat["p99"] >= 0.8 * STALL_FOR * 1000, lat
    assert lat["p95"] >= 0.6 * STALL_FOR * 1000, lat
    assert schedule["lag_ms"]["max"] >= 0.8 * STALL_FOR * 1000


# -- accounting: unsent, unfinished, the hard cap and the summary on SIGTERM ---------------------------

# The hard cap counts from the launch, locust's start-up included (a few seconds on a busy machine):
# twice that leaves seconds of arrivals before the cap whatever the machine is doing.
HARD_CAP_S = 12.0


def _hung_runs(tmp: Path) -> dict[str, Any]:
    """Three runs against servers that answer nothing (after the warm-up call): two side by side, then
    the capped one alone, as its cap counts from the launch (locust's start-up included), and three
    locust processes starting at once beside a busy machine's others could use up the whole cap."""
    two_calls = profile(tmp, "two-calls", calls=(CA, CAP), timeout=1.5)
    one_worker = profile(tmp, "one-worker", timeout=1.0, max_in_flight=1)
    long_run = profile(tmp, "long", timeout=1.0)

    def run(name: str, prof: Path, duration: float, hard_cap_s: float | None = None) -> dict[str, Any]:
        with stub_server("--silent-after", "1") as (base_url, log, _):
            summary = run_locust(base_url, profile=prof, rate=20, duration=duration, out=tmp / name, seed=4,
                               hard_cap_s=hard_cap_s)
        summary["server_rows"] = server_log(log)[1:]
        return summary

    with ThreadPoolExecutor(2) as pool:
        futures = {"unfinished": pool.submit(run, "unfinished", two_calls, 2.0),
                   "unsent": pool.submit(run, "unsent", one_worker, 2.0)}
        runs = {name: f.result() for name, f in futures.items()}
    return {**runs, "capped": run("capped", long_run, 60.0, HARD_CAP_S)}


@pytest.fixture(scope="module")
def hung(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return _hung_runs(tmp_path_factory.mktemp("hung"))


def test_unfinished_page_views_are_counted_and_failed(hung: dict[str, Any]) -> None:
    """Two calls of 1.5 s each (timeouts) and a drain of 1.5 s (+1): page views that arrived in the last
    half second still have their second call in flight when the drain ends."""
    s = hung["unfinished"]
    schedule, total = s["schedule"], s["total"]
    assert schedule["unsent"] == 0
    assert 1 <= schedule["unfinished"] < schedule["page_views"]
    assert total["failures_by_kind"]["unfinished"] == schedule["unfinished"]
    assert total["failures_by_kind"]["timeout"] == total["requests"] - schedule["unfinished"]
    assert total["failures"] == total["requests"] and total["contract_violations"] == 0
    assert len(s["server_rows"]) == total["requests"]  # every request reached the server
    assert s["slo"]["passed"] is True  # nothing asked for (slo = []): the counts are what is proven


def test_a_pool_too_small_for_the_rate_leaves_page_views_unsent(hung: dict[str, Any]) -> None:
    """One worker, a server that never answers, 1 s timeouts: the worker makes a page view a second;
    the rest of the ~40 arrivals could not start before the run's end and are unsent, not lost."""
    s = hung["unsent"]
    schedule = s["schedule"]
    assert 1 <= schedule["page_views"] <= 4
    assert schedule["sent_late"] >= 1
    assert schedule["unsent"] >= 20
    assert poisson_close(schedule["page_views"] + schedule["unsent"], 20 * 2.0)
    assert s["total"]["requests"] == schedule["page_views"] == len(s["server_rows"])


def test_the_hard_cap_stops_a_run_and_the_summary_is_written_on_sigterm(hung: dict[str, Any]) -> None:
    """A 60 s run capped at 12 s: the launcher's SIGTERM ends it, and the summary of what was done by
    then is still written (within the grace the launcher gives it before SIGKILL)."""
    s = hung["capped"]
    assert s["elapsed_s"] < HARD_CAP_S + launch.TERM_GRACE_S
    assert s["duration_s"] == 60.0
    assert s["schedule"]["page_views"] >= 10
    assert s["total"]["requests"] == s["schedule"]["page_views"]
    # those cut off at SIGTERM are unfinished; some of them had not reached the server yet
    assert s["schedule"]["unfinished"] >= 1
    assert s["total"]["requests"] - s["schedule"]["unfinished"] <= len(s["server_rows"]) <= s["total"]["requests"]
