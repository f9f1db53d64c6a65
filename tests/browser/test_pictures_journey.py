"""Issue 18 in a real browser: every picture in English and Chinese, at laptop and phone
size; the chart opened, zoomed, searched, and a gap badge followed to its cell; axe-core
on each (no serious or critical violation). Built from factories, not the demo.

Screenshots go to $ORGMAP_SCREENSHOTS (or /tmp/pictures-shots) for a person to look at."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from responsibilities import raci
from responsibilities.models import Finding
from responsibilities.pictures import snapshots
from tests import factories

from ..responsibilities.test_pictures import build_org
from .test_phone_chinese_keyboard import VISIBLE_TEXT, _english_msgids

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SHOTS = Path(os.environ.get("ORGMAP_SCREENSHOTS") or "/tmp/pictures-shots")


@pytest.fixture
def pictured_org(db, settings):
    settings.RACI_OVERLOAD_LIMIT = 2
    org = build_org()
    today = timezone.localdate()
    snapshots.findings_snapshot_take(day=today - datetime.timedelta(days=7))
    factories.DutyFactory(department=org["sales"], title="Answer tenders")  # a new gap
    from responsibilities.findings_rebuild import findings_rebuild

    findings_rebuild()
    snapshots.findings_snapshot_take(day=today - datetime.timedelta(days=3))
    snapshots.findings_snapshot_take(day=today)
    factories.UserFactory(username="reader", display_name="Rea Der")
    return org


def _sign_in(page: Page, url: str, language: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.locator("#id_username").fill("reader")
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{url}/")
    switch = page.locator(f".language-switch button[value='{language}']")
    if switch.is_enabled():
        switch.click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def _axe_problems(page: Page, where: str, english: set[str] = frozenset()) -> list[str]:
    """Serious axe violations, sideways overflow, and English left in a Chinese page."""
    problems = []
    if where.startswith("zh-hans"):
        left = sorted({text for text in page.evaluate(VISIBLE_TEXT) if text in english})
        if left:
            problems.append(f"{where}: English in Chinese: {left}")
    for violation in Axe().run(page).response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = [node["target"] for node in violation["nodes"]][:3]
            problems.append(f"{where}: axe {violation['id']} on {targets}")
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width > inner:
        problems.append(f"{where}: the page is {width}px wide in a {inner}px window")
    return problems


def test_each_picture_in_both_languages_and_sizes(browser: Browser, live_server, pictured_org):
    SHOTS.mkdir(parents=True, exist_ok=True)
    sales = pictured_org["sales"]
    problems: list[str] = []
    english = _english_msgids()
    for language in ("en", "zh-hans"):
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport, locale=language)
            page = context.new_page()
            _sign_in(page, live_server.url, language)
            where = f"{language}-{size}"

            # The chart: collapsed, then Headquarters and Sales opened with htmx.
            page.goto(f"{live_server.url}/pictures/orgchart/")
            hq = page.locator(f"#card-dept-{pictured_org['hq'].pk} [data-org-toggle]")
            expect(hq).to_have_attribute("aria-expanded", "false")
            hq.click()
            expect(hq).to_have_attribute("aria-expanded", "true")
            toggle = page.locator(f"#card-dept-{sales.pk} [data-org-toggle]")
            toggle.click()
            expect(toggle).to_have_attribute("aria-expanded", "true")
            expect(page.locator(f"#role-{pictured_org['rep'].pk}")).to_be_visible()
            problems += _axe_problems(page, f"{where}/orgchart", english)
            page.screenshot(path=SHOTS / f"{where}-orgchart.png", full_page=True)
            # Zoom: the buttons scale the chart.
            page.locator("[data-zoom=out]").click()
            page.locator("[data-zoom=out]").click()
            expect(page.locator("[data-zoom-level]")).to_have_text("80%")
            assert "scale(0.8)" in page.locator("[data-org-chart]").first.evaluate(
                "el => el.style.transform"
            )
            page.screenshot(path=SHOTS / f"{where}-orgchart-zoomed.png")
            page.locator("[data-zoom=reset]").click()
            expect(page.locator("[data-zoom-level]")).to_have_text("100%")
            # Closing hides the branch without asking the server again.
            toggle.click()
            expect(toggle).to_have_attribute("aria-expanded", "false")
            expect(page.locator(f"#role-{pictured_org['rep'].pk}")).to_be_hidden()

            # Search: the path opens and the match has the focus.
            page.locator("#org-q").fill("Planner")
            page.locator("#org-q").press("Enter")
            planner = page.locator(f"#role-{pictured_org['planner'].pk}")
            expect(planner).to_be_focused()
            page.screenshot(path=SHOTS / f"{where}-orgchart-search.png", full_page=True)

            for name, path in (
                ("heatmaps", f"/pictures/heatmaps/?department={sales.code}"),
                ("heatmaps-prod", "/pictures/heatmaps/?department=PROD"),
                ("trend", f"/pictures/findings-trend/?department={sales.code}"),
                ("findings", f"/findings/?department={sales.code}"),
            ):
                page.goto(live_server.url + path)
                if name == "findings":
                    expect(page.locator("#findings-trend svg.sparkline").first).to_be_visible()
                else:
                    expect(page.locator("main svg").first).to_be_visible()
                problems += _axe_problems(page, f"{where}/{name}", english)
                page.screenshot(path=SHOTS / f"{where}-{name}.png", full_page=True)
            context.close()
    assert not problems, "\n".join(problems)


def test_a_gap_badge_leads_to_the_cell_that_fixes_it(page: Page, live_server, pictured_org):
    _sign_in(page, live_server.url, "en")
    page.goto(f"{live_server.url}/pictures/orgchart/?open=SALES")
    badge = page.locator(f"#card-dept-{pictured_org['sales'].pk} a.org-badge-gap")
    expect(badge).to_be_visible()
    first = Finding.objects.filter(
        department=pictured_org["sales"], rule=raci.NO_ACCOUNTABLE, fix__isnull=False
    ).order_by("pk")[0]
    duty_id, role_id, _letter = first.fix
    badge.click()
    page.wait_for_url(f"**/departments/SALES/matrix/**#cell-{duty_id}-{role_id}")
    cell = page.locator(f"#cell-{duty_id}-{role_id}")
    expect(cell).to_be_visible()
    expect(cell).to_be_in_viewport()
    page.screenshot(path=SHOTS / "en-desktop-badge-to-cell.png")


def test_the_chart_without_javascript_opens_with_links(browser: Browser, live_server, pictured_org):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("#id_username").fill("reader")
    page.locator("#id_password").fill(factories.PASSWORD)
    page.locator("main button[type=submit]").click()
    page.goto(f"{live_server.url}/pictures/orgchart/")
    page.locator(f"#card-dept-{pictured_org['hq'].pk} [data-org-toggle]").click()
    expect(page.locator(f"#card-dept-{pictured_org['sales'].pk}")).to_be_visible()
    context.close()


def test_the_svg_export_draws_every_department(page: Page, live_server, pictured_org):
    _sign_in(page, live_server.url, "zh-hans")
    response = page.request.get(f"{live_server.url}/pictures/orgchart.svg")
    assert response.ok and response.headers["content-type"].startswith("image/svg+xml")
    page.set_viewport_size({"width": 900, "height": 500})
    page.set_content(response.text())
    for name in ("Headquarters", "Sales", "Production", "Pat Planner"):
        expect(page.locator("svg text", has_text=name).first).to_be_visible()
    expect(page.locator("svg text", has_text="空缺").first).to_be_visible()  # "vacant"
    page.screenshot(path=SHOTS / "zh-hans-orgchart-export.png", full_page=True)
