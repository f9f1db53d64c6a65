"""The webhooks pages in a real browser, as an org admin on a phone (390 × 844) and a
laptop, in English and Chinese: no sideways overflow, no serious or critical axe-core
violation, nothing left in English in Chinese."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from django.utils.translation import trans_real
from playwright.sync_api import Browser, expect

from orgmap.webhooks.models import Delivery, DeliveryAttempt, Endpoint, Event
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
# Words that read the same in both languages (codes, formats, names).
SAME_IN_BOTH = {"orgmap", "English", "URL"}
VISIBLE_TEXT = """() => {
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !parent || parent.closest("script, style, [hidden], [aria-hidden=true], [lang=en]")) continue;
    if (!parent.getClientRects().length) continue;
    texts.push(text);
  }
  return texts;
}"""


def _english_msgids() -> set[str]:
    catalog = trans_real.translation("zh-hans")._catalog
    return {
        msgid
        for msgid, text in catalog.items()
        if isinstance(msgid, str) and msgid and text and text != msgid and msgid not in SAME_IN_BOTH
    }


def test_webhook_pages_fit_pass_axe_and_speak_chinese(browser: Browser, live_server, admin_user):
    endpoint = Endpoint.objects.create(
        url="https://hooks.example.com/orgmap/a-rather-long-path/for-the-ticketing-system",
        events=["assignment.changed", "duty.created", "finding.opened"],
        secret="whsec_x",
        active=False,
        disabled_at=timezone.now(),
        failure_count=20,
        disabled_reason="HTTP 503: Service Unavailable <html>…",
    )
    for number in range(3):
        event = Event.objects.create(type="assignment.changed", payload={"n": number})
        sent = Delivery.objects.create(
            endpoint=endpoint,
            event=event,
            status="failed",
            attempts=2,
            last_status_code=503,
            last_error="HTTP 503: Service Unavailable",
        )
        for attempt in (1, 2):
            DeliveryAttempt.objects.create(
                delivery=sent, number=attempt, at=timezone.now(), status_code=503, duration_ms=40
            )
    pages = {
        "list": "/webhooks/",
        "new": "/webhooks/new/",
        "detail": f"/webhooks/{endpoint.pk}/",
    }
    axe = Axe()
    english = _english_msgids()
    problems: list[str] = []
    for language in ("en", "zh-hans"):
        for size, viewport in SIZES.items():
            context = browser.new_context(viewport=viewport, locale=language)
            page = context.new_page()
            page.goto(f"{live_server.url}/accounts/login/")
            page.locator("#id_username").fill(admin_user.username)
            page.locator("#id_password").fill(PASSWORD)
            page.locator("main button[type=submit]").click()
            page.wait_for_url(f"{live_server.url}/")
            switch = page.locator(f".language-switch button[value='{language}']")
            if switch.is_enabled():
                switch.click()
            expect(page.locator("html")).to_have_attribute("lang", language)
            for name, path in pages.items():
                where = f"{language}/{size}/{name}"
                page.goto(live_server.url + path)
                width, inner = page.evaluate(
                    "[document.documentElement.scrollWidth, window.innerWidth]"
                )
                if width > inner:
                    problems.append(f"{where}: the page is {width}px wide in a {inner}px window")
                for violation in axe.run(page).response["violations"]:
                    if violation["impact"] in ("serious", "critical"):
                        targets = [node["target"] for node in violation["nodes"]][:3]
                        problems.append(f"{where}: axe {violation['id']} on {targets}")
                if language == "zh-hans":
                    left = sorted({t for t in page.evaluate(VISIBLE_TEXT) if t in english})
                    if left:
                        problems.append(f"{where}: English in Chinese: {left}")
            context.close()
    assert not problems, "\n".join(problems)
