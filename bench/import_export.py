"""Spreadsheet import and export at the scale of the O*NET-derived organisation.

    DEBUG=1 .venv/bin/python bench/import_export.py [--no-tracemalloc] [--data DIR]

Runs on a throwaway SQLite file, or on DATABASE_URL if set (it must point at an empty
database: the bench refuses one that already has departments). It imports people.csv,
then raci.csv, exports the largest department's matrix to XLSX and CSV and the whole
organisation to CSV (and XLSX), imports the department's XLSX back, and prints for each
step the time, the rows, the SQL statements and the peak Python memory (tracemalloc;
its bookkeeping slows Python down, so take timings from a --no-tracemalloc run).

raci.csv has rows that orgmap refuses (titles longer than a duty title may be, and two
cells given two different letters through duty titles that differ only in punctuation):
the bench reports them from a validation of the whole file, then imports the file
without those rows, as a user would after correcting them.

The data: Contains information from O*NET 26.3 Database by the U.S. Department of Labor, Employment
and Training Administration (USDOL/ETA), used under the CC BY 4.0 license.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = Path("/work/shared/data/onet-org")


def _setup() -> str:
    sys.path.insert(0, str(ROOT))
    scratch = tempfile.mkdtemp(prefix="orgmap-bench-")
    os.environ.setdefault("ORGMAP_DATA_DIR", scratch)
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgmap.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    return scratch


class Step:
    def __init__(self, name: str) -> None:
        self.name = name
        self.seconds = 0.0
        self.rows: int | str = ""
        self.queries = 0
        self.peak_mb: float | None = None
        self.note = ""


@contextmanager
def measured(name: str, steps: list[Step], *, memory: bool):
    from django.db import connection

    step = Step(name)
    counter = {"n": 0}

    def count(execute, sql, params, many, context):
        counter["n"] += 1
        return execute(sql, params, many, context)

    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        yield step
    step.seconds = time.perf_counter() - started
    step.queries = counter["n"]
    if memory:
        step.peak_mb = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    steps.append(step)
    print(f"  {name}: {step.seconds:.2f} s", file=sys.stderr)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--no-tracemalloc", action="store_true")
    args = parser.parse_args()
    memory = not args.no_tracemalloc
    people_csv, raci_csv = args.data / "people.csv", args.data / "raci.csv"
    if not people_csv.exists() or not raci_csv.exists():
        print(f"No people.csv and raci.csv in {args.data}.", file=sys.stderr)
        return 2
    scratch = _setup()
    try:
        return _run(Path(scratch), memory=memory, people_csv=people_csv, raci_csv=raci_csv)
    finally:
        from django.db import connection

        connection.close()
        shutil.rmtree(scratch, ignore_errors=True)  # the throwaway database and exports


def _run(out: Path, *, memory: bool, people_csv: Path, raci_csv: Path) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from orgmap.models import Department
    from responsibilities import selectors
    from responsibilities.spreadsheets import exports, imports
    from responsibilities.spreadsheets.sheets import Table, read_path

    call_command("migrate", verbosity=0)
    if Department.objects.exists():
        print("The database already has departments: give an empty one.", file=sys.stderr)
        return 2

    steps: list[Step] = []
    with measured("people.csv: read + validate + import", steps, memory=memory) as step:
        plan = imports.people_import(read_path(str(people_csv)))
        assert plan.applied, [str(p) for p in plan.problems[:5]]
        summary = plan.summary()
        step.rows = summary["rows"]
        step.note = (
            f"{summary['departments_created']} departments, {summary['roles_created']} roles, "
            f"{summary['people_created']} people, {summary['open_positions']} open positions"
        )
    with measured("people.csv again (nothing to change)", steps, memory=memory) as step:
        plan = imports.people_import(read_path(str(people_csv)))
        step.rows, step.note = plan.rows, f"changes: {plan.has_changes}"

    with measured("raci.csv: read", steps, memory=memory) as step:
        table = read_path(str(raci_csv))
        step.rows = len(table.rows)
    with measured("raci.csv: validate the whole file", steps, memory=memory) as step:
        plan = imports.plan_raci(table)
        step.rows = plan.rows
        step.note = f"{len(plan.problems)} problems, {len(plan.warnings)} notes"
    refused = {problem.row for problem in plan.problems}
    for problem in plan.problems:
        print(f"    refused: {problem}"[:160], file=sys.stderr)
    table = Table(
        header=table.header,
        header_row=table.header_row,
        rows=tuple(row for row in table.rows if row.number not in refused),
        source=table.source,
    )
    with measured("raci.csv without refused rows: import", steps, memory=memory) as step:
        plan = imports.raci_import(table)
        assert plan.applied, [str(p) for p in plan.problems[:5]]
        summary = plan.summary()
        step.rows = summary["rows"]
        step.note = (
            f"{summary['duties_created']} duties, {summary['assignments_created']} cells "
            f"+ as many history rows"
        )
    with measured("raci.csv again (nothing to change)", steps, memory=memory) as step:
        plan = imports.raci_import(table)
        step.rows, step.note = plan.rows, f"{plan.unchanged} cells unchanged"

    largest = (
        Department.objects.annotate(duty_count=Count("duties")).order_by("-duty_count").first()
    )
    scope = selectors.Scope(department=largest)
    # Written to files, as a download streams them, so that memory is the export's own.
    with measured(f"export {largest.code} (largest) to XLSX", steps, memory=memory) as step:
        with (out / "largest.xlsx").open("wb") as handle:
            step.rows = exports.write_xlsx(scope, exports.WIDE, handle)
        step.note = f"{(out / 'largest.xlsx').stat().st_size / 1e6:.1f} MB"
    with measured(f"export {largest.code} to CSV", steps, memory=memory) as step:
        with (out / "largest.csv").open("w", encoding="utf-8", newline="") as handle:
            step.rows = exports.write_csv(scope, exports.WIDE, handle)
        step.note = f"{(out / 'largest.csv').stat().st_size / 1e6:.1f} MB"
    with measured("export the organisation to CSV (long)", steps, memory=memory) as step:
        with (out / "organisation.csv").open("w", encoding="utf-8", newline="") as handle:
            step.rows = exports.write_csv(selectors.Scope(), exports.LONG, handle)
        step.note = f"{(out / 'organisation.csv').stat().st_size / 1e6:.1f} MB"
    with measured("export the organisation to XLSX (long)", steps, memory=memory) as step:
        with (out / "organisation.xlsx").open("wb") as handle:
            step.rows = exports.write_xlsx(selectors.Scope(), exports.LONG, handle)
        step.note = f"{(out / 'organisation.xlsx').stat().st_size / 1e6:.1f} MB"
    with measured(f"import the {largest.code} XLSX back", steps, memory=memory) as step:
        plan = imports.raci_import(read_path(str(out / "largest.xlsx")), department=largest)
        assert plan.applied and not plan.has_changes, [str(p) for p in plan.problems[:5]]
        step.rows, step.note = plan.rows, f"{plan.unchanged} cells unchanged"

    floors = _against_floor(largest, out)

    engine = connection.vendor
    print()
    print(
        f"orgmap spreadsheet bench — {engine} ({settings.DATABASES['default']['NAME']}), "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"tracemalloc {'on' if memory else 'off'}"
    )
    print("| step | seconds | rows | SQL statements | peak MB | |")
    print("|---|---:|---:|---:|---:|---|")
    for step in steps:
        peak = f"{step.peak_mb:.0f}" if step.peak_mb is not None else "–"
        print(
            f"| {step.name} | {step.seconds:.2f} | {step.rows} | {step.queries} | {peak} | {step.note} |"
        )
    print()
    print(
        f"Exports of {largest.code} against the raw-SQL CSV floor (medians of {ROUNDS}, interleaved):"
    )
    print("| figure | ms | floor ms | ratio |")
    print("|---|---:|---:|---:|")
    floor = statistics.median(floors["floor"])
    for name in ("csv", "xlsx"):
        median = statistics.median(floors[name])
        print(
            f"| export {largest.code} {name.upper()} | {median * 1000:,.0f} | {floor * 1000:,.0f} | {median / floor:.1f}x |"
        )
    return 0


ROUNDS = 5
# The same cells as the export, fetched and written out as CSV with no ORM or app code:
# what no export can beat (bench/against_floor.py uses the same statement over HTTP).
FLOOR_SQL = """
    SELECT dd.code, d.title, r.title, rd.code, a.letter
    FROM responsibilities_assignment a
    JOIN responsibilities_duty d ON d.id = a.duty_id
    JOIN orgmap_department dd ON dd.id = d.department_id
    JOIN orgmap_role r ON r.id = a.role_id
    JOIN orgmap_department rd ON rd.id = r.department_id
    WHERE d.department_id = %s ORDER BY d.title, d.id, r.title
"""


def _against_floor(department, out: Path) -> dict[str, list[float]]:
    """The department's CSV and XLSX exports and the raw-SQL CSV floor, in turn."""
    import csv

    from django.db import connection

    from responsibilities import selectors
    from responsibilities.spreadsheets import exports

    scope = selectors.Scope(department=department)
    samples: dict[str, list[float]] = {"floor": [], "csv": [], "xlsx": []}

    def floor() -> None:
        with connection.cursor() as cursor, (out / "floor.csv").open("w", newline="") as handle:
            cursor.execute(FLOOR_SQL, [department.pk])
            csv.writer(handle).writerows(cursor.fetchall())

    def as_csv() -> None:
        with (out / "round.csv").open("w", encoding="utf-8", newline="") as handle:
            exports.write_csv(scope, exports.WIDE, handle)

    def as_xlsx() -> None:
        with (out / "round.xlsx").open("wb") as handle:
            exports.write_xlsx(scope, exports.WIDE, handle)

    for _round in range(ROUNDS):
        for name, run in (("floor", floor), ("csv", as_csv), ("xlsx", as_xlsx)):
            started = time.perf_counter()
            run()
            samples[name].append(time.perf_counter() - started)
    return samples


if __name__ == "__main__":
    sys.exit(main())
