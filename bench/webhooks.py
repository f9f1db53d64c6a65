"""What webhooks cost the writers: a RACI import and cell edits, without an endpoint and
with one subscribed to every event, and the worker's fan-out of the import's events.

    DEBUG=1 .venv/bin/python bench/webhooks.py [--duties 1000] [--roles 5]

Runs on a throwaway SQLite file, or on DATABASE_URL if set (an empty database). Tasks
go to an in-memory broker and are not run: the figures are the writer's side (what a
request pays) and the fan-out as the worker runs it; sending is the receiver's time.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> str:
    sys.path.insert(0, str(ROOT))
    scratch = tempfile.mkdtemp(prefix="orgmap-bench-")
    os.environ.setdefault("ORGMAP_DATA_DIR", scratch)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgmap.settings")
    os.environ.setdefault("DEBUG", "1")
    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    import django

    django.setup()
    return scratch


def _measure(label: str, work) -> tuple[float, int]:
    from django.db import connection

    counter = {"n": 0}

    def count(execute, sql, params, many, context):
        counter["n"] += 1
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(count):
        work()
    seconds = time.perf_counter() - started
    print(f"| {label} | {seconds * 1000:.0f} ms | {counter['n']} |")
    return seconds, counter["n"]


def _run(duties: int, roles: int) -> int:
    from django.core.cache import cache
    from django.core.management import call_command

    from orgmap.models import Department, Role
    from orgmap.webhooks import delivery
    from orgmap.webhooks.models import EVENT_TYPE_NAMES, Endpoint, Event
    from responsibilities import raci, services
    from responsibilities.models import Duty
    from responsibilities.spreadsheets import imports
    from responsibilities.spreadsheets.sheets import read_table

    call_command("migrate", verbosity=0)
    cache.clear()
    letters = [raci.AR, raci.R, raci.C, raci.I, raci.C]

    def department(code: str) -> tuple[Department, list[Role]]:
        dept = Department.objects.create(code=code, name=code)
        return dept, [Role.objects.create(department=dept, title=f"Role {n}") for n in range(roles)]

    def table(code: str):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["department", "duty", "role", "role_department", "letter"])
        for number in range(duties):
            for index in range(roles):
                writer.writerow([code, f"Duty {number}", f"Role {index}", "", letters[index % 5]])
        return read_table(buffer.getvalue().encode(), "raci.csv")

    def cell_edits(code: str, role_list: list[Role]) -> None:
        for duty in Duty.objects.filter(department__code=code).select_related(
            "department", "project"
        )[:20]:
            services.assignment_set(
                duty=duty, role=role_list[0], letter=raci.A, expected_version=1, by=None
            )

    cells = duties * roles
    print(f"RACI import of {duties} duties × {roles} roles ({cells} cells), 20 cell edits\n")
    print("| step | time | SQL statements |")
    print("|---|---|---|")
    _dept, quiet_roles = department("QUIET")
    _measure("import, no endpoint", lambda: imports.raci_import(table("QUIET")))
    _measure("20 cell edits, no endpoint", lambda: cell_edits("QUIET", quiet_roles))
    assert not Event.objects.exists()

    Endpoint.objects.create(url="https://hooks.example.com/in", events=EVENT_TYPE_NAMES, secret="x")
    _dept, loud_roles = department("LOUD")
    _measure("import, one endpoint (all events)", lambda: imports.raci_import(table("LOUD")))
    _measure("20 cell edits, one endpoint", lambda: cell_edits("LOUD", loud_roles))
    event_ids = [str(pk) for pk in Event.objects.values_list("pk", flat=True)]
    _measure(f"worker: fan-out of {len(event_ids)} events", lambda: delivery.fan_out(event_ids))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duties", type=int, default=1000)
    parser.add_argument("--roles", type=int, default=5)
    args = parser.parse_args()
    scratch = _setup()
    try:
        return _run(args.duties, args.roles)
    finally:
        from django.db import connection

        connection.close()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
