"""In a real browser: a member finds who owns a duty from the header search, and HR
downloads a role description as PDF."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from orgmap.models import Role

from .test_foundation_journey import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_finds_the_accountable_person_from_the_header(page: Page, live_server, demo_duties):
    login(page, live_server, "member")
    page.get_by_placeholder("Who owns…?").fill("sales forec")
    live = page.locator("#live-search")
    result = live.get_by_role("option", name="Maintain the sales forecast")
    expect(result).to_be_visible()
    accountable = result.locator(".owners-line").first
    expect(accountable).to_contain_text("Head of Sales")
    expect(accountable).to_contain_text("Sam Sales")
    expect(result).to_contain_text("sales.manager@example.com")
    # Choosing the option (a click, or arrows and Enter) opens the duty.
    result.click()
    expect(page.get_by_role("heading", name="Maintain the sales forecast")).to_be_visible()


def test_hr_exports_a_role_description_as_pdf(page: Page, live_server, demo_duties):
    login(page, live_server, "hr")
    role = Role.objects.get(title="Head of Sales")
    page.goto(f"{live_server.url}/roles/{role.pk}/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="PDF", exact=True).click()
    download = download_info.value
    assert download.suggested_filename == "role-description-SALES-Head-of-Sales.pdf"
    text = "".join(p.extract_text() for p in PdfReader(download.path()).pages)
    assert "Maintain the sales forecast" in text
