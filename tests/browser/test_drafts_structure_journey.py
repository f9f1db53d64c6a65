"""In a real browser: a manager picks a role in a draft with the keyboard (a combobox),
leaves it vacant, sees the vacancy it would open on the draft's page, proposes an
information flow and publishes; live then has the vacancy and the flow."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from orgmap.models import Role, RoleHolder
from responsibilities.models import InformationFlow

from .test_foundation_journey import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_role_left_vacant_and_a_flow_added_in_a_draft(page: Page, live_server, demo_duties):
    head = Role.objects.get(title="Head of Sales")
    login(page, live_server, "admin")
    page.get_by_role("link", name="Drafts").click()
    page.get_by_label("Name").fill("Sales without a head")
    page.get_by_role("button", name="Create the draft").click()

    # Pick the role with the keyboard, as the matrix's role picker works.
    picker = page.get_by_role("combobox", name="Change a role or who holds it")
    picker.fill("Head of Sales")
    expect(page.locator("#lookup-roles-options [role=option]").first).to_be_visible()
    picker.press("ArrowDown")
    picker.press("Enter")
    expect(page.get_by_role("heading", name="Role “Head of Sales” in this draft")).to_be_visible()
    page.get_by_role("button", name="Leave the role vacant").click()
    expect(page.locator("#draft-role-holders")).to_contain_text("leaves")

    page.get_by_role("link", name="Sales without a head").click()
    expect(page.locator("#draft-holding-changes")).to_contain_text("Head of Sales")
    expect(page.locator('#impact [data-rule="VACANT_ACCOUNTABLE"]').first).to_be_visible()
    assert RoleHolder.objects.current().filter(role=head).exists()  # live untouched

    page.get_by_role("link", name="Add or remove an information flow").click()
    page.get_by_label("From department").select_option("SALES")
    page.get_by_label("To department").select_option("PROD")
    page.locator("#id_information").fill("Sales forecast")
    page.get_by_label("Channel").select_option("email")
    page.get_by_label("Frequency").select_option("weekly")
    page.get_by_role("button", name="Keep in the draft").click()
    expect(page.locator("#draft-flow-changes")).to_contain_text("Sales forecast")

    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#draft-status")).to_have_text("published")
    assert not RoleHolder.objects.current().filter(role=head).exists()
    assert InformationFlow.objects.filter(information="Sales forecast", active=True).exists()
