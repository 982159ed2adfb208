"""A user's [widget] table read, refused and written back (in process): every refusal says what to
write instead, and a widget survives the trip to another process unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from ecekit import operations, widgets
from ecekit.errors import ConfigError

RULES = [["responseType", "0", "available"], ["responseType", "3", "busy"]]


def _read(**table: Any) -> widgets.Widget:
    return widgets.from_mapping({"operation": "checkEligibility", "rules": RULES, **table}, source="t.toml [widget]")


def test_defaults_of_a_minimal_table() -> None:
    w = _read()
    assert (w.name, w.operation, w.poll_interval, w.timeout, w.stop_on_error) == (
        "custom", operations.CHECK_ELIGIBILITY, 15.0, 5.0, True)
    assert w.rules == (widgets.Rule("responseType", "0", widgets.State.AVAILABLE),
                       widgets.Rule("responseType", "3", widgets.State.BUSY))
    assert (w.description, w.show) == ("", ())


def test_every_key_is_read() -> None:
    w = _read(name="mine", poll_interval=10, timeout=2.5, stop_on_error=False, description="d", show=["reason"])
    assert (w.name, w.poll_interval, w.timeout, w.stop_on_error, w.description, w.show) == (
        "mine", 10.0, 2.5, False, "d", ("reason",))
    no_poll = _read(poll_interval=0)
    assert no_poll.poll_interval is None


@pytest.mark.parametrize("widget", [*widgets.BUNDLED.values(), _read(name="mine", poll_interval=0, timeout=2.5,
                                                                    stop_on_error=False, show=["x"])],
                         ids=lambda w: w.name)
def test_to_mapping_reads_back_the_same_widget(widget: widgets.Widget) -> None:
    assert widgets.from_mapping(widgets.to_mapping(widget)) == widget


@pytest.mark.parametrize(("table", "says"), [
    ({"rulez": []}, "unknown key 'rulez'"),
    ({"operation": "capacty"}, "t.toml [widget]: "),
    ({"operation": "survey"}, "a widget asks a status operation, not survey"),
    ({"rules": [["responseType", "0"]]}, "is not [field, value, state]"),
    ({"rules": ["responseType"]}, "is not [field, value, state]"),
    ({"rules": [["responsType", "0", "available"]]}, "has no field 'responsType'"),
    ({"rules": [["responseType", "0", "green"]]}, "unknown state 'green'"),
    ({"rules": []}, "a widget needs rules"),
    ({"poll_interval": -1}, "poll_interval must be 0 or more and timeout positive"),
    ({"timeout": 0}, "poll_interval must be 0 or more and timeout positive"),
])
def test_refusals_name_the_source_and_the_mistake(table: dict[str, Any], says: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _read(**table)
    assert says in caught.value.message and caught.value.message.startswith("t.toml [widget]: ")


def test_refusals_offer_the_right_words() -> None:
    with pytest.raises(ConfigError) as caught:
        _read(rulez=[])
    assert "did you mean 'rules'" in caught.value.remedy and "valid keys: description, name" in caught.value.remedy
    with pytest.raises(ConfigError) as caught:
        _read(operation="survey")
    assert caught.value.remedy == "one of " + ", ".join(o.name for o in operations.STATUS_OPERATIONS)
    with pytest.raises(ConfigError) as caught:
        _read(rules=[["responseType", "0", "availabel"]])
    assert "did you mean 'available'" in caught.value.remedy and "states: available, unavailable" in caught.value.remedy
    with pytest.raises(ConfigError) as caught:
        widgets.get("eligibilty")
    assert "did you mean 'eligibility'" in caught.value.remedy and "chat-allowed, eligibility" in caught.value.remedy


def test_get_finds_bundled_and_user_widgets() -> None:
    mine = _read(name="mine")
    assert widgets.get("eligibility") is widgets.BUNDLED["eligibility"]
    assert widgets.get("mine", {"mine": mine}) is mine
    assert widgets.get(widgets.DEFAULT_WIDGET).name == "chat-allowed"


def test_as_json_is_what_the_browser_widget_reads() -> None:
    data = widgets.as_json(widgets.BUNDLED["chat-allowed"])
    assert data["name"] == "chat-allowed" and data["operation"] == "chatAllowed"
    assert data["root"] == operations.CHAT_ALLOWED.response_root
    assert data["rules"][0] == ["allowed", "true", "available"]
    assert (data["poll_interval"], data["timeout"], data["stop_on_error"], data["show"]) == (15.0, 5.0, False,
                                                                                           ["reason"])
    kinds = {name: f["kind"] for name, f in data["fields"].items()}
    assert kinds == {f.name: f.kind.value for f in operations.CHAT_ALLOWED.fields}
    for f in data["fields"].values():
        assert f["ns"] == (operations.CHAT_NS if f["kind"] == "element" else "")


def test_exact_remedies_of_the_refusals() -> None:
    cases = [
        ({"operation": None}, "t.toml [widget]: unknown operation ''", "operation names a status operation"),
        ({"rules": [["responseType", "0"]]}, None, 'e.g. ["responseType", "0", "available"]'),
        ({"rules": [["x", "0", "available"]]}, None, "fields: responseType"),
        ({"rules": []}, None, 'e.g. rules = [["allowed", "true", "available"]]'),
    ]
    for table, message, remedy in cases:
        data = {"operation": "checkEligibility", "rules": RULES, **table}
        if table.get("operation", "") is None:
            del data["operation"]
        with pytest.raises(ConfigError) as caught:
            widgets.from_mapping(data, source="t.toml [widget]")
        if message is not None:
            assert caught.value.message.startswith(message)
        assert caught.value.remedy == remedy
    with pytest.raises(ConfigError) as caught:
        widgets.get("nope")
    assert caught.value.message == "unknown widget 'nope'"
    assert caught.value.remedy.endswith("define your own in a [widget] table (see docs/widgets.md)")
    names = {f.name for f in operations.LIVE_SESSION_STATUS.fields}
    with pytest.raises(ConfigError) as caught:
        widgets.from_mapping({"operation": "liveSessionStatus", "rules": [["x", "1", "busy"]]})
    assert caught.value.remedy.endswith("fields: " + ", ".join(sorted(names)))


def test_a_timeout_under_a_second_is_fine() -> None:
    assert _read(timeout=0.5).timeout == 0.5


def test_as_json_gives_element_fields_the_chat_namespace() -> None:
    w = widgets.from_mapping({"operation": "liveSessionStatus", "rules": [["queueDepth", "0", "available"]]})
    fields = widgets.as_json(w)["fields"]
    assert fields == {"waitTime": {"kind": "element", "ns": operations.CHAT_NS},
                      "queueDepth": {"kind": "element", "ns": operations.CHAT_NS}}
