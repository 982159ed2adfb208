"""The bundled widget page in a real headless Chromium, served from another origin than the ECE server:
each entry point's state read from the DOM, with CORS allowed, and the error state when the server
forgets its cross-origin headers (fault cors-missing)."""

from __future__ import annotations

import pytest

from ecekit.server.embedded import running_server
from tests.browser import launch, needs_chromium

pytestmark = needs_chromium
EXPECTED = {"1001": "available", "1002": "unavailable", "1003": "busy", "1004": "error"}


def states(page_url: str) -> dict[str, str]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = browser.new_page()
            page.goto(page_url)
            page.wait_for_function("() => !document.querySelector('[data-state=loading]')", timeout=15_000)
            items = page.locator("li[data-entry-point]")
            return {items.nth(i).get_attribute("data-entry-point") or "": items.nth(i).get_attribute("data-state") or ""
                    for i in range(items.count())}
        finally:
            browser.close()


@pytest.mark.parametrize(("faults", "expected"),
                         [((), EXPECTED), (("cors-missing",), dict.fromkeys(EXPECTED, "error"))],
                         ids=["cors-allowed", "cors-missing"])
def test_widget_page_on_another_origin(faults: tuple[str, ...], expected: dict[str, str]) -> None:
    with running_server() as pages:  # serves the page: its origin is http://127.0.0.1:<port>
        page_origin = pages.base_url.rsplit("/", 1)[0]
        with running_server(faults=faults, cors_origins=(page_origin,)) as ece:
            url = f"{page_origin}/_widget/?widget=eligibility&entry_points=1001,1002,1003,1004&base={ece.base_url}"
            assert states(url) == expected
