"""Where hypothesis's caches go for ecekit's runs: never the working directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecekit import caches


def test_the_cache_directory_follows_ecekit_then_xdg_then_home(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ECEKIT_CACHE_DIR", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert caches.hypothesis_home() == tmp_path / "home" / ".cache" / "ecekit" / "hypothesis"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert caches.cache_dir() == tmp_path / "xdg" / "ecekit"
    monkeypatch.setenv("ECEKIT_CACHE_DIR", str(tmp_path / "mine"))
    assert caches.cache_dir() == tmp_path / "mine"


def test_fuzz_points_hypothesis_at_the_cache_for_the_run_only(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    from hypothesis import configuration

    from ecekit.caches import hypothesis_in_cache

    monkeypatch.setenv("ECEKIT_CACHE_DIR", str(tmp_path / "cache"))
    before = configuration.storage_directory(intent_to_write=False).path
    with hypothesis_in_cache():
        assert configuration.storage_directory(intent_to_write=False).path == tmp_path / "cache" / "hypothesis"
    assert configuration.storage_directory(intent_to_write=False).path == before
