"""Org chart benchmark: the O*NET organisation (22 departments, 923 roles) loaded into a
throwaway database, served over HTTP, and the chart's first paint measured in Chromium;
then the cost of opening the largest department, a search, and the SVG and PDF exports.

    DEBUG=1 .venv/bin/python bench/orgchart.py              # SQLite in a temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orgmap_bench_chart DEBUG=1 .venv/bin/python bench/orgchart.py

Data: "Contains information from O*NET 26.3 Database by the U.S. Department of Labor,
Employment and Training Administration (USDOL/ETA), used under the CC BY 4.0 license."
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scale import DATA, _prepare_postgres, timed

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
RUNS = 7
PASSWORD = "bench-password-0123"

FIRST_PAINT = """() => new Promise((resolve) => {
  const nav = performance.getEntriesByType("navigation")[0];
  const done = (fcp) => resolve({
    ttfb: nav.responseStart - nav.startTime,
    fcp: fcp,
    dcl: nav.domContentLoadedEventEnd - nav.startTime,
    load: nav.loadEventEnd - nav.startTime,
  });
  const seen = performance.getEntriesByName("first-contentful-paint")[0];
  if (seen) return done(seen.startTime);
  new PerformanceObserver((list) => {
    const entry = list.getEntriesByName("first-contentful-paint")[0];
    if (entry) done(entry.startTime);
  }).observe({ type: "paint", buffered: true });
  setTimeout(() => done(-1), 5000);
})"""


def _serve():
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = ThreadedWSGIServer(("127.0.0.1", 0), QuietHandler, allow_reuse_address=True)
    server.set_app(StaticFilesHandler(get_wsgi_application()))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def _median(values: list[float]) -> str:
    return f"median {statistics.median(values):7.0f} ms  min {min(values):7.0f} ms"


def main() -> None:
    _prepare_postgres()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1"]
    settings.SECURE_SSL_REDIRECT = False
    print(f"database: {connection.vendor}; data: {DATA}")
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    call_command("import_people", str(DATA / "people.csv"), verbosity=0)
    call_command("import_raci", str(DATA / "raci.csv"), verbosity=0)
    print(f"{'import people and RACI':58} {time.perf_counter() - start:8.1f} s")

    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from orgmap.models import Department, Role
    from responsibilities.models import Finding
    from responsibilities.pictures import snapshots

    print(
        f"loaded: {Department.objects.count()} departments, {Role.objects.count()} roles, "
        f"{Finding.objects.count()} stored findings"
    )
    largest = Department.objects.annotate(n=Count("roles")).order_by("-n").first()
    print(f"department with most roles: {largest.name} ({largest.n} roles)")
    get_user_model().objects.create_superuser("bench-admin", "bench@example.org", PASSWORD)
    timed("findings snapshot (whole organisation)", snapshots.findings_snapshot_take, 3)

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-admin"))
    timed("chart page, collapsed (server)", lambda: client.get("/pictures/orgchart/"))
    timed(
        f"chart branch {largest.code} ({largest.n} roles, htmx)",
        lambda: client.get(
            f"/pictures/orgchart/departments/{largest.code}/", headers={"HX-Request": "true"}
        ),
    )
    timed("chart search 'manager'", lambda: client.get("/pictures/orgchart/?q=manager"))
    timed(
        f"heatmaps page ({largest.code})",
        lambda: client.get(f"/pictures/heatmaps/?department={largest.code}"),
    )
    timed("findings trend page", lambda: client.get("/pictures/findings-trend/"))
    svg = timed("SVG export, whole organisation", lambda: client.get("/pictures/orgchart.svg"), 3)
    print(f"  -> {len(svg.content) / 1024:.0f} KB")
    pdf = timed("PDF export, whole organisation", lambda: client.get("/pictures/orgchart.pdf"), 1)
    print(f"  -> {len(pdf.content) / 1024:.0f} KB, status {pdf.status_code}")

    from playwright.sync_api import sync_playwright

    server, url = _serve()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        page = context.new_page()
        page.goto(f"{url}/accounts/login/")
        page.locator("#id_username").fill("bench-admin")
        page.locator("#id_password").fill(PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{url}/")
        page.goto(f"{url}/pictures/orgchart/")  # warm: static files cached, as on a visit
        figures = []
        for _ in range(RUNS):
            page.goto(f"{url}/pictures/orgchart/", wait_until="load")
            figures.append(page.evaluate(FIRST_PAINT))
        print(
            f"{'Chromium: chart first contentful paint':58} {_median([f['fcp'] for f in figures])}"
        )
        print(f"{'Chromium: chart time to first byte':58} {_median([f['ttfb'] for f in figures])}")
        print(f"{'Chromium: chart load event':58} {_median([f['load'] for f in figures])}")
        opened = []
        for _ in range(RUNS):
            page.goto(f"{url}/pictures/orgchart/", wait_until="load")
            toggle = page.locator(f"#card-dept-{largest.pk} [data-org-toggle]")
            start = time.perf_counter()
            toggle.click()
            page.locator(f"#children-dept-{largest.pk} .org-role").first.wait_for()
            opened.append((time.perf_counter() - start) * 1000)
        print(
            f"{'Chromium: open ' + largest.code + ' (htmx, until its roles show)':58} {_median(opened)}"
        )
        searched = []
        for _ in range(RUNS):
            start = time.perf_counter()
            page.goto(f"{url}/pictures/orgchart/?q=manager", wait_until="load")
            searched.append((time.perf_counter() - start) * 1000)
        print(f"{'Chromium: search "manager" (paths opened, load event)':58} {_median(searched)}")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
