"""Bulk PDF export on a real Celery worker: seconds per role over one department.

    .venv/bin/python bench/bulk_pdf.py [--roles 120] [--concurrency 1] [--format pdf|both]
                                       [--chinese]

Builds a department of --roles roles (each with a purpose, a holder and ten of the
department's forty duties, so that each description is a full page) in a throwaway
SQLite database, starts `celery -A orgmap worker` with the default prefork pool (as
docker-compose.yml and `make prod-local` run it) on the embedded broker, asks for a bulk
export of the department, and prints:

- the worker's time per role (from the job's start to its end, as the progress bar sees
  it), the figure the issue's target is about (<= 0.4 s per role on a 2-core machine);
- beside it the floor: the same documents rendered in this process with warm fonts, no
  broker, no zip, no progress updates;
- the warm-up a pool process pays once for the fonts.

The worker's time includes the database reads for each description and writing the zip
into the default storage. Run it on an otherwise idle machine; the figures in
docs/benchmarks.md say what the machine was doing.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(scratch: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "orgmap.settings",
            "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "localhost",
            "ORGMAP_DATA_DIR": scratch,
            "CELERY_TASK_ALWAYS_EAGER": "0",
        }
    )
    for name in ("DEBUG", "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _department(roles: int, chinese: bool):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from orgmap.models import Department, Role, RoleHolder
    from responsibilities.models import Assignment, Duty

    department = Department.objects.create(name="Bench Operations", code="BENCH")
    duties = [
        Duty.objects.create(
            title=f"Operate line {number}: planning, quality checks and hand-over",
            department=department,
            kpis=f"Output per shift on line {number}; defects per thousand units",
        )
        for number in range(40)
    ]
    head = Role.objects.create(department=department, title="Head of Bench Operations")
    created = Role.objects.bulk_create(
        Role(
            department=department,
            title=f"Operations Specialist {number:03d}",
            purpose=(
                "Keeps the production lines of the department running: plans the shifts, "
                "checks quality, hands over to maintenance and reports to the head."
                + (" 负责生产线的日常运营。" if chinese else "")
            ),
            reports_to=head,
        )
        for number in range(roles - 1)
    )
    all_roles = [head, *created]
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"bench{number:03d}") for number in range(len(all_roles))
    )
    today = timezone.localdate()
    RoleHolder.objects.bulk_create(
        RoleHolder(role=role, person=user, since=today)
        for role, user in zip(all_roles, users, strict=True)
    )
    now = timezone.now()
    letters = ["A", "R", "R", "C", "C", "I", "I", "I", "C", "R"]
    Assignment.objects.bulk_create(
        Assignment(
            duty=duties[(index * 3 + offset) % len(duties)],
            role=role,
            letter=letters[offset],
            updated_at=now,
        )
        for index, role in enumerate(all_roles)
        for offset in range(10)
    )
    return department, all_roles


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and all its descendants (Linux /proc)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += _cpu_seconds(int(child))
    except (FileNotFoundError, ProcessLookupError):
        pass
    return total


def _floor(all_roles, sample: int) -> tuple[float, float]:
    """(warm-up seconds, seconds per role) rendering in this process."""
    from responsibilities.role_documents import render_document, warm_up_pdf

    warm = warm_up_pdf()
    chosen = all_roles[:sample]
    started = time.perf_counter()
    for role in chosen:
        render_document(role, "pdf", language="en")
    return warm, (time.perf_counter() - started) / len(chosen)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--roles", type=int, default=120)
    parser.add_argument("--concurrency", type=int, default=1, help="worker pool processes")
    parser.add_argument("--format", choices=["pdf", "both"], default="pdf")
    parser.add_argument("--floor-sample", type=int, default=20)
    parser.add_argument(
        "--chinese",
        action="store_true",
        help="a sentence of Chinese in every purpose (each PDF then embeds the CJK font)",
    )
    args = parser.parse_args()
    if args.roles < 2:
        parser.error("--roles must be at least 2")

    scratch = tempfile.mkdtemp(prefix="orgmap-bench-pdf-")
    worker = None
    try:
        _setup(scratch)
        from django.contrib.auth import get_user_model
        from django.db import connection, transaction

        from responsibilities.exports_bulk import export_job_create
        from responsibilities.models import ExportJob

        department, all_roles = _department(args.roles, args.chinese)
        warm, floor = _floor(all_roles, min(args.floor_sample, len(all_roles)))
        hr = get_user_model().objects.create(username="bench-hr")

        log = Path(scratch) / "worker.log"
        with log.open("wb") as log_file:
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "orgmap",
                    "worker",
                    "-l",
                    "info",
                    "--concurrency",
                    str(args.concurrency),
                ],
                cwd=ROOT,
                env=os.environ.copy(),
                stdout=log_file,
                stderr=subprocess.STDOUT,
            )
        with transaction.atomic():
            job = export_job_create(by=hr, department=department, fmt=args.format)
        connection.close()
        deadline = time.monotonic() + 60 + 10 * args.roles
        started_at = None
        cpu_before = 0.0
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.status == ExportJob.Status.RUNNING and started_at is None:
                started_at = time.perf_counter()
                cpu_before = _cpu_seconds(worker.pid)
            if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
                break
            time.sleep(0.05)
        finished_at = time.perf_counter()
        cpu = _cpu_seconds(worker.pid) - cpu_before
        if job.status != ExportJob.Status.DONE:
            print(f"export {job.status}: {job.error}\n{log.read_text()[-3000:]}", file=sys.stderr)
            return 1
        # The job's own clock (claimed -> finished) would need a start stamp; the poll
        # above sees "running" within 50 ms of the claim.
        seconds = finished_at - (started_at or finished_at)
        per_role = seconds / job.total
        print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, load {os.getloadavg()}")
        print(
            f"department: {job.total} roles, format {args.format}, "
            f"{'with' if args.chinese else 'without'} Chinese text"
        )
        print(
            f"worker (prefork, concurrency {args.concurrency}): {seconds:.1f} s in all, "
            f"{per_role:.3f} s per role"
        )
        print(
            f"worker CPU time: {cpu:.1f} s in all, {cpu / job.total:.3f} s per role "
            "(what an idle core would take; the wall time above includes waiting for a CPU)"
        )
        print(f"floor (this process, warm fonts, PDF only): {floor:.3f} s per role")
        print(f"font warm-up, once per process: {warm:.2f} s")
        print(
            f"target: <= 0.400 s per role -> wall {'met' if per_role <= 0.4 else 'NOT met'}, "
            f"CPU {'met' if cpu / job.total <= 0.4 else 'NOT met'}"
        )
        return 0
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
