"""Scale benchmark: the O*NET organisation (22 departments, 923 roles, 18,022 duties,
46,098 assignments) loaded into a throwaway database, then the pages and reports that
must stay fast timed and their queries counted.

    DEBUG=1 .venv/bin/python bench/scale.py                 # SQLite in a temp folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/orgmap_bench DEBUG=1 .venv/bin/python bench/scale.py
    .venv/bin/python bench/scale.py --against-floor [--quick]   # see bench/against_floor.py

Data: "Contains information from O*NET 26.3 Database by the U.S. Department of Labor,
Employment and Training Administration (USDOL/ETA), used under the CC BY 4.0 license."
(see ../shared/data/README.md). The PostgreSQL database named in DATABASE_URL is
dropped and created again.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("ORGMAP_BENCH_DATA", ROOT.parent / "shared" / "data" / "onet-org"))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgmap.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["ORGMAP_DATA_DIR"] = tempfile.mkdtemp(prefix="orgmap-bench-")
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"


def _prepare_postgres() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return
    import psycopg2

    name = url.rsplit("/", 1)[1]
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def timed(label: str, function, repeat: int = 5):
    from django.db import connection, reset_queries

    durations, result, queries = [], None, 0
    for _ in range(repeat):
        reset_queries()
        start = time.perf_counter()
        result = function()
        durations.append(time.perf_counter() - start)
        queries = len(connection.queries)
    print(
        f"{label:58} median {statistics.median(durations) * 1000:8.1f} ms"
        f"  min {min(durations) * 1000:8.1f} ms  queries {queries}"
    )
    return result


def main() -> None:
    _prepare_postgres()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client records context; DEBUG=1 records queries
    settings.ALLOWED_HOSTS = ["testserver"]
    print(f"database: {connection.vendor}; data: {DATA}")
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    call_command("import_people", str(DATA / "people.csv"), verbosity=0)
    print(f"{'import_people (1,563 rows)':58} {time.perf_counter() - start:8.1f} s")
    start = time.perf_counter()
    call_command("import_raci", str(DATA / "raci.csv"), verbosity=0)
    print(f"{'import_raci (46,098 rows)':58} {time.perf_counter() - start:8.1f} s")

    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from orgmap.models import Department, Role
    from responsibilities import selectors
    from responsibilities.models import Assignment, Duty
    from responsibilities.search import search

    print(
        f"loaded: {Department.objects.count()} departments, {Role.objects.count()} roles, "
        f"{Duty.objects.count()} duties, {Assignment.objects.count()} assignments"
    )
    largest = Department.objects.annotate(n=Count("duties")).order_by("-n").first()
    print(f"largest department: {largest.name} ({largest.n} duties)")
    admin = get_user_model().objects.create_superuser("bench-admin", "bench@example.org", "x")
    client = Client()
    client.force_login(admin)

    timed("organisation overview page", lambda: client.get("/"))
    timed(f"department page ({largest.code})", lambda: client.get(f"/departments/{largest.code}/"))
    timed(
        f"matrix page, first 50 rows ({largest.code})",
        lambda: client.get(f"/departments/{largest.code}/matrix/"),
    )
    timed(
        "matrix page, only rows with findings",
        lambda: client.get(f"/departments/{largest.code}/matrix/?findings=1"),
    )
    duty = Duty.objects.filter(department=largest).first()
    role = largest.head or Role.objects.filter(department=largest).first()

    def edit_cell():
        version = (
            Assignment.objects.filter(duty=duty, role=role)
            .values_list("version", flat=True)
            .first()
            or 0
        )
        letter = "C" if (version % 2) else "I"
        return client.post(
            f"/matrix/cells/{duty.pk}/{role.pk}/",
            {"letter": letter, "version": version, "scope": f"department:{largest.code}"},
            headers={"HX-Request": "true"},
        )

    timed("cell edit (htmx, with row flags and summary)", edit_cell)
    findings = timed(
        "findings of the whole organisation (selector)",
        lambda: selectors.findings(selectors.Scope()),
        3,
    )
    print(
        f"  -> {len(findings)} findings: {dict(sorted(selectors.raci.summarise(findings).items()))}"
    )
    timed("findings page, whole organisation", lambda: client.get("/findings/"), 3)
    for query in [
        "budget",
        "financial reports",
        "maintain equipment",
        "recieve shipments",
        "custmer complaints",
    ]:
        results = timed(f"search {query!r}", lambda q=query: search(q))
        print(f"  -> {len(results.duties)} duties, {len(results.roles)} roles")
    timed(
        "search page (htmx live results)",
        lambda: client.get("/search/?q=budget&live=1", headers={"HX-Request": "true"}),
    )


if __name__ == "__main__":
    if "--against-floor" in sys.argv[1:]:
        # The one command of docs/benchmarks.md: gunicorn, HTTP, figures beside floors.
        from bench.against_floor import main as against_floor

        against_floor(sys.argv[1:])
    else:
        main()
