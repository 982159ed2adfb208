"""Target files and flags: flags win, and every error names the file, the key and what is expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecekit import operations
from ecekit.errors import ConfigError
from ecekit.target import Target, resolve


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ecekit.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_file_values_and_flag_overrides(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
base_url = "https://ece.example.com/system/"
entry_points = [1001, "1002"]
inactive_entry_points = 1003
invalid_entry_point = 999999
read_timeout = 4
[headers]
Authorization = "Basic abc"
[paths]
checkEligibility = "/egain/chat/entrypoint/checkEligibility/{id}"
""",
    )
    target = resolve(path, read_timeout=2.5, entry_points=[])
    assert target.base_url == "https://ece.example.com/system"
    assert target.entry_points == ("1001", "1002")
    assert target.inactive_entry_points == ("1003",)
    assert target.invalid_entry_points == ("999999",)
    assert target.read_timeout == 2.5  # the flag wins
    assert target.url(operations.CHECK_ELIGIBILITY, 7) == (
        "https://ece.example.com/system/egain/chat/entrypoint/checkEligibility/7"
    )
    assert (
        target.url(operations.CAPACITY, 7) == "https://ece.example.com/system/egain/chat/endpoint/capacity/7"
    )
    assert target.redacted_headers() == {"Authorization": "<redacted>"}
    assert target.source == str(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("base_ur = 'http://x/system'", ["unknown key 'base_ur'", "did you mean 'base_url'"]),
        ("base_url = 'ftp://x/system'", ["base_url", "http(s) URL"]),
        ("read_timeout = -1", ["read_timeout", "positive number"]),
        ("entry_points = [true]", ["entry_points", "entry point id"]),
        ("agents_required = 'yes'", ["agents_required", "true or false"]),
        ("[paths]\ncapacity = '/egain/chat/endpoint/capacity'", ["paths", "{id}"]),
        ("[paths]\ncapcity = '/x/{id}'", ["paths", "capacity"]),
        ("base_url = ", ["not valid TOML"]),
    ],
)
def test_errors_name_file_key_and_expectation(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        resolve(path)
    message = str(info.value)
    assert str(path) in message
    for part in expected:
        assert part in message, message


def test_config_error_is_also_a_value_error() -> None:
    assert issubclass(ConfigError, ValueError)


def test_missing_file_has_a_remedy(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        resolve(tmp_path / "nope.toml")


def test_no_file_and_no_flags_is_the_embedded_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve() == Target()
    assert Target().is_embedded


def test_ecekit_toml_in_the_working_directory_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path, "entry_points = [5]")
    monkeypatch.chdir(tmp_path)
    assert resolve().entry_points == ("5",)


def test_entry_points_given_from_python_as_a_list_of_numbers_are_strings() -> None:
    target = Target(base_url="http://h/system", entry_points=[1001, "1002"], invalid_entry_points=[999999])  # type: ignore[arg-type]
    assert target.entry_points == ("1001", "1002") and target.all_entry_points() == ("1001", "1002", "999999")


def test_a_valid_survey_needs_204_on_the_embedded_server_or_with_a_real_session_id() -> None:
    assert Target().valid_needs_204  # the embedded server checks no sessions
    assert Target(base_url="http://127.0.0.1:9/system", sid="real-123").valid_needs_204
    assert not Target(base_url="http://127.0.0.1:9/system").valid_needs_204  # a made-up sid may get a 4xx
