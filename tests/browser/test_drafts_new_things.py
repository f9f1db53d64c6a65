"""In a real browser: a manager adds a duty and a role in a draft, sees them as a row
and a column of the matrix in the draft, sets their letters with the keyboard and sees
the impact change; live is untouched."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from collaboration.drafts.models import Draft
from orgmap.models import Role
from responsibilities.models import Duty

from .test_foundation_journey import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_duty_and_role_in_a_draft_edited_with_the_keyboard(
    page: Page, live_server, demo_duties
):
    head = Role.objects.get(title="Head of Sales")
    login(page, live_server, "sales_manager")
    page.get_by_role("link", name="Drafts").click()
    page.get_by_label("Name").fill("Capacity planning")
    page.get_by_role("button", name="Create the draft").click()

    adding = page.locator("#draft-add-duty")
    adding.get_by_label("Title").fill("Plan sales capacity")
    adding.get_by_label("Owning department").select_option("SALES")
    adding.get_by_role("button", name="Add").click()
    draft = Draft.objects.get(name="Capacity planning")
    new_duty = draft.new_duties.get()
    row = page.locator(f"#duty--{new_duty.pk}")
    expect(row).to_contain_text("new in this draft")
    expect(row.locator('[data-rule="NO_ACCOUNTABLE"]')).to_have_count(1)

    page.locator(f"#cell--{new_duty.pk}-{head.pk} a.cell-button").focus()
    page.keyboard.press("a")
    expect(page.locator(f"#cell--{new_duty.pk}-{head.pk}")).to_have_text("A")
    expect(page.locator(f"#cell--{new_duty.pk}-{head.pk}")).to_have_class(re.compile("drafted"))
    expect(row.locator('[data-rule="NO_ACCOUNTABLE"]')).to_have_count(0)
    expect(page.locator("#draft-impact")).to_contain_text("Plan sales capacity")

    page.get_by_role("link", name="Add a role here").click()
    page.get_by_label("Title").fill("Capacity Planner")
    page.get_by_role("button", name="Keep in the draft").click()
    new_role = draft.new_roles.get()
    expect(page.locator(f"#role--{new_role.pk}")).to_contain_text("new in this draft")
    cell = page.locator(f"#cell--{new_duty.pk}--{new_role.pk}")
    cell.locator("a.cell-button").focus()
    page.keyboard.press("r")
    expect(cell).to_have_text("R")
    page.locator(f"#cell--{new_duty.pk}-{head.pk} a.cell-button").focus()
    page.keyboard.press("Delete")
    expect(page.locator(f"#cell--{new_duty.pk}-{head.pk}")).to_have_text("")

    assert not Duty.objects.filter(title="Plan sales capacity").exists()
    assert not Role.objects.filter(title="Capacity Planner").exists()
