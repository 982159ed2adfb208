"""Debian's Chromium for the page tests, one way for all of them: the flags this closed network needs
(ECE_NOTES/env: background networking off), a skip with the remedy on a developer's machine without it,
and a failure in CI (where .ci/run installs it), so no browser test is ever skipped silently there."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
needs_chromium = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                                    reason="Debian's chromium package is not installed "
                                    "(apt-get install -y chromium; .ci/run does it)")


def require() -> None:
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: .ci/run installs Debian's chromium package", pytrace=False)


def launch(pw: Any) -> Any:
    require()
    return pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)


def open_offline(browser: Any, page_file: Path) -> tuple[Any, Any, list[str], list[str]]:
    """(context, page, console errors, URLs fetched) for ``page_file`` opened with the network off."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    page = context.new_page()
    errors: list[str] = []
    fetched: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda req: fetched.append(req.url) if not req.url.startswith("file:") else None)
    page.goto(page_file.resolve().as_uri())
    page.wait_for_load_state("load")
    return context, page, errors, fetched
