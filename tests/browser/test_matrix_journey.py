"""In a real browser: a manager fixes a gap in the Sales matrix without a page reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from orgmap.models import Role
from responsibilities.models import Assignment, Duty

from .test_foundation_journey import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_fixes_no_accountable_by_setting_a(page: Page, live_server, demo_duties):
    login(page, live_server, "sales_manager")
    page.goto(f"{live_server.url}/departments/SALES/matrix/")
    page.evaluate("window.__notReloaded = true")
    summary = page.locator("#finding-summary")
    expect(summary.locator(".summary-total")).to_have_text("4")
    expect(summary).to_contain_text("no A: 1")

    row = page.locator("tr", has_text="Negotiate key customer contracts")
    flags = row.locator("td.flags")
    expect(flags).to_contain_text("no A")

    # Click the Head of Sales cell of that row and choose A.
    head = Role.objects.get(title="Head of Sales")
    duty = Duty.objects.get(title="Negotiate key customer contracts")
    cell = page.locator(f"#cell-{duty.pk}-{head.pk}")
    cell.locator("a.cell-button").click()
    cell.get_by_role("button", name="A", exact=True).click()

    expect(page.locator(f"#cell-{duty.pk}-{head.pk}")).to_have_text("A")
    expect(flags).not_to_contain_text("no A")
    expect(flags).to_contain_text("R in several departments")
    expect(summary.locator(".summary-total")).to_have_text("3")
    expect(summary).not_to_contain_text("no A")
    assert page.evaluate("window.__notReloaded") is True
    assert Assignment.objects.get(duty=duty, role=head).letter == "A"


def test_keyboard_sets_and_clears_a_cell(page: Page, live_server, demo_duties):
    login(page, live_server, "sales_manager")
    page.goto(f"{live_server.url}/departments/SALES/matrix/")
    head = Role.objects.get(title="Head of Sales")
    analyst = Role.objects.get(title="Sales Operations Analyst")
    duty = Duty.objects.get(title="Negotiate key customer contracts")
    page.locator(f"#cell-{duty.pk}-{head.pk} a.cell-button").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("c")
    expect(page.locator(f"#cell-{duty.pk}-{analyst.pk}")).to_have_text("C")
    page.keyboard.press("Delete")
    expect(page.locator(f"#cell-{duty.pk}-{analyst.pk}")).to_have_text("")
    assert not Assignment.objects.filter(duty=duty, role=analyst).exists()
