"""In a real browser, on a phone and in Chinese: the profile page's API tokens panel
creates a token, shows it once, fits the screen and passes axe."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_creates_and_revokes_a_token_on_a_phone(browser: Browser, live_server):
    factories.UserFactory(username="lena", display_name="Lena Ng")
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-hans")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill("lena")
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/profile/")
    page.locator("#id_name").fill("HR 同步")
    page.get_by_role("button", name="创建令牌").click()
    token = page.locator("#new-token-value")
    value = token.input_value()
    assert value.startswith("om_")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"the page is {width}px wide in a {inner}px window"
    violations = [
        v["id"]
        for v in Axe().run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not violations, violations
    # Shown once: the page read again lists the token by its prefix only.
    page.goto(f"{live_server.url}/profile/")
    expect(page.locator("#new-token-value")).to_have_count(0)
    expect(page.locator("#api-tokens")).to_contain_text(value[: len("om_") + 12])
    page.get_by_role("button", name="撤销").click()
    expect(page.locator("#api-tokens")).to_contain_text("已撤销")
    context.close()
