"""In a real browser: log in, open a department, create a role through the form, see it listed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from orgmap.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Page, live_server, username: str) -> None:  # shared by the browser tests
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Organisation")).to_be_visible()


def test_manager_creates_a_role_through_the_form(page: Page, live_server, demo_org):
    login(page, live_server, "sales_manager")
    page.get_by_role("link", name="Sales", exact=True).click()
    expect(page.get_by_role("heading", name="Sales")).to_be_visible()
    page.get_by_role("link", name="New role").click()

    # An empty title is refused in place (htmx swaps the form), nothing is saved.
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Give the role a title.")).to_be_visible()
    assert not Role.objects.filter(department__code="SALES", title="").exists()

    page.get_by_label("Title").fill("Key Account Manager")
    page.get_by_label("Purpose").fill("Looks after the largest customers.")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Role “Key Account Manager” created.")).to_be_visible()
    expect(page.locator("#roles").get_by_role("link", name="Key Account Manager")).to_be_visible()
    assert Role.objects.get(title="Key Account Manager").department.code == "SALES"
