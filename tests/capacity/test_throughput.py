"""achieved_rps is the server's throughput over the measured window on the arrival clock."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecekit.cli import cli
from ecekit.load.recorder import Recorder


def test_answers_count_by_their_receive_time_on_the_arrival_clock() -> None:
    rec = Recorder()
    rec.start_clock(100.0)
    rec.measure_between(101.0, 106.0)  # 1 s warm-up, 5 s window
    rec.record("chatAllowed", 0.2, due=100.7)  # answered at 100.9: warm-up
    rec.record("chatAllowed", 0.4, due=100.7)  # answered at 101.1: in the window
    rec.record("chatAllowed", 0.001, due=105.998)  # answered at 105.999: in the window
    rec.record("chatAllowed", 0.05, due=105.99)  # answered at 106.04: after the window
    rec.record("chatAllowed", 0.001, "timeout", due=103.0)  # no usable answer
    assert rec.answered_in_window == 2 and rec.answered == 4
    rec.reset()  # a worker's report resets its histograms, never the count
    assert rec.answered_in_window == 2


@pytest.mark.slow
def test_a_held_step_answers_the_rate_it_was_offered(tmp_path: Path) -> None:
    """Against the embedded server at a rate it holds easily: every page view of the window answered
    inside it, so achieved = page views scheduled in the window / window, to 1 % (the Poisson count
    itself varies by more than that around the nominal rate, so the arrivals actually scheduled are
    the reference)."""
    result = CliRunner().invoke(cli, ["load", "--profile", "one-call", "--rate", "150", "--duration", "5",
                                      "--seed", "3", "-q", "--out", str(tmp_path)])
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["schedule"]["unsent"] == 0, result.output
    if summary["schedule"]["sent_late"] > 0.05 * summary["schedule"]["page_views"]:
        pytest.skip("the machine was too busy to keep the schedule: not a measurement of the window")
    scheduled = summary["schedule"]["page_views"] / summary["duration_s"]
    achieved = summary["generator"]["answered_rps"]
    assert abs(achieved - scheduled) <= 0.01 * scheduled, (achieved, scheduled)
