"""In a real browser: a manager proposes a change in a draft (a duty moved, letters set
with the keyboard), sees its impact change, sends it for approval; the other department's
manager is notified and approves; the author publishes; the live matrix and the duty's
history show it."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import Page, expect

from collaboration.drafts.models import Draft
from orgmap.models import Role
from responsibilities.models import Assignment, AssignmentChange, Duty

from .test_foundation_journey import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("ORGMAP_SCREENSHOTS", "")


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _logout(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()


def test_a_draft_from_proposal_to_publication(page: Page, live_server, demo_duties):
    duty = Duty.objects.get(title="Negotiate key customer contracts")
    head = Role.objects.get(title="Head of Sales")
    planner = Role.objects.filter(department__code="PROD", active=True).order_by("title").first()
    login(page, live_server, "sales_manager")
    page.get_by_role("link", name="Drafts").click()
    page.get_by_label("Name").fill("Contracts with production")
    page.get_by_role("button", name="Create the draft").click()
    expect(page.get_by_role("heading", name="Draft: Contracts with production")).to_be_visible()

    # The Sales matrix in the draft: a banner, and the keyboard works as live.
    page.get_by_label("Open a matrix in this draft").select_option("SALES")
    page.get_by_role("button", name="Open", exact=True).click()
    expect(page.locator(".draft-banner")).to_contain_text("Contracts with production")
    impact = page.locator("#draft-impact")
    expect(impact).to_contain_text("No change to the findings yet.")
    page.locator(f"#cell-{duty.pk}-{head.pk} a.cell-button").focus()
    page.keyboard.press("a")
    expect(page.locator(f"#cell-{duty.pk}-{head.pk}")).to_have_text("A")
    expect(impact).to_contain_text("closes 1")
    expect(impact.locator('.impact-closed[data-rule="NO_ACCOUNTABLE"]')).to_have_count(1)
    _shot(page, "journey-sales-in-draft")

    # Move the duty to Production, then give a Production role its letter by keyboard.
    page.locator(f"#duty-{duty.pk}").get_by_role("link", name="move, rename or retire").click()
    page.get_by_label("Owning department").select_option("PROD")
    page.get_by_role("button", name="Keep in the draft").click()
    expect(page.locator(f"#duty-{duty.pk}")).to_contain_text("moved here in this draft")
    page.locator(f"#cell-{duty.pk}-{planner.pk} a.cell-button").focus()
    page.keyboard.press("c")
    expect(page.locator(f"#cell-{duty.pk}-{planner.pk}")).to_have_text("C")
    expect(page.locator(f"#cell-{duty.pk}-{planner.pk}")).to_have_class(re.compile("drafted"))
    _shot(page, "journey-prod-in-draft")
    assert Duty.objects.get(pk=duty.pk).department.code == "SALES"  # live untouched

    # Send it for approval: it touches Production.
    page.get_by_role("link", name="The draft and its impact").click()
    page.get_by_role("button", name="Send for approval").click()
    expect(page.locator("#draft-status")).to_have_text("waiting for approval")
    _logout(page)

    # Production's manager is notified and approves.
    login(page, live_server, "production_manager")
    expect(page.locator("#unread-count")).to_contain_text("1")
    page.locator("#notification-bell").click()
    page.get_by_role("link", name="Contracts with production").first.click()
    _shot(page, "journey-approver")
    page.get_by_label("Answer").select_option("approved")
    page.get_by_role("button", name="Answer").click()
    expect(page.locator("#draft-status")).to_have_text("approved")
    _logout(page)

    # The author publishes; live shows it, with its history.
    login(page, live_server, "sales_manager")
    page.goto(f"{live_server.url}{Draft.objects.get().get_absolute_url()}")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("#draft-status")).to_have_text("published")
    page.goto(f"{live_server.url}/departments/PROD/matrix/?focus={duty.pk}")
    expect(page.locator(f"#cell-{duty.pk}-{head.pk}")).to_have_text("A")
    assert Assignment.objects.get(duty=duty, role=head).letter == "A"
    assert AssignmentChange.objects.filter(duty=duty, source_name="Contracts with production")
    page.goto(f"{live_server.url}/duties/{duty.pk}/")
    expect(page.locator("body")).to_contain_text("from draft “Contracts with production”")
