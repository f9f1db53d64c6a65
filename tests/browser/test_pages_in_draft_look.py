"""The pages in a draft in a real browser, at laptop (1280 px) and phone (390 px)
width: the draft's banner shows, nothing overflows sideways, no serious or critical
axe-core violation. Set ORGMAP_SCREENSHOTS=<folder> to keep screenshots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from playwright.sync_api import Browser, expect

from collaboration.drafts import services, services_new, services_structure
from orgmap.models import Department, Role
from responsibilities.models import Duty

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"laptop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


def _draft():
    author = get_user_model().objects.get(username="sales_manager")
    draft = services.draft_create(name="Contracts to production", author=author)
    duty = Duty.objects.get(title="Negotiate key customer contracts")
    head = Role.objects.get(title="Head of Sales")
    services.draft_cell_set(draft=draft, duty=duty, role=head, letter="A")
    moved = Duty.objects.filter(department__code="SALES", active=True).exclude(pk=duty.pk).first()
    services.draft_duty_change(
        draft=draft,
        duty=moved,
        title=moved.title,
        department=Department.objects.get(code="PROD"),
        project=None,
        active=True,
    )
    # A role left vacant and a duty added: the draft page's other sections.
    rep = Role.objects.filter(department__code="SALES", holders__isnull=False).exclude(pk=head.pk)
    services_structure.draft_role_vacate(draft=draft, role=rep.first())
    services_new.draft_new_duty_save(
        draft=draft,
        title="Review rebate agreements",
        department=Department.objects.get(code="SALES"),
    )
    return draft, head


def test_the_pages_in_a_draft_fit_and_pass_axe(browser: Browser, live_server, demo_duties):
    draft, head = _draft()
    pages = {
        "department": f"/drafts/{draft.pk}/departments/SALES/",
        "role": f"/drafts/{draft.pk}/roles/{head.pk}/",
        "findings": f"/drafts/{draft.pk}/findings/?department=SALES",
        "matrix": f"/drafts/{draft.pk}/matrix/SALES/",
        "project-matrix": f"/drafts/{draft.pk}/matrix/LAUNCH/",
        "draft": f"/drafts/{draft.pk}/",
        "role-change": f"/drafts/{draft.pk}/roles/{head.pk}/change/",
        "flows": f"/drafts/{draft.pk}/flows/",
    }
    shots = os.environ.get("ORGMAP_SCREENSHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
    axe = Axe()
    problems: list[str] = []
    for (size, viewport), language in (
        *((item, "en") for item in SIZES.items()),
        (("phone", SIZES["phone"]), "zh-hans"),
    ):
        context = browser.new_context(viewport=viewport)
        context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.locator("#id_username").fill("sales_manager")
        page.locator("#id_password").fill("demo")
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/")
        for name, path in pages.items():
            page.goto(live_server.url + path)
            expect(page.locator(".draft-banner, main h1").first).to_contain_text(
                "Contracts to production" if name != "role-change" else ""
            )
            width, inner = page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if width > inner:
                problems.append(f"{size}/{language}/{name}: {width}px wide in {inner}px")
            for violation in axe.run(page).response["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    problems.append(f"{size}/{language}/{name}: axe {violation['id']}")
            if shots:
                page.screenshot(
                    path=os.path.join(shots, f"draft-{name}-{size}-{language}.png"), full_page=True
                )
        context.close()
    assert not problems, "\n".join(problems)
