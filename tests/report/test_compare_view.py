"""The compare report from hand-made compare.json (the shape `ecekit compare` writes), in process:
every field reaches the page, each verdict its colour, the notes that qualify a verdict, the
distributions on a quantile scale, and the capacity variant."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from ecekit.report import html, markdown, publish, views
from ecekit.report.views import NONE
from tests.report.helpers import COMPARE, COMPARE_CAPACITY, PERCENTILES


def _banner(page: str) -> str:
    found = re.search(r'<div class="banner ([^"]+)" id="verdict">\s*(.*?)\s*</div>', page, re.S)
    assert found is not None
    return f"{found.group(1)}: {found.group(2)}"


def test_compare_view_shows_both_sides_every_row_and_its_decide() -> None:
    view = views.compare(COMPARE)
    assert view["title"] == "ecekit compare: slower (runs/a \u2192 runs/b)"
    assert (view["verdict"], view["tone"], view["capacity"]) == ("slower", "bad", False)
    assert view["sides"] == [("run", "runs/a", "runs/b"), ("runs", "5", "4"), ("profile", "one-call", "one-call"),
                             ("offered rate (page views/s)", "200", "200"), ("duration (s)", "10", "10")]
    assert dict(view["meta"]) == {"margin (smaller changes are the same)": "10 % relative, 0.1 ms absolute, "
                                  "0.1 pp error rate", "run-to-run noise": "measured"}
    assert view["notes"] == ["after ran 4 runs, before 5"]
    chat, total = view["operations"]  # the guide's operations first, the total last
    assert (chat["name"], total["name"]) == ("chatAllowed", "total")
    assert (chat["verdict"], chat["tone"], chat["requests"]) == ("slower", "bad", ("9000", "9100"))
    assert chat["rows"][0] == {"metric": "p50", "before": "2.100 ms", "after": "3.100 ms",
                               "change": "+1.000 ms (+47.6 %)", "ci95": "[0.800, 1.200] ms", "margin": "\u00b10.210 ms",
                               "verdict": "slower",
                               "tone": "bad", "decide": ""}
    assert chat["rows"][2]["decide"] == "about 12 runs a side would decide"
    assert (chat["rows"][2]["ci95"], chat["rows"][2]["tone"]) == ("[-0.200, 2.200] ms", "unsure")
    assert chat["rows"][3] == {"metric": "error rate", "before": "0.00 %", "after": "0.10 %", "change": "+0.10 pp",
                               "ci95": "[0.00, 0.20] pp", "margin": "\u00b10.10 pp", "verdict": "same", "tone": "same",
                               "decide": ""}
    assert [r["metric"] for r in total["rows"]] == ["p50", "p95", "p99", "error rate"]
    assert view["outcomes"] == [{"widget": "chat", "rows": [
        {"metric": "ever error", "before": "0.00 %", "after": "0.00 %", "change": "+0.00 pp",
         "ci95": "[-0.10, 0.10] pp", "margin": NONE, "verdict": "same", "tone": "same", "decide": ""}]}]


def test_what_visitors_saw_shows_the_first_state_time_as_latency_and_errors_as_shares() -> None:
    data = copy.deepcopy(COMPARE)
    data["outcomes"]["chat"]["p95"] = {"before_ms": 12.1, "after_ms": 12.6, "change_ms": 0.5, "change_pct": 4.4,
                                       "ci95_ms": [-1.9, 3.0], "margin_ms": 1.2, "verdict": "inconclusive",
                                       "decide": "about 8 runs a side would decide"}
    data["outcomes"]["chat"]["distribution"] = COMPARE["operations"]["chatAllowed"]["distribution"]
    rows = views.compare(data)["outcomes"][0]["rows"]
    assert [r["metric"] for r in rows] == ["ever error", "first state p95"]  # no row for the chart's data
    assert (rows[1]["before"], rows[1]["ci95"], rows[1]["decide"]) == ("12.100 ms", "[-1.900, 3.000] ms",
                                                                      "about 8 runs a side would decide")


def test_the_distributions_are_drawn_on_a_quantile_scale() -> None:
    view = views.compare(COMPARE)
    first, second = view["chart_data"]["distributions"]
    assert (first["name"], second["name"]) == ("chatAllowed", "total")
    assert [op["chart"] for op in view["operations"]] == [0, 1]
    dist = COMPARE["operations"]["chatAllowed"]["distribution"]
    assert first["percentiles"] == PERCENTILES
    assert first["before"] == dist["before_ms"] and first["after"] == dist["after_ms"]
    at = dict(zip(first["percentiles"], first["x"], strict=True))
    assert (at[90], at[99], at[99.9]) == (1.0, 2.0, 3.0)  # p90, p99, p99.9 one step apart
    assert at[50] == pytest.approx(0.30103) and first["x"] == sorted(first["x"])
    odd = copy.deepcopy(COMPARE)
    odd["operations"]["total"]["distribution"] = {"percentiles": [0, 50, 100, 99], "before_ms": [1, 2, 3, 4],
                                                  "after_ms": [1, None, 3, "x"]}
    del odd["operations"]["chatAllowed"]["distribution"]
    (only,) = views.compare(odd)["chart_data"]["distributions"]
    assert only["percentiles"] == [50, 99] and only["before"] == [2, 4] and only["after"] == [None, None]
    assert [op["chart"] for op in views.compare(odd)["operations"]] == [None, 0]


def test_the_page_shows_every_field_and_a_chart_per_operation() -> None:
    page = html.render("compare", COMPARE)
    assert _banner(page) == "bad: SLOWER: runs/a \u2192 runs/b"
    view = views.compare(COMPARE)
    for op in view["operations"]:
        for r in op["rows"]:
            cells = [r["metric"], r["before"], r["after"], r["change"], r["ci95"], r["margin"]]
            assert "</td><td class=\"num\">".join(cells[1:]) in page, cells
            assert f'<td class="tone-{r["tone"]}">{r["verdict"]}</td>' in page
    assert "<td class=\"muted\">about 12 runs a side would decide</td>" in page
    assert page.count("<th>to decide</th>") == 1  # only where a row has one
    assert '<div class="warning">after ran 4 runs, before 5</div>' in page
    assert 'id="c-dist-0"' in page and 'id="c-dist-1"' in page
    assert "<h3>chat</h3>" in page and "[-0.10, 0.10] pp" in page
    for label, before, after in view["sides"]:
        assert f"<tr><td>{label}</td><td>{before}</td><td>{after}</td></tr>" in page


@pytest.mark.parametrize(("verdict", "colour"), [("slower", "bad"), ("faster", "good"), ("same", "same"),
                                                 ("inconclusive", "unsure"), ("something new", "unsure")])
def test_each_verdict_has_its_colour(verdict: str, colour: str) -> None:
    page = html.render("compare", {**COMPARE, "verdict": verdict})
    assert _banner(page).startswith(f"{colour}: {verdict.upper()}:")


def test_one_run_a_side_is_said_to_leave_the_noise_unmeasured_once() -> None:
    alone = views.compare({**COMPARE, "between_runs": False})
    assert alone["notes"] == ["after ran 4 runs, before 5", views.NOT_BETWEEN_RUNS]
    assert dict(alone["meta"])["run-to-run noise"] == "not measured (one run a side)"
    assert "run-to-run noise not measured" in html.render("compare", {**COMPARE, "between_runs": False})
    lead = "one run a side: run-to-run noise is not measured, so no change is called slower or faster"
    said = views.compare({**COMPARE, "between_runs": False, "notes": [lead]})
    assert said["notes"] == [lead]
    assert views.compare({**COMPARE, "notes": []})["notes"] == []


def test_the_capacity_variant_shows_both_brackets() -> None:
    view = views.compare(COMPARE_CAPACITY)
    assert view["title"] == "ecekit compare: capacity moved down (400 page views/s \u2192 200 page views/s)"
    assert (view["verdict"], view["tone"], view["capacity"]) == ("moved down", "bad", True)
    assert view["sides"] == [("max sustainable rate", "400 page views/s", "200 page views/s"),
                             ("bracket (page views/s)", "held 400, breached at 800", "held 200, breached at 400"),
                             ("limited by", "server", "server"), ("run", "runs/cap-a", "runs/cap-b")]
    assert view["chart_data"] == {"capacity": {"held": [400.0, 200.0], "breached": [800.0, 400.0]}}
    assert view["notes"] == COMPARE_CAPACITY["notes"]
    page = html.render("compare", COMPARE_CAPACITY)
    assert _banner(page) == "bad: CAPACITY MOVED DOWN: 400 page views/s \u2192 200 page views/s"
    assert 'id="c-capacity"' in page and "held 200, breached at 400" in page
    up = views.compare({**COMPARE_CAPACITY, "verdict": "moved up",
                        "after": {"max_sustainable_rate": 800.0, "bracket": [800.0, None]}})
    assert up["tone"] == "good" and up["sides"][1][2] == "held 800, no rate breached"
    assert up["chart_data"]["capacity"] == {"held": [400.0, 800.0], "breached": [800.0, None]}
    none = views.compare({"kind": "compare-capacity", "before": {"bracket": [None, 50.0]}})
    assert none["sides"][0] == ("max sustainable rate", "none held", "none held")
    assert none["sides"][1] == ("bracket (page views/s)", "no rate held, breached at 50",
                                "no rate held, no rate breached")
    assert none["tone"] == "unsure" and views.compare({"kind": "compare-capacity"})["chart_data"] == {}


JUNK: list[dict[str, Any]] = [
    {}, {"operations": "x", "outcomes": [], "before": "x", "notes": None, "margin": "x"},
    {"operations": {"x": "junk", "y": {"p50": {"before_ms": "a", "ci95_ms": [1]}, "requests": 3,
                                       "distribution": {"percentiles": "x"}}},
     "outcomes": {"w": "junk", "v": {"ever_error": {"before": True, "ci95_pp": "x"}}}},
    {"kind": "compare-capacity", "before": {"bracket": "x", "max_sustainable_rate": "x"}, "after": None},
]


@pytest.mark.parametrize("data", JUNK)
def test_a_damaged_compare_json_still_renders(data: dict[str, Any]) -> None:
    page = html.render("compare", data)
    assert page.startswith("<!DOCTYPE html>")
    assert markdown.render("compare", data).startswith("### \u26a0\ufe0f ecekit compare: ")


def test_damaged_values_show_a_dash() -> None:
    view = views.compare(JUNK[2])
    y = next(op for op in view["operations"] if op["name"] == "y")
    assert y["rows"][0]["before"] == NONE and y["rows"][0]["ci95"] == NONE and y["requests"] == (NONE, NONE)
    assert view["outcomes"] == [{"widget": "v", "rows": [
        {"metric": "ever error", "before": NONE, "after": NONE, "change": NONE, "ci95": NONE, "margin": NONE,
         "verdict": NONE,
         "tone": "unsure", "decide": ""}]}]


def test_summary_md_says_the_verdict_and_one_line_per_operation() -> None:
    lines = markdown.render("compare", COMPARE, report="out/report.html").splitlines()
    assert lines[0] == "### \u274c ecekit compare: slower (runs/a \u2192 runs/b)"
    assert lines[2:5] == [
        "- **chatAllowed** slower: p50 2.100 ms → 3.100 ms (+1.000 ms (+47.6 %)); p95 4.000 ms → 5.000 ms "
        "(+1.000 ms (+25.0 %)); p99 6.500 ms → 7.500 ms (+1.000 ms (+15.4 %)); error rate 0.00 % → 0.10 % (+0.10 pp)",
        "- **total** slower: p50 2.100 ms → 3.100 ms (+1.000 ms (+47.6 %)); p95 4.000 ms → 5.000 ms "
        "(+1.000 ms (+25.0 %)); p99 6.500 ms → 7.500 ms (+1.000 ms (+15.4 %)); error rate 0.00 % → 0.10 % (+0.10 pp)",
        "- note: after ran 4 runs, before 5"]
    assert lines[-1] == "Full report: `out/report.html`"
    icons = {v: markdown.render("compare", {**COMPARE, "verdict": v}).split(" ")[1]
             for v in ("faster", "same", "inconclusive")}
    assert icons == {"faster": "\u2705", "same": "\u2796", "inconclusive": "\u26a0\ufe0f"}


def test_summary_md_of_a_capacity_comparison() -> None:
    lines = markdown.render("compare", COMPARE_CAPACITY).splitlines()
    assert lines[0] == "### \u274c ecekit compare: capacity moved down (400 page views/s \u2192 200 page views/s)"
    assert lines[2:7] == ["- **max sustainable rate**: 400 page views/s → 200 page views/s",
                          "- **bracket (page views/s)**: held 400, breached at 800 → held 200, breached at 400",
                          "- **limited by**: server → server", "- **run**: runs/cap-a → runs/cap-b",
                          "- note: both searches doubled the rate each step: each bracket is a factor 2 wide"]


def test_ecekit_report_finds_a_compare_run_and_renders_it_again(tmp_path: Path) -> None:
    publish.write_json(COMPARE_CAPACITY, tmp_path / "compare.json")
    kind, written = publish.render_again(tmp_path)
    assert kind == "compare"
    assert "CAPACITY MOVED DOWN" in written["html"].read_text(encoding="utf-8")
    assert written["markdown"].read_text(encoding="utf-8") == markdown.render(
        "compare", json.loads((tmp_path / "compare.json").read_text()), report=str(written["html"]))
