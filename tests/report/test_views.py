"""What each report shows, from hand-made run JSON, in process: the verdict, the title, the grid, what
broke, the series the charts draw. The page and summary.md both read these views."""

from __future__ import annotations

from typing import Any

import pytest

from ecekit.report import html, views
from ecekit.report.views import NONE


def _result(op: str, ep: str | None, check: str, outcome: str, **more: Any) -> dict[str, Any]:
    return {"operation": op, "entry_point": ep, "check": check, "test_check": check, "outcome": outcome,
            "headline": f"{check} on {op}" if outcome == "failed" else "", **more}


CHECK_RUN = {"results": [
    _result("capacity", "1001", "xsd", "passed"), _result("capacity", "1002", "xsd", "failed"),
    _result("capacity", "1001", "status_code", "passed"),
    _result("checkEligibility", "1001", "semantics", "failed"),
    _result("agentAvailability", "1001", "xsd", "skipped"),
    _result("capacity", "1001", "consistency", "passed"),  # not in the grid: an "other"
    _result("survey", None, "survey", "error"),
], "target": {"base_url": "http://ece/system", "faults": ["capacity-500"], "entry_points": ["1001", "1002"],
              "headers": {"Authorization": "<redacted>"}, "insecure": True},
   "ecekit_version": "9.9", "seed": 7, "xsd": {"hashes": {"b.xsd": "bb", "a.xsd": "aa"}}}


def test_check_verdict_title_and_totals() -> None:
    view = views.check(CHECK_RUN)
    assert view["verdict"] == "failed"
    assert view["title"] == "ecekit check: FAILED (3 of 7)"
    assert view["totals"] == {"passed": 3, "failed": 2, "skipped": 1, "error": 1}
    assert view["summary"] == "1 error, 2 failed, 3 passed, 1 skipped"
    assert [r["anchor"] for r in view["failures"]] == ["f0", "f1", "f2"]


def test_check_grid_rows_in_the_guides_order_with_a_column_per_check() -> None:
    view = views.check(CHECK_RUN)
    assert view["checks"] == ["xsd", "status_code", "semantics"]
    keys = [(r["operation"], r["entry_point"]) for r in view["rows"]]
    assert keys == [("agentAvailability", "1001"), ("capacity", "1001"), ("capacity", "1002"),
                    ("checkEligibility", "1001")]
    cap_1001 = view["rows"][1]
    assert [c["outcome"] for c in cap_1001["cells"]] == ["passed", "passed", "none"]
    assert [c["mark"] for c in cap_1001["cells"]] == ["\u2713", "\u2713", ""]
    assert cap_1001["failed"] is False and view["rows"][2]["failed"] is True
    assert view["rows"][2]["cells"][0] == {"outcome": "failed", "mark": "\u2717", "title": "xsd on capacity",
                                           "anchor": "f0"}
    assert view["rows"][0]["cells"][0]["mark"] == NONE  # skipped
    assert [o["check"] for o in view["others"]] == ["consistency", "survey"]


def test_check_what_broke_grouped_by_check_then_operation() -> None:
    run = {"results": [_result("capacity", "1002", "xsd", "failed"), _result("capacity", "1001", "xsd", "failed"),
                       _result("chatAllowed", "1001", "xsd", "failed"),
                       _result("checkEligibility", "1001", "semantics", "failed")]}
    broken = views.check(run)["broken"]
    assert [(b["check"], b["operation"], b["count"], b["entry_points"]) for b in broken] == [
        ("semantics", "checkEligibility", 1, ["1001"]), ("xsd", "capacity", 2, ["1001", "1002"]),
        ("xsd", "chatAllowed", 1, ["1001"])]
    assert broken[1]["headline"] == "xsd on capacity" and broken[1]["anchor"] == "f0"


def test_check_passed_and_nothing_checked() -> None:
    passed = views.check({"results": [_result("capacity", "1001", "xsd", "passed"),
                                      _result("capacity", "1001", "semantics", "skipped")]})
    assert (passed["verdict"], passed["title"]) == ("passed", "ecekit check: passed (1 passed, 1 skipped)")
    nothing = views.check({"results": [_result("capacity", "1001", "xsd", "skipped")]})
    assert (nothing["verdict"], nothing["title"]) == ("nothing checked", "ecekit check: nothing could be checked")
    assert views.check({})["verdict"] == "nothing checked"


def test_meta_rows_say_what_was_tested_without_secrets() -> None:
    rows = dict(views.check(CHECK_RUN)["meta"])
    assert rows["target"] == "http://ece/system"
    assert rows["faults"] == "capacity-500" and rows["entry points"] == "1001, 1002"
    assert rows["extra headers"] == "Authorization: <redacted>"
    assert rows["TLS"] == "certificate verification OFF (--insecure)"
    assert (rows["ecekit"], rows["seed"]) == ("9.9", "7")
    assert [k for k, _ in views.check(CHECK_RUN)["meta"] if k.startswith("xsd")] == ["xsd a.xsd", "xsd b.xsd"]
    assert rows["xsd a.xsd"] == "sha256 aa"
    assert dict(views.check({"results": [], "target": {"entry_points": ["1"]}})["meta"])["target"] == \
        "embedded reference server"


WINDOWS = [{"t": 0, "started": 5, "sent_late": 1, "unsent": 0, "failures_by_kind": {"timeout": 2},
            "violations_by_check": {"xsd": 1},
            "ops": {"capacity": {"requests": 10, "p50": 5, "p95": 9, "p99": 12},
                    "checkEligibility": {"requests": 4, "p50": 3}}},
           {"t": 2, "started": 6, "sent_late": 0, "unsent": 2, "ops": {"capacity": {"requests": 8, "p50": 6}}}]


def _load(passed: bool, checks: list[dict[str, Any]], requests: int = 10, **more: Any) -> dict[str, Any]:
    return {"offered_rate": 20, "slo": {"passed": passed, "checks": checks}, "total": {"requests": requests},
            **more}


def test_load_verdicts_and_titles() -> None:
    held = [{"name": "p95", "limit": 50, "passed": True}]
    breached = [*held, {"name": "errors", "limit": 1, "unit": "%", "passed": False}]
    ok = views.load(_load(True, held))
    assert (ok["verdict"], ok["title"]) == ("passed", "ecekit load: SLOs held at 20 page views/s")
    bad = views.load(_load(False, breached))
    assert (bad["verdict"], bad["title"]) == ("failed", "ecekit load: SLO BREACHED at 20 page views/s")
    assert [c["name"] for c in bad["breached"]] == ["errors"]
    failed_otherwise = views.load(_load(False, held))
    assert failed_otherwise["title"] == "ecekit load: failed at 20 page views/s"
    empty = views.load(_load(True, held, requests=0))
    assert (empty["verdict"], empty["title"]) == ("nothing checked",
                                                  "ecekit load: nothing checked at 20 page views/s")
    assert views.load({})["title"] == "ecekit load: nothing checked at ? page views/s"


def test_load_operations_in_the_guides_order_and_the_meta() -> None:
    data = _load(True, [], operations={"survey": {"requests": 1}, "capacity": {"requests": 2},
                                       "zzz": {"requests": 3}, "agentAvailability": {"requests": 4}},
                 profile="status-page", latency_measured_from="scheduled time", base_url="http://x/system",
                 entry_points=["1001"])
    view = views.load(data)
    assert [o["name"] for o in view["ops"]] == ["agentAvailability", "capacity", "survey", "zzz"]
    assert view["ops"][1] == {"name": "capacity", "requests": 2}
    meta = dict(view["meta"])
    assert meta["profile"] == "status-page" and meta["offered rate"] == "20 page views/s"
    assert meta["latency measured from"] == "scheduled time"
    assert meta["target"] == "http://x/system" and meta["entry points"] == "1001"


def test_load_chart_series_per_window() -> None:
    slos = [{"name": "capacity.p95", "limit": 40}, {"name": "errors", "limit": 1, "unit": "%"},
            {"name": "p99", "limit": 90, "unit": "ms"}]
    chart = views.load(_load(True, slos, windows=WINDOWS))["chart_data"]
    assert chart["x"] == [0, 2]
    assert chart["throughput"] == {"capacity": [5.0, 4.0], "checkEligibility": [2.0, None]}
    assert chart["p50"] == {"capacity": [5, 6], "checkEligibility": [3, None]}
    assert chart["p95"]["capacity"] == [9, None]
    assert chart["failures"] == {"timeout": [2, 0]} and chart["violations"] == {"xsd": [1, 0]}
    assert chart["schedule"] == {"started": [5, 6], "sent late": [1, 0], "unsent": [0, 2]}
    assert chart["slo_lines"] == [{"name": "capacity.p95", "limit": 40}, {"name": "p99", "limit": 90}]
    one = views.load(_load(True, [], windows=[{**WINDOWS[0], "width_s": 4}]))["chart_data"]
    assert one["throughput"]["capacity"] == [2.5]
    assert views.load(_load(True, []))["chart_data"] == {}


def test_fuzz_verdicts_and_families() -> None:
    failing = views.fuzz({"failures": [{"kind": "crash"}], "examples": 60, "requests": 70,
                          "families": {"b": {"examples": 3, "failing": 1}, "a": {"examples": 5}}})
    assert (failing["verdict"], failing["title"]) == ("failed", "ecekit fuzz: 1 distinct failure(s)")
    assert [f["name"] for f in failing["families"]] == ["a", "b"]
    assert failing["chart_data"] == {"families": ["a", "b"], "tried": [5, 3], "failed": [0, 1]}
    assert dict(failing["meta"])["requests"] == "70"
    clean = views.fuzz({"examples": 60, "findings": [{"family": "f", "description": "d"}]})
    assert (clean["verdict"], clean["title"]) == ("passed", "ecekit fuzz: no failure in 60 examples")
    assert clean["findings"][0]["check"] == "survey_lenient" and clean["findings"][0]["message"] == "f: d"
    assert clean["chart_data"] == {}
    assert views.fuzz({})["verdict"] == "nothing checked"


def test_capacity_view_and_the_usl_curve() -> None:
    data = {"max_sustainable_rate": 100.0, "limited_by": "server", "knee": {"rate": 80.0},
            "steps": [{"rate": 150, "achieved_rps": 100, "p50": 20, "error_rate": 0.5, "passed": False},
                      {"rate": 50, "achieved_rps": 50, "p50": 10, "error_rate": None, "passed": True}],
            "usl": {"lambda": 10.0, "sigma": 0.0, "kappa": 0.0},
            "slo": {"checks": [{"name": "p95", "limit": 50}, "junk"]}}
    view = views.capacity(data)
    assert view["title"] == "ecekit capacity: 100 page views/s within the SLO (limited by server)"
    assert view["verdict"] == "passed" and view["knee"] == "80.0 page views/s"
    chart = view["chart_data"]
    assert chart["rate"] == [50, 150] and chart["error_rate"] == [None, 50.0]
    assert chart["passed"] == [True, False] and chart["knee"] == 80.0 and chart["best"] == 100.0
    assert chart["slo_lines"] == [{"name": "p95", "limit": 50}]
    curve = chart["usl"]["curve"]
    # N = X * mean latency: 50/s * 10 ms = 0.5, 100/s * 20 ms = 2; with no contention X = lambda * N
    assert curve["measured"][curve["concurrency"].index(0.5)] == 50.0
    assert curve["measured"][curve["concurrency"].index(2.0)] == 100.0
    assert all(m == round(10.0 * n, 3) for n, m in zip(curve["concurrency"], curve["model"], strict=True))
    assert max(curve["concurrency"]) == pytest.approx(2.4)
    none = views.capacity({"steps": [], "knee": 70})
    assert (none["verdict"], none["title"]) == ("failed", "ecekit capacity: no rate held the SLO")
    assert none["knee"] == "70 page views/s" and none["chart_data"]["usl"] == {"curve": {}}
    assert views.capacity({"knee": {"rate": 5, "description": "where it bends"}})["knee"] == "where it bends"


def test_usl_curve_reaches_past_a_peak_beyond_the_measured_points() -> None:
    steps = [{"concurrency": 2.0, "achieved_rps": 18.0}]
    curve = views.usl_curve({"lam": 10.0, "alpha": 0.05, "beta": 0.01, "n_peak": 3.0}, steps, points=4)
    assert max(curve["concurrency"]) == pytest.approx(3.0 * 1.5 * 1.2)
    assert curve["measured"][curve["concurrency"].index(2.0)] == 18.0
    n = curve["concurrency"][0]
    assert curve["model"][0] == round(10.0 * n / (1 + 0.05 * (n - 1) + 0.01 * n * (n - 1)), 3)
    assert views.usl_curve({"lambda": 1.0, "sigma": 0.1}, steps) == {}  # no kappa
    assert views.usl_curve({"lambda": 1.0, "sigma": 0.1, "kappa": 0.0}, []) == {}


def test_diff_view_groups_lines_and_decides_the_verdict() -> None:
    changes = [
        {"severity": "breaking", "operation": "capacity", "field": "count", "kind": "type_changed",
         "entry_point": "1001", "before": 4, "after": "four"},
        {"severity": "breaking", "operation": "capacity", "field": "count", "kind": "type_changed",
         "entry_point": "1002", "before": 4, "after": "four"},
        {"severity": "slower", "operation": "capacity", "field": "", "kind": "latency", "detail": "p95 10 -> 30 ms"},
        {"severity": "compatible", "operation": "chatAllowed", "field": "allowed", "kind": "value_changed",
         "entry_point": "1001", "before": True, "after": None},
    ]
    data = {"changes": changes, "counts": {"breaking": 2, "slower": 1, "compatible": 1}, "a": "A.json", "b": "B.json",
            "latency_tolerance": 0.5}
    view = views.diff(data)
    assert view["verdict"] == "failed" and view["title"] == "ecekit diff: 2 breaking, 1 slower, 1 compatible"
    (breaking,) = view["lines"]["breaking"]
    assert breaking["entry_points"] == ["1001", "1002"] and breaking["what"] == "4 → four"
    assert view["lines"]["slower"][0]["what"] == "p95 10 -> 30 ms"
    assert view["lines"]["compatible"][0]["what"] == "true → (none)"
    assert dict(view["meta"]) == {"A": "A.json", "B": "B.json", "latency tolerance": "0.5"}
    slower_only = {"changes": changes[2:3], "counts": {"slower": 1}}
    assert views.diff(slower_only)["verdict"] == "passed"
    assert views.diff({**slower_only, "fail_on_slower": True})["verdict"] == "failed"
    assert views.diff({})["title"] == "ecekit diff: no differences"


def test_diff_lines_list_differing_values_per_entry_point() -> None:
    changes = [{"severity": "breaking", "operation": "capacity", "field": "count", "kind": "value_changed",
                "entry_point": str(ep), "before": 1, "after": ep} for ep in range(5)]
    (line,) = views.diff_lines(changes)
    assert line["what"] == "0: 1 → 0; 1: 1 → 1; 2: 1 → 2; +2 more"
    assert views.change_text({"kind": "xsd_element_removed", "detail": "d"}) == "d"
    assert views.change_text({"kind": "xsd_element_removed"}) == "(none) → (none)"
    assert views.change_text({"kind": "value_changed", "detail": "d", "before": False, "after": 0}) == "false → 0"


@pytest.mark.parametrize("kind", html.KINDS)
def test_every_kind_renders_a_page_from_empty_json(kind: str) -> None:
    page = html.render(kind, {})
    assert page.startswith("<!DOCTYPE html>") or page.lstrip().lower().startswith("<!doctype html>")
    assert "uPlot" in page
    with pytest.raises(ValueError, match="no report for 'nope'"):
        html.render("nope", {})


def test_fuzz_counts_default_to_zero_and_keys_are_what_the_page_reads() -> None:
    view = views.fuzz({"families": {"a": {"failing": 2}}, "failures": [{"kind": "x"}]})
    assert dict(view["meta"]) == {"examples": "0", "requests": "0"}
    assert view["failures"] == [{"kind": "x"}] and view["families"] == [{"name": "a", "failing": 2}]
    assert view["chart_data"]["tried"] == [0]
    assert views.fuzz({"examples": 0, "failures": []})["verdict"] == "nothing checked"
    assert views.fuzz({})["title"] == "ecekit fuzz: no failure in 0 examples"


def test_unknown_operations_sort_after_the_guides_by_name() -> None:
    assert views._op_key("agentAvailability") < views._op_key("survey") < views._op_key("aaa") < views._op_key("zzz")
    assert views._op_key("aaa") == (99, "aaa")


def test_check_view_passes_findings_and_warnings_to_the_page() -> None:
    data = {"results": [{"operation": "capacity", "entry_point": "1", "check": "xsd", "outcome": "error"}],
            "findings": [{"check": "survey_lenient"}], "warnings": ["--insecure"]}
    view = views.check(data)
    assert view["findings"] == [{"check": "survey_lenient"}] and view["warnings"] == ["--insecure"]
    assert view["chart_data"] == {} and view["rows"][0]["failed"] is True
    assert view["broken"][0]["headline"] == "" and view["broken"][0]["operation"] == "capacity"
    assert views.check({"results": [{"outcome": "failed"}]})["broken"][0]["check"] == "error"
    assert views.check({"results": [{"outcome": "failed"}]})["broken"][0]["operation"] == ""
    assert views.check({"results": [{}]})["totals"] == {"?": 1}


def test_the_grid_column_is_the_check_the_test_exists_for() -> None:
    data = {"results": [
        {"operation": "capacity", "entry_point": "1", "test_check": "xsd", "check": "semantics", "outcome": "failed"},
        {"operation": "capacity", "entry_point": "1", "check": "status_code", "outcome": "passed"},
        {"operation": "agentAvailability", "entry_point": "2", "check": "xsd", "outcome": "passed"},
        {"operation": "agentAvailability", "entry_point": "1", "check": "xsd", "outcome": "passed"}]}
    view = views.check(data)
    assert view["checks"] == ["xsd", "status_code"]
    assert [(r["operation"], r["entry_point"]) for r in view["rows"]] == [
        ("agentAvailability", "1"), ("agentAvailability", "2"), ("capacity", "1")]
    assert view["rows"][0]["cells"][1] == {"outcome": "none", "mark": "", "title": "", "anchor": None}
    broken = views.check({"results": [
        {"check": "xsd", "operation": "survey", "outcome": "failed"},
        {"check": "xsd", "operation": "capacity", "outcome": "failed"},
        {"check": "a", "operation": "survey", "outcome": "failed"}]})["broken"]
    assert [(b["check"], b["operation"]) for b in broken] == [("a", "survey"), ("xsd", "capacity"), ("xsd", "survey")]


def _load5(**more: Any) -> dict[str, Any]:
    return {"offered_rate": 5, "total": {"requests": 1}, **more}


def test_load_view_passes_every_section_to_the_page() -> None:
    view = views.load(_load5(schedule={"page_views": 3}, outcomes={"w": {}}, profile="p",
                            target={"base_url": "http://t/system"}, base_url="http://other/"))
    assert view["schedule"] == {"page_views": 3} and view["outcomes"] == {"w": {}}
    assert dict(view["meta"])["target"] == "http://t/system"
    assert view["verdict"] == "passed" and view["slos"] == [] and view["breached"] == []
    bare = views.load(_load5())
    assert bare["schedule"] == {} and bare["outcomes"] == {}
    meta = dict(bare["meta"])
    assert meta["profile"] == views.NONE and meta["latency measured from"] == ""
    assert dict(views.load({"total": {"requests": 1}})["meta"])["offered rate"] == "? page views/s"


def test_load_chart_latency_lines_only_for_millisecond_percentiles() -> None:
    slos = [{"name": "p95", "limit": 1, "unit": "%"}, {"name": "capacity.max", "limit": 9},
            {"name": "errors", "limit": 1}, {"limit": 3}, {"name": "x.p50", "limit": 4, "unit": "ms"}]
    windows = [{"t": 0, "ops": {"survey": {"requests": 3, "p99": 7}, "capacity": {"requests": 1}}}]
    chart = views.load(_load5(slo={"passed": True, "checks": slos}, windows=windows))["chart_data"]
    assert chart["slo_lines"] == [{"name": "x.p50", "limit": 4}]
    assert list(chart["p99"]) == ["capacity", "survey"] and chart["p99"]["survey"] == [7]
    assert chart["throughput"]["survey"] == [3.0]  # one window without width_s: 1 s wide
    assert chart["schedule"] == {"started": [0], "sent late": [0], "unsent": [0]}
    third = views.load(_load5(windows=[{"t": 0, "ops": {"capacity": {"requests": 1}}},
                                      {"t": 3, "ops": {"capacity": {"requests": 1}}}]))["chart_data"]
    assert third["throughput"]["capacity"] == [0.333, 0.333]
    late = views.load(_load5(windows=[{"t": 10, "ops": {"capacity": {"requests": 4}}},
                                     {"t": 12, "ops": {"capacity": {"requests": 4}}}]))["chart_data"]
    assert late["throughput"]["capacity"] == [2.0, 2.0]


def test_load_without_slo_data_holds() -> None:
    view = views.load(_load5())
    assert view["verdict"] == "passed" and view["title"].startswith("ecekit load: SLOs held")


def _visitor_window(t: int, page_views: int, available: float, error: float, ever_error: float) -> dict[str, Any]:
    return {"t": t, "page_views": page_views, "ever_error": ever_error,
            "first_state": {"available": available, "unavailable": 0.0, "busy": 0.0, "closed": 0.0, "error": error}}


VISITOR_WINDOWS = [_visitor_window(0, 40, 1.0, 0.0, 0.0), _visitor_window(10, 50, 0.9, 0.1, 0.12),
                   _visitor_window(20, 0, 0.0, 0.0, 0.0), _visitor_window(30, 10, 0.5, 0.5, 0.5)]


def test_load_outcome_chart_series_are_the_windows_shares() -> None:
    outcomes = {"chat": {"page_views": 100, "first_state": {"available": 0.85}, "ever_error": 0.11,
                         "windows": VISITOR_WINDOWS, "window_s": 10},
                "short": {"page_views": 3, "windows": VISITOR_WINDOWS[:1], "window_s": 10},
                "old": {"page_views": 3}, "junk": "not a widget"}
    view = views.load(_load5(outcomes=outcomes))
    (chart,) = view["chart_data"]["outcomes"]
    assert chart["widget"] == "chat" and chart["x"] == [0, 10, 20, 30] and chart["window_s"] == 10
    # a window without page views is a gap, not a fall to 0 %; states never seen are left out
    assert chart["first_state"] == {"available": [1.0, 0.9, None, 0.5], "error": [0.0, 0.1, None, 0.5]}
    assert chart["ever_error"] == [0.0, 0.12, None, 0.5]
    assert view["outcome_charts"] == {"chat": 0}
    page = html.render("load", _load5(outcomes=outcomes))
    assert page.count('id="c-outcomes-') == 1 and 'id="c-outcomes-0"' in page
    assert page.index("<h3>chat") < page.index('id="c-outcomes-0"') < page.index("<h3>short")


def test_a_load_run_without_outcomes_over_time_has_no_outcome_chart() -> None:
    for outcomes in (None, {}, {"chat": {"page_views": 1, "windows": VISITOR_WINDOWS[:1]}}):
        view = views.load(_load5(outcomes=outcomes, windows=WINDOWS))
        assert "outcomes" not in view["chart_data"] and view["outcome_charts"] == {}
        assert view["chart_data"]["x"] == [0, 2]
        assert 'id="c-outcomes-' not in html.render("load", _load5(outcomes=outcomes, windows=WINDOWS))
    # outcomes over time but no request windows: still said to be an older run's
    page = html.render("load", _load5(outcomes={"chat": {"windows": VISITOR_WINDOWS}}))
    assert "no per-window data" in page and 'id="c-outcomes-0"' in page
