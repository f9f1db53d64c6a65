"""In a real browser (issue 16): a member is prompted in the header to confirm their
role, reads the highlighted changes since the version they accepted, and accepts; HR
sees the coverage rise and exports it."""

from __future__ import annotations

import io
import zipfile

import pytest
from playwright.sync_api import Page, expect

from orgmap.models import Role
from responsibilities.attestation import services, versions
from responsibilities.attestation.models import ConfirmationRequest

from .test_foundation_journey import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()


def _cs_share(page: Page, live_server) -> str:
    page.goto(f"{live_server.url}/confirmations/coverage/?department=CS")
    return page.locator("#coverage-share").inner_text()


def test_member_confirms_the_changes_and_hr_sees_coverage_rise(
    page: Page, live_server, demo_duties
):
    agent = Role.objects.get(title="Service Agent")  # the member holds it
    versions.record_versions(
        set(Role.objects.filter(department__code="CS").values_list("pk", flat=True))
    )
    # The seed already versioned the roles (its writes committed): the member is asked.
    first = ConfirmationRequest.objects.get(
        role=agent, person__username="member", status=ConfirmationRequest.Status.PENDING
    )
    services.confirmation_answer(request_id=first.pk, person=first.person, accept=True)
    # The description changes (a transaction that commits: versioned and asked again).
    agent.purpose = "Answer customers within a day and log every complaint."
    agent.save()
    assert ConfirmationRequest.objects.filter(role=agent, status="pending").exists()

    login(page, live_server, "hr")
    before = _cs_share(page, live_server)
    _logout(page)

    login(page, live_server, "member")
    page.get_by_role("link", name="Please confirm your role").click()
    page.get_by_role("link", name="Service Agent").click()
    expect(page.get_by_role("heading", name="Confirm your role: Service Agent")).to_be_visible()
    changed = page.locator("tr.diff-changed")
    expect(changed).to_have_count(1)
    expect(changed.locator("td.diff-after")).to_contain_text("log every complaint")
    page.get_by_role("button", name="I accept this description of my role").click()
    expect(page.get_by_text("Thank you: you confirmed your role.")).to_be_visible()
    expect(page.get_by_role("link", name="Please confirm your role")).to_have_count(0)
    _logout(page)

    login(page, live_server, "hr")
    after = _cs_share(page, live_server)
    assert int(after.rstrip("%")) > int(before.rstrip("%"))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export XLSX").click()
    download = download_info.value
    assert download.suggested_filename.startswith("confirmation-coverage-")
    with open(download.path(), "rb") as workbook:
        sheet = zipfile.ZipFile(io.BytesIO(workbook.read())).read("xl/worksheets/sheet1.xml")
    assert b"Service Agent" in sheet
