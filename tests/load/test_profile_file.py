"""A profile file read into exactly the Profile it says, defaults where it is silent, and each value
refused at the edge of what it may be (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecekit import operations as ops
from ecekit.errors import ConfigError
from ecekit.load import profile
from ecekit.load.profile import Call, Poll, Profile
from ecekit.load.schedule import Arrivals

FULL = '''
description = "all of it"
timeout = 2.5
max_in_flight = 7
slo = ["p99=1s", "errors=1%"]
[arrivals]
shape = "ramp"
rate = 40
duration = 9
[[call]]
operation = "chatAllowed"
[[call]]
operation = "liveSessionStatus"
when = "allowed"
[[call]]
operation = "capacity"
share = 0.2
[poll]
operation = "checkEligibility"
interval = 12
dwell = 24
[survey]
share = 0.05
'''


def write(tmp_path: Path, text: str, name: str = "p") -> str:
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return str(path)


def test_a_full_profile_is_read_exactly(tmp_path: Path) -> None:
    path = write(tmp_path, FULL, "full")
    assert profile.load(path) == Profile(
        name="full", calls=(Call(ops.CHAT_ALLOWED), Call(ops.LIVE_SESSION_STATUS, when="allowed"),
                            Call(ops.CAPACITY, share=0.2)),
        arrivals=Arrivals("ramp", rate=40.0, duration=9.0), description="all of it",
        poll=Poll(ops.CHECK_ELIGIBILITY, 12.0, 24.0), survey_share=0.05, timeout=2.5, max_in_flight=7,
        slos=("p99=1s", "errors=1%"), source=path)


def test_defaults_where_the_file_is_silent(tmp_path: Path) -> None:
    path = write(tmp_path, '[[call]]\noperation = "capacity"\n[poll]\noperation = "capacity"\n')
    assert profile.load(path) == Profile(name="p", calls=(Call(ops.CAPACITY),), arrivals=Arrivals(),
                                         poll=Poll(ops.CAPACITY, None, 30.0), source=path)  # interval: the widget's
    assert profile.load(write(tmp_path, '[[call]]\noperation = "capacity"\n')).poll is None


@pytest.mark.parametrize(("text", "ok"), [
    ('[[call]]\noperation = "capacity"\nshare = 1.0', True),
    ('[[call]]\noperation = "capacity"\nshare = 0', True),
    ('[[call]]\noperation = "capacity"\nshare = 1.01', False),
    ('[[call]]\noperation = "capacity"\nshare = true', False),
    ('max_in_flight = 1\n[[call]]\noperation = "capacity"', True),
    ('max_in_flight = 0\n[[call]]\noperation = "capacity"', False),
    ('max_in_flight = true\n[[call]]\noperation = "capacity"', False),
    ('max_in_flight = 2.5\n[[call]]\noperation = "capacity"', False),
    ('timeout = 0.001\n[[call]]\noperation = "capacity"', True),
    ('timeout = 0\n[[call]]\noperation = "capacity"', False),
    ('slo = "p99=1s"\n[[call]]\noperation = "capacity"', False),
    ('slo = [1]\n[[call]]\noperation = "capacity"', False),
    ('[[call]]\noperation = "capacity"\n[poll]\noperation = "capacity"\ninterval = 0.1\ndwell = 0', True),
    ('[[call]]\noperation = "capacity"\n[poll]\noperation = "capacity"\ninterval = 0.09', False),
    ('[[call]]\noperation = "capacity"\n[poll]\noperation = "capacity"\ndwell = -1', False),
    ('[[call]]\noperation = "capacity"\n[survey]\nshare = 1', True),
    ('[[call]]\noperation = "capacity"\n[survey]\nshare = 2', False),
    ('[[call]]\noperation = "capacity"\nwhen = "sometimes"', False),
    ('[[call]]\noperation = "capacityy"', False),
    ('description = "no calls"', False),
])
def test_each_value_at_its_edge(tmp_path: Path, text: str, ok: bool) -> None:
    path = write(tmp_path, text)
    if ok:
        profile.load(path)
        return
    with pytest.raises(ConfigError, match=str(path)) as info:
        profile.load(path)
    assert info.value.remedy
