"""In a real browser: the API's reference page renders from local assets under the
site's Content-Security-Policy (no CDN, no blocked script)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reference_page_lists_the_endpoints(page: Page, live_server):
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    outside: list[str] = []
    page.on(
        "request",
        lambda request: not request.url.startswith(live_server.url) and outside.append(request.url),
    )
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_text("/api/v1/cells/{duty_id}/{role_id}/").first).to_be_visible(
        timeout=20000
    )
    assert not outside, outside
    assert not [p for p in problems if "Content Security Policy" in p or "CSP" in p], problems
