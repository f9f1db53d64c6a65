"""In a real browser: Sales records a conflict with Production, an administrator
settles it, both departments' pages show it settled; a member gives anonymous
feedback, which carries no author."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from collaboration.routines.models import Conflict, Feedback
from tests.browser.test_foundation_journey import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()


def test_conflict_is_raised_settled_and_shown_and_feedback_stays_anonymous(
    page: Page, live_server, demo_duties
):
    # Sales raises a conflict with Production.
    login(page, live_server, "sales_manager")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Collaboration").click()
    page.get_by_role("link", name="Conflicts Disagreements").click()
    page.get_by_role("link", name="Raise a conflict").click()
    page.get_by_label("Title").fill("Rush orders break the schedule")
    page.get_by_label("What is the disagreement?").fill(
        "Sales accepts rush orders after the weekly schedule is frozen."
    )
    page.get_by_label("Sales", exact=True).check()
    page.get_by_label("Production", exact=True).check()
    # The suggested coordinator follows the ticked departments (htmx).
    expect(page.locator("#coordinator-suggestion")).to_contain_text("organisation administrator")
    page.get_by_role("button", name="Record conflict").click()
    expect(page.get_by_text("an organisation administrator will coordinate it")).to_be_visible()
    conflict = Conflict.objects.get(title="Rush orders break the schedule")
    assert {d.code for d in conflict.departments.all()} == {"SALES", "PROD"}
    _log_out(page)

    # An administrator finds it waiting for a coordinator and settles it.
    login(page, live_server, "admin")
    page.goto(f"{live_server.url}/conflicts/coordinating/")
    page.get_by_role("link", name="Rush orders break the schedule").click()
    page.get_by_role("button", name="Settle conflict").click()
    expect(page.get_by_text("A settled conflict needs a settlement text.")).to_be_visible()
    page.get_by_label("Settlement").fill("Rush orders only with the Production Planner's yes.")
    page.get_by_role("button", name="Settle conflict").click()
    expect(page.locator("#conflict-status")).to_have_text("settled")
    _log_out(page)

    # Both departments show it settled.
    login(page, live_server, "member")
    for code in ("SALES", "PROD"):
        page.goto(f"{live_server.url}/departments/{code}/")
        settled = page.locator("#settled-conflicts")
        expect(settled).to_contain_text("Rush orders break the schedule")
        expect(settled).to_contain_text("settled")
        expect(page.locator("#department-conflicts")).not_to_contain_text("in mediation")

    # A member gives anonymous feedback from the Production page.
    page.get_by_role("link", name="Give feedback").first.click()
    expect(page.get_by_label("About")).to_have_value(
        f"department:{conflict.departments.get(code='PROD').pk}"
    )
    page.get_by_label("Summary").fill("Complaints wait days for an answer")
    page.get_by_label("Send anonymously").check()
    page.get_by_role("button", name="Send feedback").click()
    # A thank-you page without the entry's id (the access log would pair it with the sender).
    expect(page.get_by_text("It was sent anonymously")).to_be_visible()
    expect(page).to_have_url(f"{live_server.url}/feedback/thanks/")
    feedback = Feedback.objects.get(summary="Complaints wait days for an answer")
    assert feedback.anonymous is True and feedback.author_id is None
    page.goto(f"{live_server.url}/feedback/{feedback.pk}/")
    expect(page.locator("#feedback-author")).to_have_text("anonymous")
    page.screenshot(path="/tmp/routines-journey-feedback.png", full_page=True)
